// consulate kv diff / sync / cp / mv against a real Consul agent. A concurrent change inside one CLI run is
// injected deterministically by a pass-through HTTP proxy (below) that makes the change just before it
// forwards the Nth transaction to the agent; everything else talks to the agent directly.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { parseJson } from '../../src/core/encoding.ts';
import { set } from '../../src/endpoints/kv.ts';
import { createClient } from '../../src/index.ts';
import { startAgent } from '../support/agent.mjs';
import { raw, testClient, uniquePrefix } from '../support/client.ts';
import { cli, cliTestDirectory } from './run.ts';

const client = testClient();
const dir = cliTestDirectory('kv-sync');

const MAX_U64 = '18446744073709551615';
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const base = (name: string): string => uniquePrefix(name).replace(/\/$/, '');
let files = 0;

/** A consul kv export file (absolute keys, base64 values, flags written exactly). */
function exportFile(entries: [key: string, value: string | Buffer, flags?: string][]): string {
  const file = join(dir, `export-${files++}.json`);
  const items = entries.map(([key, value, flags = '0']) => `{"key":${JSON.stringify(key)},"flags":${flags},"value":"${Buffer.from(value).toString('base64')}"}`);
  writeFileSync(file, `[${items.join(',')}]`);
  return file;
}

/** What the agent holds under a clean prefix: key → { flags (exact text), value bytes }, raw HTTP. */
async function state(prefix: string): Promise<Map<string, { flags: string; value: Buffer }>> {
  const res = await raw(`/v1/kv/${prefix}?recurse`);
  if (res.status === 404) return new Map();
  const list = parseJson(await res.text()) as { Key: string; Flags: number | bigint; Value: string | null }[];
  return new Map(list.map((p) => [p.Key, { flags: String(p.Flags), value: Buffer.from(p.Value ?? '', 'base64') }]));
}

/** Writes entries exactly through a raw transaction (keys with `//` and `.`/`..` too). */
async function seed(entries: [key: string, value: string | Buffer, flags?: string][]): Promise<void> {
  for (let i = 0; i < entries.length; i += 64) {
    const ops = entries.slice(i, i + 64).map(([key, value, flags = '0']) => `{"KV":{"Verb":"set","Key":${JSON.stringify(key)},"Value":"${Buffer.from(value).toString('base64')}","Flags":${flags}}}`);
    const res = await raw('/v1/txn', { method: 'PUT', body: `[${ops.join(',')}]` });
    expect(res.status, await res.clone().text()).toBe(200);
  }
}

