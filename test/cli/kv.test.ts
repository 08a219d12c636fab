// consulate kv …: commands, lossless round trip, cross-format with consul kv export/import, --prune, --no-replace.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deleteTree, getBytes, getRecord, records, set } from '../../src/endpoints/kv.ts';
import type { KVPair } from '../../src/endpoints/kv.ts';
import type { TxnWireOp } from '../../src/schemas/txn.ts';
import { sendTxn } from '../../src/schemas/txn.ts';
import { testClient, uniquePrefix } from '../support/client.ts';
import { cleanup, cli, onTerminal, prepare } from './run.ts';

const client = testClient();
beforeAll(prepare);
afterAll(cleanup);
const dir = mkdtempSync(join(tmpdir(), 'consulate-cli-kv-'));
const MAX_U64 = 18446744073709551615n;

/** Writes keys exactly (through /v1/txn, so `a//b` and `.`/`..` keys are stored as given). */
async function put(entries: { key: string; value: Uint8Array | string; flags?: bigint }[]): Promise<void> {
  for (let i = 0; i < entries.length; i += 64) {
    const ops: TxnWireOp[] = entries.slice(i, i + 64).map(({ key, value, flags }) => ({
      KV: { Verb: 'set', Key: key, Value: Buffer.from(value).toString('base64'), Flags: flags ?? 0n },
    }));
    await sendTxn(client, ops);
  }
}

/** The records under a prefix as comparable tuples (key, flags, value bytes as hex). */
async function snapshotOf(prefix: string): Promise<[string, bigint, string][]> {
  const { data } = await records(client, prefix);
  return data.map((p: KVPair) => [p.Key, p.Flags, Buffer.from(p.Value).toString('hex')]);
}

/** A dataset with every awkward case plus `bulk` plain keys. */
function dataset(p: string, bulk: number): { key: string; value: Uint8Array | string; flags?: bigint }[] {
  const entries: { key: string; value: Uint8Array | string; flags?: bigint }[] = [
    { key: `${p}bin`, value: new Uint8Array(256).map((_, i) => i), flags: MAX_U64 },
    { key: `${p}empty`, value: '' },
    { key: `${p}folder/`, value: '' },
    { key: `${p}ünïcødé/日本/🚀`, value: 'zürich ✓ 日本 🚀', flags: 9007199254740993n },
    { key: `${p}odd/a?b`, value: '?' },
    { key: `${p}odd/c#d`, value: '#' },
    { key: `${p}odd/e%f`, value: '%' },
    { key: `${p}odd/g+h`, value: '+' },
    { key: `${p}odd/i j`, value: ' ' },
    { key: `${p}odd/k%2Fl`, value: '%2F' },
    { key: `${p}a//b`, value: 'double slash' },
    { key: `${p}./dot`, value: 'dot' },
    { key: `${p}../dotdot`, value: 'dotdot', flags: 0x2ddccbc058a50c18n },
    { key: `${p}x/./y/../z`, value: 'dots inside' },
    { key: `${p}json`, value: '{"a":[1,2,3]}', flags: 42n },
  ];
  for (let i = 0; i < bulk; i++) {
    entries.push({ key: `${p}bulk/${String(i).padStart(5, '0')}`, value: `value ${i} ${'x'.repeat(i % 50)}`, flags: BigInt(i) });
  }
  return entries;
}

