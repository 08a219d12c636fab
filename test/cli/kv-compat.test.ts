// consulate kv backup/restore as the original (Python) consulate's users run them: files in its [key, flags, value]
// triple format hold keys relative to the prefix, restore prepends the prefix; `-p` is --prune; consul kv export JSON
// keeps Consul's absolute keys. The files below are written as the original's kv_backup writes them (json.dumps of
// (key relative to the prefix, flags, value) tuples; `-b` base64-encodes the non-empty values).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getBytes, keys, records } from '../../src/endpoints/kv.ts';
import type { TxnWireOp } from '../../src/schemas/txn.ts';
import { sendTxn } from '../../src/schemas/txn.ts';
import { testClient, uniquePrefix } from '../support/client.ts';
import { cli, cliTestDirectory } from './run.ts';

const client = testClient();
const dir = cliTestDirectory('kv-compat');

/** The records under a prefix as [key relative to it, flags, value text]. */
async function tree(prefix: string): Promise<[string, bigint, string][]> {
  const { data } = await records(client, prefix);
  return data.map((p) => [p.Key.slice(prefix.length), p.Flags, Buffer.from(p.Value).toString()]);
}

async function put(entries: [string, string, bigint?][]): Promise<void> {
  const ops: TxnWireOp[] = entries.map(([key, value, flags]) => ({ KV: { Verb: 'set', Key: key, Value: Buffer.from(value).toString('base64'), Flags: flags ?? 0n } }));
  await sendTxn(client, ops);
}

