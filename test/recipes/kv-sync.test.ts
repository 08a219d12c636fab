// consulate/kv-sync (diff, sync, copy, move) against a real Consul agent. Concurrent changes are injected
// deterministically: after the diff and before the sync, or — inside one call — by a client whose fetch
// makes the change just before the Nth transaction is forwarded to the agent (the agent is real).
import { execFile } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { parseJson } from '../../src/core/encoding.ts';
import { set } from '../../src/endpoints/kv.ts';
import { createClient, isInputError, isTransactionError } from '../../src/index.ts';
import type { Client, FetchLike } from '../../src/index.ts';
import { copy, diff, move, planCopy, sync } from '../../src/recipes/kv-sync.ts';
import type { KVSyncEntry } from '../../src/recipes/kv-sync.ts';
import { raw, testClient, uniquePrefix } from '../support/client.ts';

const client = testClient();
const MAX_U64 = 18446744073709551615n;
const ALL_BYTES = new Uint8Array(256).map((_, i) => i);
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const base = (name: string): string => uniquePrefix(name).replace(/\/$/, '');

interface Held {
  flags: bigint;
  value: Uint8Array;
  modifyIndex: number;
}

/** What the agent holds under a clean prefix, read with raw HTTP (keys exact, flags exact, values as bytes). */
async function state(prefix: string): Promise<Map<string, Held>> {
  const res = await raw(`/v1/kv/${prefix}?recurse`);
  if (res.status === 404) return new Map();
  const list = parseJson(await res.text()) as { Key: string; Flags: number | bigint; Value: string | null; ModifyIndex: number }[];
  return new Map(
    list.map((p) => [p.Key, { flags: BigInt(p.Flags), value: Uint8Array.from(atob(p.Value ?? ''), (c) => c.charCodeAt(0)), modifyIndex: p.ModifyIndex }]),
  );
}

/** Writes entries exactly (through a transaction: keys with `//` and `.`/`..` too). */
async function seed(entries: KVSyncEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += 64) {
    const body = entries.slice(i, i + 64).map((e) => ({
      KV: { Verb: 'set', Key: e.Key, Value: btoa(String.fromCharCode(...(typeof e.Value === 'string' ? bytes(e.Value) : e.Value))), Flags: `§${e.Flags ?? 0}§` },
    }));
    const res = await raw('/v1/txn', { method: 'PUT', body: JSON.stringify(body).replace(/"§(\d+)§"/g, '$1') });
    expect(res.status, await res.clone().text()).toBe(200);
  }
}

/** A client that runs `inject` just before its `n`th PUT /v1/txn (1-based) goes to the agent. */
function injectingClient(n: number, inject_: () => Promise<void>): { client: Client; txns: () => number } {
  let txns = 0;
  const fetch: FetchLike = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    if (request.method === 'PUT' && new URL(request.url).pathname === '/v1/txn' && ++txns === n) await inject_();
    return globalThis.fetch(input, init);
  };
  return { client: createClient({ address: inject('consulAddress'), fetch }), txns: () => txns };
}