describe('kv backup → wipe → restore', () => {
  it('round-trips 20,000 keys with binary, empty, folder, unicode, odd-character, a//b and ./.. keys and uint64 flags exactly', async () => {
    const p = uniquePrefix('cli-rt');
    const base = p.slice(0, -1); // the prefix as a folder name, without the trailing slash
    await put([...dataset(p, 20_000), { key: base, value: 'the folder name itself' }, { key: `${base}other/keep`, value: 'outside' }]);
    const before = await snapshotOf(p);
    expect(before.length).toBe(20_015);

    const file = join(dir, 'rt.json');
    const backup = await cli(['kv', 'backup', base, '-f', file]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toBe('');
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { key: string }[];
    // the folder rule: the key named like the prefix is in, the neighbouring `…other/` folder is not
    expect(exported.length).toBe(20_016);
    expect(exported.some((e) => e.key === base)).toBe(true);
    expect(exported.some((e) => e.key.startsWith(`${base}other`))).toBe(false);
    // flags above 2^53 are written with all their digits
    expect(readFileSync(file, 'utf8')).toContain('"flags":18446744073709551615');
    expect(readFileSync(file, 'utf8')).toContain('"flags":9007199254740993');

    await deleteTree(client, p);
    await set(client, base, 'changed');
    expect((await snapshotOf(p)).length).toBe(0);

    const restore = await cli(['kv', 'restore', base, '-f', file]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toMatch(/restored 20016 keys/);
    expect(await snapshotOf(p)).toEqual(before);
    expect(Buffer.from((await getBytes(client, base)).data!).toString()).toBe('the folder name itself');
    expect((await getRecord(client, `${base}other/keep`)).data).toBeDefined();
  }, 180_000);

  it('restores from stdin and reads consulate triples (text, or base64 with -b) and raw API records', async () => {
    const p = uniquePrefix('cli-formats');
    await put([
      { key: `${p}text`, value: 'hello wörld', flags: 7n },
      { key: `${p}bin`, value: new Uint8Array([0, 255, 1, 254]), flags: MAX_U64 },
    ]);
    const before = await snapshotOf(p);
    const runs = await Promise.all([
      cli(['kv', 'backup', p, '--format', 'consulate', '-b']),
      cli(['kv', 'backup', p, '--format', 'api', '-p']),
      cli(['kv', 'backup', p, '--format', 'consulate']),
    ]);
    const [triples64, api, plain] = runs;
    expect(triples64!.code).toBe(0);
    // consulate triples hold keys relative to the prefix (the original consulate's format)
    expect(JSON.parse(triples64!.stdout)).toEqual([
      ['bin', expect.any(Number), 'AP8B/g=='],
      ['text', 7, Buffer.from('hello wörld').toString('base64')],
    ]);
    expect(triples64!.stdout).toContain('18446744073709551615');
    expect(api!.code).toBe(0);
    expect(api!.stdout).toContain('"ModifyIndex"');
    // the text format cannot hold a binary value: refused, no partial output
    expect(plain!.code).toBe(1);
    expect(plain!.stderr).toMatch(/binary value.*-b/);
    expect(plain!.stdout).toBe('');

    for (const [input, flags] of [[triples64!.stdout, ['-b']], [api!.stdout, []]] as const) {
      await deleteTree(client, p);
      const result = await cli(['kv', 'restore', p, ...flags], { input });
      expect(result.code, result.stderr).toBe(0);
      expect(await snapshotOf(p)).toEqual(before);
    }
    // text triples whose values happen to be valid base64 are stored as text with --text
    await deleteTree(client, p);
    const lookalike = await cli(['kv', 'restore', p, '--text'], { input: JSON.stringify([['token', 0, 'YWJjZA=='], ['word', 0, 'Zm9v']]) });
    expect(lookalike.code, lookalike.stderr).toBe(0);
    expect(await snapshotOf(p)).toEqual([
      [`${p}token`, 0n, Buffer.from('YWJjZA==').toString('hex')],
      [`${p}word`, 0n, Buffer.from('Zm9v').toString('hex')],
    ]);
    // consulate's plain-text triples (written by the Python CLI), with null values
    await deleteTree(client, p);
    const text = JSON.stringify([['a', 3, 'plain text: not base64!'], ['b', 0, null]]);
    const result = await cli(['kv', 'restore', p], { input: text });
    expect(result.code, result.stderr).toBe(0);
    expect(await snapshotOf(p)).toEqual([
      [`${p}a`, 3n, Buffer.from('plain text: not base64!').toString('hex')],
      [`${p}b`, 0n, ''],
    ]);
  });

  it('refuses bad input before writing anything (exit 1)', async () => {
    const p = uniquePrefix('cli-bad');
    const cases = [
      ['not json', /not valid JSON/],
      ['{"key":"x"}', /must be a JSON array/],
      [JSON.stringify([{ key: `${p}a`, flags: 0, value: 'aGk=' }, { key: `${p}b`, flags: -1, value: '' }]), /entry 1.*flags/],
      [JSON.stringify([{ key: `${p}a`, flags: 0, value: '***' }]), /not valid base64/],
    ] as const;
    const results = await Promise.all(cases.map(([input]) => cli(['kv', 'restore', p], { input })));
    results.forEach((result, i) => {
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(cases[i]![1]);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    });
    expect(await snapshotOf(p)).toEqual([]);
  });
});

describe('progress', () => {
  it('shows a progress bar on stderr only when it is a terminal', async () => {
    const p = uniquePrefix('cli-progress');
    await put(Array.from({ length: 100 }, (_, i) => ({ key: `${p}${i}`, value: String(i) })));
    const file = join(dir, 'progress.json');
    // `script` runs the command on a pseudo-terminal and copies what it prints
    const { shown: onTty } = await onTerminal(['kv', 'backup', p, '-f', file]);
    expect(onTty).toMatch(/backup \[=+\] 100% \| 100\/100/);
    const restore = await cli(['kv', 'restore', p, '-f', file]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toBe('consulate: restored 100 keys in ' + /in ([\d.]+ s)/.exec(restore.stderr)![1] + '\n');
  });
});

describe('kv restore options', () => {
  it('--prune deletes only keys under the prefix folder that the backup lacks', async () => {
    const root = uniquePrefix('cli-prune');
    const t = `${root}t`;
    await put([
      { key: t, value: 'exact' },
      { key: `${t}/a`, value: 'old a' },
      { key: `${t}/b`, value: 'not in backup' },
      { key: `${t}/deep/c`, value: 'not in backup' },
      { key: `${t}other/x`, value: 'neighbour' },
      { key: `${t}x`, value: 'neighbour' },
    ]);
    const backup = JSON.stringify([{ key: `${t}/a`, flags: 1, value: Buffer.from('new a').toString('base64') }]);
    // 3 of the 4 keys under t: more than half, so it takes --force
    const result = await cli(['kv', 'restore', t, '--prune', '--force'], { input: backup });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/3 pruned/);
    expect((await snapshotOf(root)).map(([k]) => k.slice(root.length))).toEqual(['t/a', 'tother/x', 'tx']);
    expect(Buffer.from((await getBytes(client, `${t}/a`)).data!).toString()).toBe('new a');
    // a prefix ending in "/" covers the keys starting with it: the key "t" itself is kept
    await put([{ key: t, value: 'exact' }, { key: `${t}/z`, value: 'z' }]);
    const again = await cli(['kv', 'restore', `${t}/`, '-p'], { input: backup });
    expect(again.code, again.stderr).toBe(0);
    expect((await snapshotOf(root)).map(([k]) => k.slice(root.length))).toEqual(['t', 't/a', 'tother/x', 'tx']);
  });

  it('--no-replace never overwrites, lists the skipped keys, and ignores entries outside the prefix', async () => {
    const p = uniquePrefix('cli-noreplace');
    await put([{ key: `${p}keep`, value: 'original', flags: 5n }]);
    const backup = JSON.stringify([
      { key: `${p}keep`, flags: 9, value: Buffer.from('from backup').toString('base64') },
      { key: `${p}new`, flags: 0, value: Buffer.from('created').toString('base64') },
      { key: 'elsewhere/not-restored', flags: 0, value: '' },
    ]);
    const result = await cli(['kv', 'restore', p, '-n'], { input: backup });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`skipped (exists) ${JSON.stringify(`${p}keep`)}`);
    expect(result.stderr).toMatch(/restored 1 key .*1 skipped.*1 outside the prefix ignored/);
    expect(await snapshotOf(p)).toEqual([
      [`${p}keep`, 5n, Buffer.from('original').toString('hex')],
      [`${p}new`, 0n, Buffer.from('created').toString('hex')],
    ]);
    expect((await getRecord(client, 'elsewhere/not-restored')).data).toBeUndefined();
  });
});

describe('cross-format with the consul CLI', () => {
  const consul = inject('consulBin');
  const env = { ...process.env, CONSUL_HTTP_ADDR: inject('consulAddress') };
  // consul kv import writes with plain PUTs, so keys with "//" or "."/".." segments are left out here
  const entries = (p: string) => dataset(p, 20).filter((e) => !/\/\/|\/\.\.?\//.test(e.key));

  it('consul kv import reads our backup', async () => {
    const p = uniquePrefix('cli-to-consul');
    await put(entries(p));
    const before = await snapshotOf(p);
    const file = join(dir, 'to-consul.json');
    const backup = await cli(['kv', 'backup', p, '-f', file]);
    expect(backup.code, backup.stderr).toBe(0);
    await deleteTree(client, p);
    execFileSync(consul, ['kv', 'import', `@${file}`], { env, stdio: 'pipe' });
    expect(await snapshotOf(p)).toEqual(before);
  });

  it('our restore reads consul kv export', async () => {
    const p = uniquePrefix('cli-from-consul');
    await put(entries(p));
    const before = await snapshotOf(p);
    const exported = execFileSync(consul, ['kv', 'export', p], { env });
    await deleteTree(client, p);
    const result = await cli(['kv', 'restore', p], { input: exported });
    expect(result.code, result.stderr).toBe(0);
    expect(await snapshotOf(p)).toEqual(before);
  });
});

describe('kv ls/get/set/rm/del/mkdir', () => {
  it('sets, gets and lists keys; a missing key exits 1', async () => {
    const p = uniquePrefix('cli-basic');
    const bytes = Buffer.from([0, 1, 2, 255]);
    const setRuns = await Promise.all([
      cli(['kv', 'set', `${p}a/x`, 'hello world', '--flags', '18446744073709551615']),
      cli(['kv', 'set', `${p}a/y/z`, '-'], { input: bytes }),
      cli(['kv', 'mkdir', `${p}dir`]),
    ]);
    for (const run of setRuns) expect(run.code, run.stderr).toBe(0);
    expect((await getRecord(client, `${p}a/x`)).data?.Flags).toBe(MAX_U64);
    expect(Buffer.from((await getBytes(client, `${p}a/y/z`)).data!)).toEqual(bytes);
    expect((await getRecord(client, `${p}dir/`)).data).toBeDefined();

    const [get, getR, ls, lsLong, missing] = await Promise.all([
      cli(['kv', 'get', `${p}a/x`]),
      cli(['kv', 'get', '-r', '--trim', '2', `${p}a`]),
      cli(['kv', 'ls', p]),
      cli(['kv', 'ls', '-l', `${p}a`]),
      cli(['kv', 'get', `${p}missing`]),
    ]);
    expect(get.stdout).toBe('hello world\n');
    expect(getR.code).toBe(0);
    expect(getR.stdoutBytes).toEqual(
      Buffer.concat([
        Buffer.from(`${p.split('/').slice(2).join('/')}a/x\thello world\n`),
        Buffer.from(`${p.split('/').slice(2).join('/')}a/y/z\t`),
        bytes,
        Buffer.from('\n'),
      ]),
    );
    expect(ls.stdout.split('\n').filter(Boolean)).toEqual([`${p}a/x`, `${p}a/y/z`, `${p}dir/`]);
    expect(lsLong.stdout).toMatch(/FLAGS\s+SESSION\s+LOCK\s+CREATE\s+MODIFY\s+SIZE\s+KEY/);
    expect(lsLong.stdout).toMatch(new RegExp(`18446744073709551615\\s+-\\s+0\\s+\\d+\\s+\\d+\\s+11\\s+${p}a/x\\n`));
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(`consulate: error: key "${p}missing" not found\n`);
  });

  it('check-and-set: --cas with a stale index exits 1 and writes nothing', async () => {
    const p = uniquePrefix('cli-cas');
    await set(client, `${p}k`, 'v1');
    const index = (await getRecord(client, `${p}k`)).data!.ModifyIndex;
    const stale = await cli(['kv', 'set', `${p}k`, 'v2', '--cas', String(index + 1000)]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/not written/);
    const ok = await cli(['kv', 'set', `${p}k`, 'v2', '--cas', String(index)]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(Buffer.from((await getBytes(client, `${p}k`)).data!).toString()).toBe('v2');
  });

  it('rm removes a key; rm -r / del -r remove a folder but not its neighbours', async () => {
    const p = uniquePrefix('cli-rm');
    await put([
      { key: `${p}one`, value: '1' },
      { key: `${p}f`, value: 'f' },
      { key: `${p}f/a`, value: 'a' },
      { key: `${p}f/b/c`, value: 'c' },
      { key: `${p}fother`, value: 'keep' },
      { key: `${p}g/a`, value: 'a' },
    ]);
    const [rm, rmR, delR] = await Promise.all([
      cli(['kv', 'rm', `${p}one`]),
      cli(['kv', 'rm', '-r', `${p}f`]),
      cli(['kv', 'del', '-r', `${p}g/`]),
    ]);
    for (const run of [rm, rmR, delR]) expect(run.code, run.stderr).toBe(0);
    expect((await snapshotOf(p)).map(([k]) => k)).toEqual([`${p}fother`]);
  });

  it('usage errors exit 2', async () => {
    const results = await Promise.all([
      cli(['kv', 'get']),
      cli(['kv', 'set', 'k', 'v', '--flags', 'nope']),
      cli(['kv', 'backup', '--format', 'xml']),
      cli(['kv', 'frobnicate']),
    ]);
    for (const result of results) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).not.toBe('');
    }
  });
});