describe('the consulate triple format, as the original writes and reads it', () => {
  it('restores a file made by the original under the prefix given (and under another one: a copy)', async () => {
    const root = uniquePrefix('cli-compat-orig');
    // `consulate kv backup app -f f.json` by the original: "app" itself is "", the rest relative to "app/"
    const file = join(dir, 'original.json');
    writeFileSync(file, `${JSON.stringify([['', 0, 'the app key'], ['db/host', 0, 'db.local'], ['db/port', 7, '5432'], ['empty', 0, null]]).replace(/,/g, ', ')}\n`);
    const [app, copy] = await Promise.all([
      cli(['kv', 'restore', `${root}app`, '-f', file]),
      cli(['kv', 'restore', `${root}copy`, '-f', file]),
    ]);
    for (const run of [app, copy]) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/^consulate: restored 4 keys in [\d.]+ s\n$/);
    }
    for (const name of ['app', 'copy']) {
      expect(await tree(root)).toEqual(expect.arrayContaining([
        [name, 0n, 'the app key'],
        [`${name}/db/host`, 0n, 'db.local'],
        [`${name}/db/port`, 7n, '5432'],
        [`${name}/empty`, 0n, ''],
      ]));
    }
    expect((await keys(client, root)).data).toHaveLength(8);
  });

  it('restores the original\'s -b (base64) file with -b, binary values exactly', async () => {
    const root = uniquePrefix('cli-compat-orig-b64');
    const bytes = Buffer.from([0, 255, 1, 254]);
    // the original's -b leaves empty values as they are (`b64encode(v) if v else v`)
    const input = JSON.stringify([['bin', 0, bytes.toString('base64')], ['text', 3, Buffer.from('wörld').toString('base64')], ['none', 0, null]]);
    const result = await cli(['kv', 'restore', `${root}app`, '-b'], { input });
    expect(result.code, result.stderr).toBe(0);
    expect(Buffer.from((await getBytes(client, `${root}app/bin`)).data!)).toEqual(bytes);
    expect(await tree(`${root}app/`)).toEqual([['bin', 0n, bytes.toString()], ['none', 0n, ''], ['text', 3n, 'wörld']]);
  });

  it('kv backup PREFIX --format consulate writes keys relative to the prefix (folder rule), and restore PREFIX round-trips it', async () => {
    const root = uniquePrefix('cli-compat-rt');
    const app = `${root}app`;
    await put([
      [app, 'the app key'],
      [`${app}/`, ''], // the folder key the UI creates
      [`${app}/x`, 'x', 9007199254740993n],
      [`${app}/y/z`, 'deep'],
      [`${app}//double`, 'double slash'],
      [`${root}apple/x`, 'not under app'],
    ]);
    const before = await tree(root);
    const file = join(dir, 'ours.json');
    const backup = await cli(['kv', 'backup', app, '--format', 'consulate', '-f', file]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([
      ['', 0, 'the app key'],
      ['/', 0, null], // Consul answers null for an empty value; the original writes it the same way
      ['/double', 0, 'double slash'],
      ['x', 9007199254740993, 'x'],
      ['y/z', 0, 'deep'],
    ]);
    expect(readFileSync(file, 'utf8')).toContain('9007199254740993');

    const copy = await cli(['kv', 'restore', `${root}copy`, '-f', file]);
    expect(copy.code, copy.stderr).toBe(0);
    await sendTxn(client, [{ KV: { Verb: 'delete-tree', Key: `${app}/` } }, { KV: { Verb: 'delete', Key: app } }]);
    const restore = await cli(['kv', 'restore', app, '-f', file]);
    expect(restore.code, restore.stderr).toBe(0);
    const after = await tree(root);
    expect(after.filter(([k]) => !k.startsWith('copy'))).toEqual(before);
    expect(after.filter(([k]) => k.startsWith('copy'))).toEqual(
      before.filter(([k]) => k.startsWith('app/') || k === 'app').map(([k, f, v]) => [k.replace(/^app/, 'copy'), f, v]),
    );
  });

  it('a key named like the prefix plus "//" (app//) has no relative name: the consulate format refuses it', async () => {
    const root = uniquePrefix('cli-compat-slash');
    await put([[`${root}app//`, 'x']]);
    const result = await cli(['kv', 'backup', `${root}app`, '--format', 'consulate']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `consulate: error: key "${root}app//" has no name relative to "${root}app" in the consulate format ("/" means the folder key); back it up with --format export\n`,
    );
    expect(result.stdout).toBe('');
  });

  it('a triple with the key "" needs a prefix to restore under', async () => {
    const result = await cli(['kv', 'restore'], { input: JSON.stringify([['', 0, 'root value']]) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the key "": .*give the prefix to restore under/);
  });

  it('-p is --prune (the original\'s short flag), within the folder rule', async () => {
    const root = uniquePrefix('cli-compat-prune');
    await put([[`${root}app/a`, 'a'], [`${root}app/b`, 'b'], [`${root}apple/c`, 'c']]);
    const result = await cli(['kv', 'restore', `${root}app`, '-p'], { input: JSON.stringify([['a', 0, 'new a']]) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/restored 1 key .*, 1 pruned/);
    expect(await tree(root)).toEqual([['app/a', 0n, 'new a'], ['apple/c', 0n, 'c']]);
  });
});

describe('consul kv export JSON keeps Consul\'s absolute keys', () => {
  it('backup PREFIX writes absolute keys; restore PREFIX restores only the entries under it', async () => {
    const root = uniquePrefix('cli-compat-export');
    await put([[`${root}app/x`, 'x'], [`${root}other/y`, 'y']]);
    const backup = await cli(['kv', 'backup', `${root}app`]);
    expect(backup.code, backup.stderr).toBe(0);
    expect((JSON.parse(backup.stdout) as { key: string }[]).map((e) => e.key)).toEqual([`${root}app/x`]);
    const both = JSON.stringify([`${root}app/x`, `${root}other/y`].map((key) => ({ key, flags: 0, value: Buffer.from('restored').toString('base64') })));
    const restore = await cli(['kv', 'restore', `${root}app`], { input: both });
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toMatch(/restored 1 key .*, 1 outside the prefix ignored/);
    expect(await tree(root)).toEqual([['app/x', 0n, 'restored'], ['other/y', 0n, 'y']]);
  });

  it('--help says which key semantics each format follows', async () => {
    const [backup, restore] = await Promise.all([cli(['kv', 'backup', '--help']), cli(['kv', 'restore', '--help'])]);
    for (const help of [backup.stdout, restore.stdout].map((t) => t.replace(/\s+/g, ' '))) {
      expect(help).toContain('Keys in the consulate format ([key, flags, value] triples) are relative to the prefix, as in the original consulate');
      expect(help).toContain('The export and api formats hold absolute keys, as Consul does');
    }
    expect(restore.stdout).toMatch(/-p, --prune/);
    expect(restore.stdout).toMatch(/--dry-run/);
    expect(restore.stdout).toMatch(/--text/);
  });
});