describe('diff', () => {
  it('says what a sync would add, change and delete under a folder, with the ModifyIndex it read; exact bytes and uint64 flags', async () => {
    const p = base('diff');
    await seed([
      { Key: p, Value: 'the prefix key itself' },
      { Key: `${p}/same`, Value: ALL_BYTES, Flags: MAX_U64 },
      { Key: `${p}/value`, Value: 'old' },
      { Key: `${p}/flags`, Value: 'v', Flags: MAX_U64 - 1n },
      { Key: `${p}/gone`, Value: 'x' },
      { Key: `${p}X/sibling`, Value: 'outside the folder' },
    ]);
    const held = await state(`${p}`);
    const d = await diff(
      client,
      [
        { Key: p, Value: 'the prefix key itself' },
        { Key: `${p}/same`, Value: ALL_BYTES, Flags: MAX_U64 },
        { Key: `${p}/value`, Value: 'new' },
        { Key: `${p}/flags`, Value: 'v', Flags: MAX_U64 },
        { Key: `${p}/a//b`, Value: new Uint8Array([0, 255]) },
        { Key: `${p}X/elsewhere`, Value: 'not under the prefix' },
      ],
      p,
    );
    expect(d.prefix).toBe(p);
    expect(d.add).toEqual([{ Key: `${p}/a//b`, Flags: 0n, Value: new Uint8Array([0, 255]) }]);
    expect(d.change.map((c) => [c.Key, c.ModifyIndex, c.Flags, c.was.Flags])).toEqual([
      [`${p}/flags`, held.get(`${p}/flags`)!.modifyIndex, MAX_U64, MAX_U64 - 1n],
      [`${p}/value`, held.get(`${p}/value`)!.modifyIndex, 0n, 0n],
    ]);
    expect(new TextDecoder().decode(d.change[1]!.was.Value)).toBe('old');
    expect(d.delete).toEqual([{ Key: `${p}/gone`, ModifyIndex: held.get(`${p}/gone`)!.modifyIndex, was: { Flags: 0n, Value: bytes('x') } }]);
    expect(d.unchanged).toBe(2); // the prefix key and the binary value with 2^64-1 flags
    expect(d.ignored).toEqual([`${p}X/elsewhere`]);
    // nothing was written
    expect((await state(`${p}`)).get(`${p}/value`)!.modifyIndex).toBe(held.get(`${p}/value`)!.modifyIndex);
  });

  it('takes an object of key → value, and a prefix ending in "/" as a plain string prefix', async () => {
    const p = base('diff-record');
    await seed([{ Key: p, Value: 'not under "p/"' }, { Key: `${p}/a`, Value: '1' }]);
    const d = await diff(client, { [`${p}/a`]: '1', [`${p}/b`]: '2' }, `${p}/`);
    expect(d.add.map((e) => e.Key)).toEqual([`${p}/b`]);
    expect(d.delete).toEqual([]);
    expect(d.unchanged).toBe(1);
  });

  it('refuses invalid entries before reading', async () => {
    for (const bad of [[{ Key: '', Value: 'x' }], [{ Key: 'k', Value: 5 }], [{ Key: 'k', Value: 'x', Flags: -1 }], [{ Key: 'k', Value: new Uint8Array(512 * 1024 + 1) }]]) {
      await expect(diff(client, bad as KVSyncEntry[], 'x')).rejects.toSatisfy(isInputError);
    }
  });
});