/** A pass-through proxy to the agent that runs `before` just before forwarding its `n`th PUT /v1/txn. */
async function injectingProxy(n: number, before: () => Promise<void>): Promise<{ address: string; close(): Promise<void> }> {
  const target = new URL(inject('consulAddress'));
  let txns = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      if (req.method === 'PUT' && req.url?.split('?')[0] === '/v1/txn' && ++txns === n) await before();
      const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('kv diff', () => {
  it('prints add/change/delete lines (a change says what differs) and a summary; --json has exact flags and base64 values', async () => {
    const p = base('cli-diff');
    await seed([[`${p}/same`, ALL_BYTES, MAX_U64], [`${p}/value`, 'old'], [`${p}/flags`, 'f', '1'], [`${p}/gone`, 'x'], [`${p}X`, 'sibling']]);
    const file = exportFile([[`${p}/same`, ALL_BYTES, MAX_U64], [`${p}/value`, 'new!'], [`${p}/flags`, 'f', MAX_U64], [`${p}/a//b`, 'added'], ['elsewhere/x', 'outside']]);
    const text = await cli(['kv', 'diff', file, p]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toBe([`add "${p}/a//b"`, `change "${p}/flags" (flags 1 → ${MAX_U64})`, `change "${p}/value" (value 3 → 4 bytes)`, `delete "${p}/gone"`, ''].join('\n'));
    expect(text.stderr).toBe(`consulate: 1 to add, 2 to change, 1 to delete under "${p}" (1 unchanged; 1 entry of the file outside the prefix ignored)\n`);

    const json = await cli(['kv', 'diff', file, p, '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).toContain(`"Flags":${MAX_U64},"Value":"Zg==","ModifyIndex":`);
    const doc = parseJson(json.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({
      prefix: p,
      add: [{ Key: `${p}/a//b`, Flags: 0, Value: Buffer.from('added').toString('base64') }],
      change: [
        { Key: `${p}/flags`, Flags: BigInt(MAX_U64), Value: 'Zg==', was: { Flags: 1, Value: 'Zg==' } },
        { Key: `${p}/value`, Flags: 0, Value: Buffer.from('new!').toString('base64'), was: { Flags: 0, Value: Buffer.from('old').toString('base64') } },
      ],
      delete: [{ Key: `${p}/gone`, was: { Flags: 0, Value: 'eA==' } }],
      unchanged: 1,
      ignored: ['elsewhere/x'],
    });
    expect((doc['delete'] as { ModifyIndex: number }[])[0]!.ModifyIndex).toBeGreaterThan(0);
    // nothing was written
    expect((await state(`${p}/`)).get(`${p}/value`)!.value.toString()).toBe('old');
  });

  it('--exit-code exits 1 when there are differences, 0 when there are none', async () => {
    const p = base('cli-diff-exit');
    await seed([[`${p}/a`, 'a']]);
    const differs = await cli(['kv', 'diff', exportFile([[`${p}/a`, 'b']]), p, '--exit-code']);
    expect(differs.code).toBe(1);
    expect(differs.stderr).toMatch(/there are differences \(--exit-code\)/);
    const same = await cli(['kv', 'diff', exportFile([[`${p}/a`, 'a']]), p, '--exit-code']);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toBe('');
    expect(same.stderr).toBe(`consulate: no differences under "${p}" (1 unchanged)\n`);
  });

  it('reads consulate triples relative to the prefix (-b, --text), from stdin with "-"', async () => {
    const p = base('cli-diff-triples');
    await seed([[p, 'root'], [`${p}/x`, 'x']]);
    const triples = JSON.stringify([['', 0, 'root'], ['x', 0, 'x'], ['y', 5, 'yy']]);
    const result = await cli(['kv', 'diff', '-', p, '--text'], { input: triples });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`add "${p}/y"\n`);
    const b64 = await cli(['kv', 'diff', '-', p, '-b'], { input: JSON.stringify([['', 0, 'cm9vdA=='], ['x', 0, 'eA==']]) });
    expect(b64.stdout).toBe('');
    expect(b64.stderr).toMatch(/no differences .* \(2 unchanged\)/);
  });
});

describe('kv sync', () => {
  it('applies exactly the diff: binary values, uint64 flags and exact keys; keys beside the folder untouched', async () => {
    const p = base('cli-sync');
    await seed([[`${p}/keep`, 'k'], [`${p}/change`, 'old'], [`${p}/drop`, 'd'], [`${p}X/sibling`, 's']]);
    const file = exportFile([[`${p}/keep`, 'k'], [`${p}/change`, ALL_BYTES, MAX_U64], [`${p}/./x/../y`, 'dots', '9007199254740993']]);
    const result = await cli(['kv', 'sync', file, p]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^consulate: synced under "${p}": 1 added, 1 changed, 1 deleted in 1 transaction batch, [\\d.]+ s\\n$`));
    const held = await state(p);
    expect([...held.keys()].sort()).toEqual([`${p}/./x/../y`, `${p}/change`, `${p}/keep`, `${p}X/sibling`].sort());
    expect(held.get(`${p}/change`)).toEqual({ flags: MAX_U64, value: ALL_BYTES });
    expect(held.get(`${p}/./x/../y`)).toEqual({ flags: '9007199254740993', value: Buffer.from('dots') });
    const again = await cli(['kv', 'sync', file, p]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toBe(`consulate: nothing to do: under "${p}" already matches the file (3 keys)\n`);
  });

  it('--dry-run prints the diff and writes nothing', async () => {
    const p = base('cli-sync-dry');
    await seed([[`${p}/a`, 'a'], [`${p}/b`, 'b']]);
    const result = await cli(['kv', 'sync', exportFile([[`${p}/a`, 'A']]), p, '--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`change "${p}/a" (value (1 bytes))\ndelete "${p}/b"\n`);
    expect((await state(`${p}/`)).get(`${p}/a`)!.value.toString()).toBe('a');
    expect((await state(`${p}/`)).size).toBe(2);
  });

  it('a key changed by someone else after the diff fails its batch: exit 1, reported, not overwritten, nothing of the batch applied', async () => {
    const p = base('cli-sync-conflict');
    await seed([[`${p}/a`, 'a0'], [`${p}/b`, 'b0'], [`${p}/c`, 'c0']]);
    const proxy = await injectingProxy(1, async () => {
      await set(client, `${p}/b`, 'theirs');
    });
    const report = join(dir, 'sync-report.json');
    try {
      const result = await cli(['kv', 'sync', exportFile([[`${p}/a`, 'a1'], [`${p}/b`, 'b1']]), p, '--report', report], { address: proxy.address });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`consulate: batch 1 was not applied (3 keys, "${p}/a" … "${p}/c"): "${p}/b": failed to set key "${p}/b", index is stale\n`);
      expect(result.stderr).toContain('consulate: sync incomplete: 0 added, 0 changed, 0 deleted, 3 in failed batches, 0 not attempted; run kv diff to see where it stands\n');
      expect(result.stderr).toMatch(/consulate: error: sync failed: batch 1: .*index is stale\n$/);
    } finally {
      await proxy.close();
    }
    const held = await state(`${p}/`);
    expect([...held].map(([k, v]) => [k, v.value.toString()])).toEqual([[`${p}/a`, 'a0'], [`${p}/b`, 'theirs'], [`${p}/c`, 'c0']]);
    const written = JSON.parse(readFileSync(report, 'utf8')) as Record<string, unknown>;
    expect(written).toMatchObject({ ok: false, added: [], changed: [], deleted: [], notAttempted: [] });
    expect(written['failed']).toEqual([
      {
        batch: 1,
        keys: [`${p}/a`, `${p}/b`, `${p}/c`],
        error: `"${p}/b": failed to set key "${p}/b", index is stale`,
        errors: [{ OpIndex: 1, Key: `${p}/b`, What: `failed to set key "${p}/b", index is stale` }],
        uncertain: false,
      },
    ]);
  });

  it('refuses without a prefix unless --prune-all, and deleting more than half of the keys without --force (exit 2, nothing written)', async () => {
    const p = base('cli-sync-guard');
    await seed([[`${p}/a`, 'a'], [`${p}/b`, 'b'], [`${p}/c`, 'c']]);
    const file = exportFile([[`${p}/a`, 'A']]);
    const noPrefix = await cli(['kv', 'sync', file]);
    expect(noPrefix.code).toBe(2);
    expect(noPrefix.stderr).toBe('consulate: error: kv sync without a prefix deletes every key of the store that FILE lacks: give a prefix, or --prune-all to sync the whole store\n');
    const large = await cli(['kv', 'sync', file, p]);
    expect(large.code).toBe(2);
    expect(large.stderr).toBe(
      `consulate: error: sync would delete 2 of the 3 keys under "${p}" (more than half); nothing was written: check the file and the prefix (--dry-run lists the keys), and add --force if this is intended\n`,
    );
    expect((await state(`${p}/`)).get(`${p}/a`)!.value.toString()).toBe('a');
    const forced = await cli(['kv', 'sync', file, p, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect([...(await state(`${p}/`)).keys()]).toEqual([`${p}/a`]);
  });

  it('--prune-all syncs the whole store (its own agent)', async () => {
    const agent = await startAgent({ name: 'consulate-cli-sync-all' });
    try {
      const own = createClient({ address: agent.address });
      await Promise.all(['a', 'b', 'c/d'].map((key) => set(own, key, key)));
      const file = exportFile([['a', 'a'], ['b', 'B'], ['e', 'e']]);
      const result = await cli(['kv', 'sync', file, '--prune-all'], { address: agent.address });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/synced in the whole store: 1 added, 1 changed, 1 deleted/);
      const res = await fetch(`${agent.address}/v1/kv/?keys`);
      expect(await res.json()).toEqual(['a', 'b', 'e']);
    } finally {
      await agent.stop();
    }
  });
});

describe('kv cp and kv mv', () => {
  const tree = (p: string): [string, string | Buffer, string?][] => [
    [p, 'the tree key itself', '1'],
    [`${p}/bin`, ALL_BYTES, MAX_U64],
    [`${p}/a//b`, 'double slash', '9223372036854775808'],
    [`${p}/./x/../y`, 'dots'],
    ...Array.from({ length: 60 }, (_, i): [string, Buffer, string] => [`${p}/many/${String(i).padStart(2, '0')}`, Buffer.from([i, 0, 255 - i]), String(BigInt(i) * 2n ** 58n)]),
  ];
  const expected = (entries: [string, string | Buffer, string?][], from: string, to: string) =>
    new Map(entries.map(([k, v, f = '0']) => [`${to}${k.slice(from.length)}`, { flags: f, value: Buffer.from(v) }]));

  it('cp copies a tree exactly (binary values, uint64 flags, exact keys); existing destination keys are refused unless --overwrite', async () => {
    const src = base('cli-cp');
    const dst = base('cli-cp-dst');
    const entries = tree(src);
    await seed([...entries, [`${src}X`, 'sibling']]);
    const result = await cli(['kv', 'cp', src, dst]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`^consulate: copied 64 keys from "${src}" to "${dst}" in 1 transaction batch, [\\d.]+ s\\n$`));
    expect(await state(dst)).toEqual(expected(entries, src, dst));
    expect((await state(src)).size).toBe(entries.length + 1);

    const again = await cli(['kv', 'cp', src, dst]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^consulate: error: 64 destination keys exist \(.*, …\); nothing was written: add --overwrite to replace them\n$/);
    await set(client, `${src}/bin`, 'changed');
    const overwrite = await cli(['kv', 'cp', src, dst, '--overwrite']);
    expect(overwrite.code, overwrite.stderr).toBe(0);
    expect((await state(dst)).get(`${dst}/bin`)!.value.toString()).toBe('changed');
  });

  it('cp and mv --dry-run print each key and where it would go, mark existing destinations, and write nothing', async () => {
    const src = base('cli-mv-dry');
    const dst = base('cli-mv-dry-dst');
    const entries = tree(src);
    await seed([...entries, [`${dst}/bin`, 'already there']]);
    const before = { src: await state(src), dst: await state(dst) };
    for (const name of ['cp', 'mv']) {
      const result = await cli(['kv', name, src, dst, '--dry-run']);
      expect(result.code, result.stderr).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(entries.length);
      expect(lines).toContain(`${name} ${JSON.stringify(`${src}/a//b`)} ${JSON.stringify(`${dst}/a//b`)}`);
      expect(lines).toContain(`${name} ${JSON.stringify(`${src}/bin`)} ${JSON.stringify(`${dst}/bin`)} (exists)`);
      expect(result.stderr).toContain(`64 keys would be ${name === 'cp' ? 'copied' : 'moved'} from "${src}" to "${dst}" (1 over existing keys); nothing was written (--dry-run)`);
      expect(result.stderr).toMatch(new RegExp(`without --dry-run this ${name} would be refused: 1 destination key exists .*add --overwrite`));
      const overwrite = await cli(['kv', name, src, dst, '--dry-run', '--overwrite']);
      expect(overwrite.code, overwrite.stderr).toBe(0);
      expect(overwrite.stderr).not.toMatch(/would be refused/);
    }
    expect(await state(src)).toEqual(before.src);
    expect(await state(dst)).toEqual(before.dst);
    const empty = await cli(['kv', 'mv', base('cli-mv-dry-none'), dst, '--dry-run']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/nothing would be moved/);
  });

  it('mv moves a tree exactly; nothing is left at the source', async () => {
    const src = base('cli-mv');
    const dst = base('cli-mv-dst');
    const entries = tree(src);
    await seed(entries);
    const result = await cli(['kv', 'mv', src, dst]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^consulate: moved 64 keys from .* in 4 transaction batches/);
    expect(await state(dst)).toEqual(expected(entries, src, dst));
    expect((await state(src)).size).toBe(0);
  });

  it('mv never loses a key: a source changed during the move fails its batch (exit 1); its keys and the later ones stay at the source', async () => {
    const src = base('cli-mv-conflict');
    const dst = base('cli-mv-conflict-dst');
    const keys = Array.from({ length: 50 }, (_, i) => `${src}/k${String(i).padStart(2, '0')}`);
    await seed(keys.map((k) => [k, `v-${k}`]));
    const proxy = await injectingProxy(2, async () => {
      await set(client, keys[30]!, 'changed during the move');
    });
    try {
      const result = await cli(['kv', 'mv', src, dst], { address: proxy.address });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`consulate: batch 2 was not applied (21 keys, "${keys[21]}" … "${keys[41]}"): "${keys[30]}": failed index check for key "${keys[30]}", current modify index`);
      expect(result.stderr).toContain(`consulate: mv incomplete: 21 keys moved (listed above), 21 in failed batches, 8 not attempted; those are still under "${src}"\n`);
      for (const k of keys.slice(0, 21)) expect(result.stderr).toContain(`consulate: moved "${k}" → "${dst}${k.slice(src.length)}"\n`);
    } finally {
      await proxy.close();
    }
    const [atSource, atDestination] = await Promise.all([state(`${src}/`), state(`${dst}/`)]);
    expect([...atSource.keys()]).toEqual(keys.slice(21));
    expect([...atDestination.keys()]).toEqual(keys.slice(0, 21).map((k) => `${dst}${k.slice(src.length)}`));
    expect(atSource.get(keys[30]!)!.value.toString()).toBe('changed during the move');
    // again: the rest moves
    const rest = await cli(['kv', 'mv', src, dst]);
    expect(rest.code, rest.stderr).toBe(0);
    expect((await state(`${dst}/`)).size).toBe(50);
    expect((await state(`${src}/`)).size).toBe(0);
  });

  it('an empty source exits 1; overlapping trees exit 2', async () => {
    const p = base('cli-mv-refuse');
    const empty = await cli(['kv', 'mv', p, `${p}-x`]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toBe(`consulate: error: no keys under "${p}": nothing moved\n`);
    const overlap = await cli(['kv', 'cp', p, `${p}/inside`]);
    expect(overlap.code).toBe(2);
    expect(overlap.stderr).toBe(`consulate: error: the source "${p}" and the destination "${p}/inside" overlap\n`);
  });
});