describe('sync', () => {
  it('applies exactly the diff: the folder then holds the desired entries, byte for byte; siblings are untouched', async () => {
    const p = base('sync');
    await seed([{ Key: `${p}/keep`, Value: 'k' }, { Key: `${p}/change`, Value: 'old' }, { Key: `${p}/drop`, Value: 'd' }, { Key: `${p}X`, Value: 'sibling' }]);
    const desired: KVSyncEntry[] = [
      { Key: `${p}/keep`, Value: 'k' },
      { Key: `${p}/change`, Value: ALL_BYTES, Flags: MAX_U64 },
      { Key: `${p}/./dot/../x`, Value: 'exact key', Flags: 2n ** 53n + 1n },
    ];
    const d = await diff(client, desired, p);
    const report = await sync(client, d);
    expect(report).toMatchObject({ ok: true, added: [`${p}/./dot/../x`], changed: [`${p}/change`], deleted: [`${p}/drop`], failed: [], notAttempted: [], batches: 1, aborted: false });
    const held = await state(`${p}`);
    expect([...held.keys()].sort()).toEqual([`${p}/./dot/../x`, `${p}/change`, `${p}/keep`, `${p}X`].sort());
    expect(held.get(`${p}/change`)).toMatchObject({ flags: MAX_U64, value: ALL_BYTES });
    expect(held.get(`${p}/./dot/../x`)).toMatchObject({ flags: 2n ** 53n + 1n, value: bytes('exact key') });
    expect(held.get(`${p}X`)!.value).toEqual(bytes('sibling'));
    const again = await diff(client, desired, p);
    expect([again.add, again.change, again.delete, again.unchanged]).toEqual([[], [], [], 3]);
  });

  it('a key changed, created or deleted by someone else after the diff makes the batch fail, reported, and nothing of it is applied', async () => {
    const p = base('sync-conflict');
    await seed([{ Key: `${p}/a`, Value: 'a0' }, { Key: `${p}/b`, Value: 'b0' }, { Key: `${p}/c`, Value: 'c0' }]);
    const d = await diff(client, [{ Key: `${p}/a`, Value: 'a1' }, { Key: `${p}/b`, Value: 'b0' }, { Key: `${p}/new`, Value: 'n1' }], p);
    expect([d.add.length, d.change.length, d.delete.length]).toEqual([1, 1, 1]);
    // someone else: changes the key the sync would change, creates the one it would add, changes the one it would delete
    await set(client, `${p}/a`, 'theirs');
    await set(client, `${p}/new`, 'theirs too');
    await set(client, `${p}/c`, 'c-theirs');
    const report = await sync(client, d);
    expect(report.ok).toBe(false);
    expect(report).toMatchObject({ added: [], changed: [], deleted: [], notAttempted: [], batches: 1 });
    expect(report.failed).toHaveLength(1);
    const failure = report.failed[0]!;
    expect(failure).toMatchObject({ batch: 1, uncertain: false });
    expect(failure.keys.sort()).toEqual([`${p}/a`, `${p}/c`, `${p}/new`]);
    expect(isTransactionError(failure.error)).toBe(true);
    // Consul reports every failed op; each names its key and says the index is stale
    expect(failure.errors.map((e) => e.Key).sort()).toEqual([`${p}/a`, `${p}/c`, `${p}/new`]);
    for (const e of failure.errors) expect(e.What).toMatch(/index is stale/);
    const held = await state(`${p}`);
    expect(new TextDecoder().decode(held.get(`${p}/a`)!.value)).toBe('theirs');
    expect(new TextDecoder().decode(held.get(`${p}/new`)!.value)).toBe('theirs too');
    expect(new TextDecoder().decode(held.get(`${p}/c`)!.value)).toBe('c-theirs');
  });

  it('a key already deleted by someone else counts as deleted (delete-cas of a missing key succeeds)', async () => {
    const p = base('sync-gone');
    await seed([{ Key: `${p}/a`, Value: 'a' }, { Key: `${p}/b`, Value: 'b' }, { Key: `${p}/c`, Value: 'c' }]);
    const d = await diff(client, [{ Key: `${p}/a`, Value: 'a' }, { Key: `${p}/b`, Value: 'b' }], p);
    await raw(`/v1/kv/${p}/c`, { method: 'DELETE' });
    const report = await sync(client, d);
    expect(report).toMatchObject({ ok: true, deleted: [`${p}/c`] });
  });

  it('over several batches: a conflict in batch 2 leaves batch 1 applied and batch 3 not attempted, exactly as reported', async () => {
    const p = base('sync-batches');
    const keys = Array.from({ length: 150 }, (_, i) => `${p}/k${String(i).padStart(3, '0')}`);
    await seed(keys.map((Key) => ({ Key, Value: 'old' })));
    const d = await diff(client, keys.map((Key) => ({ Key, Value: 'new' })), p);
    expect(d.change).toHaveLength(150);
    const victim = keys[100]!; // in batch 2 (keys 64…127)
    const { client: injecting, txns } = injectingClient(2, async () => {
      await set(client, victim, 'concurrent');
    });
    const progress: [number, number][] = [];
    const report = await sync(injecting, d, { onProgress: (done, total) => progress.push([done, total]) });
    expect(txns()).toBe(2);
    expect(report.ok).toBe(false);
    expect(report.batches).toBe(3);
    expect(report.changed).toEqual(keys.slice(0, 64));
    expect(report.failed.map((f) => [f.batch, f.keys.length, f.errors.map((e) => e.Key)])).toEqual([[2, 64, [victim]]]);
    expect(report.notAttempted).toEqual(keys.slice(128));
    expect(progress).toEqual([[64, 150], [128, 150]]);
    const held = await state(`${p}/`);
    const text = (key: string): string => new TextDecoder().decode(held.get(key)!.value);
    expect(keys.slice(0, 64).every((k) => text(k) === 'new')).toBe(true);
    expect(keys.slice(64).every((k) => text(k) === (k === victim ? 'concurrent' : 'old'))).toBe(true);
  });

  it('with continueOnError, later batches are still sent', async () => {
    const p = base('sync-continue');
    const keys = Array.from({ length: 100 }, (_, i) => `${p}/k${String(i).padStart(3, '0')}`);
    await seed(keys.map((Key) => ({ Key, Value: 'old' })));
    const d = await diff(client, keys.map((Key) => ({ Key, Value: 'new' })), p);
    await set(client, keys[0]!, 'concurrent');
    const report = await sync(client, d, { continueOnError: true });
    expect(report.failed.map((f) => f.batch)).toEqual([1]);
    expect(report.changed).toEqual(keys.slice(64));
    expect(report.notAttempted).toEqual([]);
  });

  it('an aborted signal stops it between batches (the report says so)', async () => {
    const p = base('sync-abort');
    const keys = Array.from({ length: 70 }, (_, i) => `${p}/k${String(i).padStart(3, '0')}`);
    const controller = new AbortController();
    const report = await sync(client, keys.map((Key) => ({ Key, Value: 'v' })), p, {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(report).toMatchObject({ ok: false, aborted: true, failed: [], added: keys.slice(0, 64), notAttempted: keys.slice(64) });
    expect((await state(`${p}/`)).size).toBe(64);
  });

  it('splits batches by body size too: values whose base64 would not fit one 512 KiB transaction together go in separate batches', async () => {
    const p = base('sync-bytes');
    const values = [1, 2, 3].map((n) => new Uint8Array(200 * 1024).fill(n)); // 267 KiB of base64 each: one per batch
    const report = await sync(client, values.map((Value, i) => ({ Key: `${p}/big${i}`, Value })), p);
    expect(report).toMatchObject({ ok: true, batches: 3, added: [`${p}/big0`, `${p}/big1`, `${p}/big2`] });
    const held = await state(`${p}/`);
    values.forEach((value, i) => expect(Buffer.from(held.get(`${p}/big${i}`)!.value).equals(value)).toBe(true));
  });

  it('refuses to delete more than half of the keys under the prefix without force, before writing anything', async () => {
    const p = base('sync-guard');
    await seed([{ Key: `${p}/a`, Value: 'a' }, { Key: `${p}/b`, Value: 'b' }, { Key: `${p}/c`, Value: 'c' }]);
    const d = await diff(client, [{ Key: `${p}/a`, Value: 'changed' }], p);
    const error = await sync(client, d).catch((e: unknown) => e);
    expect(isInputError(error)).toBe(true);
    expect((error as Error).message).toMatch(/delete 2 of the 3 keys under ".*" \(more than half\); nothing was written/);
    expect(new TextDecoder().decode((await state(`${p}/`)).get(`${p}/a`)!.value)).toBe('a');
    const report = await sync(client, d, { force: true });
    expect(report).toMatchObject({ ok: true, changed: [`${p}/a`], deleted: [`${p}/b`, `${p}/c`] });
  });

  it('given desired entries and a prefix, reads the diff itself', async () => {
    const p = base('sync-desired');
    await seed([{ Key: `${p}/a`, Value: 'a' }]);
    const report = await sync(client, { [`${p}/a`]: 'a', [`${p}/b`]: bytes('b') }, p);
    expect(report).toMatchObject({ ok: true, added: [`${p}/b`], changed: [], deleted: [] });
    await expect(sync(client, [{ Key: `${p}/a`, Value: 'a' }] as never)).rejects.toSatisfy(isInputError);
  });
});

describe('copy and move', () => {
  const tree = (p: string): KVSyncEntry[] => [
    { Key: p, Value: 'the tree key itself', Flags: 1n },
    { Key: `${p}/`, Value: '' },
    { Key: `${p}/bin`, Value: ALL_BYTES, Flags: MAX_U64 },
    { Key: `${p}/a//b`, Value: 'double slash', Flags: 2n ** 63n },
    { Key: `${p}/./x/../y`, Value: 'dot segments' },
    ...Array.from({ length: 60 }, (_, i) => ({ Key: `${p}/many/${String(i).padStart(2, '0')}`, Value: new Uint8Array([i, 0, 255 - i]), Flags: BigInt(i) * 2n ** 58n })),
  ];
  const renamed = (entries: KVSyncEntry[], from: string, to: string): Map<string, { flags: bigint; value: Uint8Array }> =>
    new Map(entries.map((e) => [`${to}${e.Key.slice(from.length)}`, { flags: BigInt(e.Flags ?? 0n), value: typeof e.Value === 'string' ? bytes(e.Value) : e.Value }]));
  const content = (held: Map<string, Held>): Map<string, { flags: bigint; value: Uint8Array }> =>
    new Map([...held].map(([k, h]) => [k, { flags: h.flags, value: h.value }]));

  it('copy writes the tree (the key itself, the folder key, binary values, uint64 flags, exact keys) under the new name; siblings are not copied', async () => {
    const src = base('cp-src');
    const dst = base('cp-dst');
    const entries = tree(src);
    await seed([...entries, { Key: `${src}X`, Value: 'sibling, not copied' }]);
    const report = await copy(client, src, dst);
    expect(report).toMatchObject({ ok: true, failed: [], notAttempted: [], batches: 2 });
    expect(report.applied).toHaveLength(entries.length);
    expect(report.applied).toContainEqual({ from: `${src}/a//b`, to: `${dst}/a//b` });
    expect(content(await state(dst))).toEqual(renamed(entries, src, dst));
    expect((await state(src)).size).toBe(entries.length + 1); // the source is untouched
  });

  it('copy refuses existing destination keys before writing (overwrite replaces them); keys only under the destination stay', async () => {
    const src = base('cp-clash');
    const dst = base('cp-clash-dst');
    await seed([{ Key: `${src}/a`, Value: 'new a' }, { Key: `${src}/b`, Value: 'new b' }, { Key: `${dst}/a`, Value: 'old a' }, { Key: `${dst}/only`, Value: 'mine' }]);
    const error = await copy(client, src, dst).catch((e: unknown) => e);
    expect(isInputError(error)).toBe(true);
    expect((error as Error).message).toContain(`1 destination key exists ("${dst}/a")`);
    expect((await state(`${dst}/`)).has(`${dst}/b`)).toBe(false);
    const report = await copy(client, src, dst, { overwrite: true });
    expect(report.ok).toBe(true);
    const held = await state(`${dst}/`);
    expect([...held.keys()].sort()).toEqual([`${dst}/a`, `${dst}/b`, `${dst}/only`]);
    expect(new TextDecoder().decode(held.get(`${dst}/a`)!.value)).toBe('new a');
  });

  it('copies a value too large for a transaction body with a check-and-set PUT; a move of it is refused before writing', async () => {
    const src = base('cp-large');
    const large = new Uint8Array(500 * 1024).map((_, i) => (i * 7) & 255);
    const put = await raw(`/v1/kv/${src}/large?flags=9`, { method: 'PUT', body: large });
    expect(put.status).toBe(200);
    await seed([{ Key: `${src}/small`, Value: 's' }]);
    const report = await copy(client, src, `${src}-copy`);
    expect(report).toMatchObject({ ok: true, batches: 2 });
    const copied = (await state(`${src}-copy/`)).get(`${src}-copy/large`)!;
    expect(copied.flags).toBe(9n);
    // (vitest's deep equality takes seconds on 500 KiB; Buffer.equals compares the bytes at once)
    expect(Buffer.from(copied.value).equals(large)).toBe(true);
    const error = await move(client, src, `${src}-moved`).catch((e: unknown) => e);
    expect(isInputError(error)).toBe(true);
    expect((error as Error).message).toMatch(/too many to move atomically.*nothing was written/);
    expect((await state(`${src}/`)).size).toBe(2);
    // planned (a dry run): the same refusal for the move, none for the copy, the items either way, nothing written
    const moving = await planCopy(client, src, `${src}-moved`, { move: true });
    expect(moving.refusal).toMatch(/too many to move atomically/);
    expect(moving.items).toEqual([
      { from: `${src}/large`, to: `${src}-moved/large`, exists: false, bytes: 500 * 1024 },
      { from: `${src}/small`, to: `${src}-moved/small`, exists: false, bytes: 1 },
    ]);
    const copying = await planCopy(client, src, `${src}-copy`);
    expect(copying.refusal).toMatch(/2 destination keys exist/);
    expect(copying.items.every((item) => item.exists)).toBe(true);
    expect((await planCopy(client, src, `${src}-copy`, { overwrite: true })).refusal).toBeUndefined();
    expect((await state(`${src}-moved/`)).size).toBe(0);
    expect((await state(`${src}/`)).size).toBe(2);
  });

  it('move moves the tree exactly: every key at the destination, none left at the source', async () => {
    const src = base('mv-src');
    const dst = base('mv-dst');
    const entries = tree(src);
    await seed([...entries, { Key: `${src}X`, Value: 'sibling, not moved' }]);
    const report = await move(client, src, dst);
    expect(report).toMatchObject({ ok: true, failed: [], notAttempted: [], batches: Math.ceil(entries.length / 21) });
    expect(content(await state(dst))).toEqual(renamed(entries, src, dst));
    expect([...(await state(src)).keys()]).toEqual([`${src}X`]);
  });

  it('move never loses a key: a source changed during the move fails its batch, whose keys (and the later ones) stay at the source', async () => {
    const src = base('mv-conflict');
    const dst = base('mv-conflict-dst');
    const keys = Array.from({ length: 50 }, (_, i) => `${src}/k${String(i).padStart(2, '0')}`);
    await seed(keys.map((Key) => ({ Key, Value: `v-${Key}` })));
    const victim = keys[30]!; // batch 2 holds keys 21…41
    const { client: injecting } = injectingClient(2, async () => {
      await set(client, victim, 'changed during the move');
    });
    const report = await move(injecting, src, dst);
    expect(report.ok).toBe(false);
    expect(report.batches).toBe(3);
    expect(report.applied.map((a) => a.from)).toEqual(keys.slice(0, 21));
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0]).toMatchObject({ batch: 2, keys: keys.slice(21, 42), uncertain: false });
    expect(report.failed[0]!.errors).toEqual([{ OpIndex: 27, Key: victim, What: expect.stringMatching(/failed index check for key .*current modify index/) as unknown as string }]);
    expect(report.notAttempted).toEqual(keys.slice(42));
    const [atSource, atDestination] = await Promise.all([state(`${src}/`), state(`${dst}/`)]);
    expect([...atDestination.keys()]).toEqual(keys.slice(0, 21).map((k) => `${dst}${k.slice(src.length)}`));
    expect([...atSource.keys()]).toEqual(keys.slice(21));
    // every key is in exactly one place, with its value (the concurrent one kept)
    expect(atSource.size + atDestination.size).toBe(keys.length);
    expect(new TextDecoder().decode(atSource.get(victim)!.value)).toBe('changed during the move');
    // moving again moves the rest
    const rest = await move(client, src, dst);
    expect(rest).toMatchObject({ ok: true });
    expect((await state(`${dst}/`)).size).toBe(keys.length);
    expect((await state(`${src}/`)).size).toBe(0);
  });

  it('refuses overlapping trees, an empty source, and a destination ending in "/" for a source that does not', async () => {
    const p = base('mv-refuse');
    for (const [src, dst] of [[p, `${p}/sub`], [`${p}/sub`, p], [`${p}/`, `${p}/x/`], ['', 'x'], [p, ''], [p, 'other/']]) {
      await expect(move(client, src!, dst!)).rejects.toSatisfy(isInputError);
    }
    // a source ending in "/" goes under "dst/"
    await seed([{ Key: `${p}/a`, Value: 'a' }, { Key: p, Value: 'not under "p/"' }]);
    const report = await copy(client, `${p}/`, `${p}-copy`);
    expect(report.applied).toEqual([{ from: `${p}/a`, to: `${p}-copy/a` }]);
  });
});

describe('examples/kv-sync.ts', () => {
  it('runs as a user would run it (tsx, CONSUL_HTTP_ADDR): a sync refused by a concurrent change, then applied; copy and move', async () => {
    const root = new URL('../..', import.meta.url).pathname;
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile('node_modules/.bin/tsx', ['examples/kv-sync.ts'], { cwd: root, env: { ...process.env, CONSUL_HTTP_ADDR: inject('consulAddress') }, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` }),
      );
    });
    expect(code, output).toBe(0);
    expect(output.replace(/ModifyIndex \d+/g, 'ModifyIndex N').trim().split('\n')).toEqual([
      'plan:',
      '  add    app/cert',
      '  change app/port (ModifyIndex N)',
      '  delete app/legacy',
      '  1 unchanged',
      'sync: ok=false, batch 1 refused: failed to set key "app/port", index is stale',
      '  nothing applied: 0 keys',
      'plan, read again:',
      '  add    app/cert',
      '  change app/port (ModifyIndex N)',
      '  delete app/legacy',
      '  1 unchanged',
      'sync: ok=true, added app/cert, changed app/port, deleted app/legacy',
      'copy: app/cert → backup/cert, app/name → backup/name, app/port → backup/port',
      'move: 3 keys in 1 batch, ok=true',
      'archive matches the desired entries: true',
    ]);
  });
});
