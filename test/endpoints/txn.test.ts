// Transactions against a real Consul agent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as txn from '../../src/endpoints/txn.ts';
import type { TxnOperation } from '../../src/endpoints/txn.ts';
import { Consul, createClient, isInputError, isTransactionError, TransactionError } from '../../src/index.ts';
import type { FetchLike } from '../../src/index.ts';
import { inject } from 'vitest';
import { raw, testClient, uniquePrefix } from '../support/client.ts';

const client = testClient();
const MAX_U64 = 18446744073709551615n;
const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);

/** A client whose fetch counts requests, to prove that invalid input sends nothing. */
function countingClient(): { client: ReturnType<typeof createClient>; calls: () => number } {
  let calls = 0;
  const fetch: FetchLike = (input, init) => {
    calls++;
    return globalThis.fetch(input, init);
  };
  return { client: createClient({ address: inject('consulAddress'), fetch }), calls: () => calls };
}

async function rawKeys(prefix: string): Promise<string[]> {
  const res = await raw(`/v1/kv/${prefix}?keys`);
  return res.status === 404 ? [] : ((await res.json()) as string[]);
}

describe('txn builder: KV', () => {
  it('stores keys exactly (a//b, ./.., leading slash), bytes and uint64 flags, and reads them back', async () => {
    const p = uniquePrefix('txn-exact');
    const bytes = new Uint8Array(256).map((_, i) => i);
    const t = txn
      .builder()
      .kv.set(`${p}a//b`, 'double', { flags: MAX_U64 })
      .kv.set(`${p}./..`, 'dots', { flags: 7 })
      .kv.set(`/${p}lead`, 'leading slash kept')
      .kv.set(`${p}bin`, bytes)
      .kv.set(`${p}ü 日本?#%`, 'unicode');
    expect(t.length).toBe(5);
    const { data } = await txn.run(client, t);
    // writes return the entry without its value
    expect(data.kv.map((kv) => kv.Key)).toEqual([`${p}a//b`, `${p}./..`, `/${p}lead`, `${p}bin`, `${p}ü 日本?#%`]);
    expect(data.kv[0]!.Flags).toBe(MAX_U64);
    expect(data.kv[0]!.Value).toEqual(new Uint8Array(0));

    // Consul itself lists them under exactly those names (raw HTTP, bypassing our code)
    expect((await rawKeys(p)).sort()).toEqual([`${p}./..`, `${p}a//b`, `${p}bin`, `${p}ü 日本?#%`].sort());
    // the HTTP router would redirect /v1/kv//test/…, so read the leading-slash key back through a txn
    const lead = await txn.run(client, txn.builder().kv.get(`/${p}lead`));
    expect(text(lead.data.kv[0]!.Value)).toBe('leading slash kept');

    const read = await txn.run(client, txn.builder().kv.get(`${p}a//b`).kv.get(`${p}bin`).kv.getTree(p), { consistency: 'consistent' });
    // a read-only transaction is answered like a read (leader headers)
    expect(read.meta.knownLeader).toBe(true);
    expect(text(read.data.kv[0]!.Value)).toBe('double');
    expect(read.data.kv[0]!.Flags).toBe(MAX_U64);
    expect(read.data.kv[1]!.Value).toEqual(bytes);
    // get-tree gives one result per key: 3 operations, 2 + 4 results
    expect(read.data.kv).toHaveLength(6);
    expect(read.data.results.every((r) => 'KV' in r)).toBe(true);
    expect(read.data.kv.slice(2).find((kv) => kv.Key === `${p}./..`)?.Flags).toBe(7n);
  });

  it('gives no results for deletes (results are not 1:1 with operations)', async () => {
    const p = uniquePrefix('txn-del');
    await txn.run(client, txn.builder().kv.set(`${p}a`, '1').kv.set(`${p}b`, '2').kv.set(`${p}t/x`, '3').kv.set(`${p}t/y`, '4'));
    const { data: b } = await txn.run(client, txn.builder().kv.get(`${p}b`));
    const { data } = await txn.run(
      client,
      txn.builder().kv.delete(`${p}a`).kv.deleteCas(`${p}b`, b.kv[0]!.ModifyIndex).kv.deleteTree(`${p}t/`).kv.checkNotExists(`${p}a`),
    );
    expect(data.results).toEqual([]);
    expect(await rawKeys(p)).toEqual([]);
  });

  it('rolls everything back on a failed condition and reports OpIndex and What', async () => {
    const p = uniquePrefix('txn-fail');
    await txn.run(client, txn.builder().kv.set(`${p}k`, 'v1'));
    const { data } = await txn.run(client, txn.builder().kv.get(`${p}k`));
    const index = data.kv[0]!.ModifyIndex;
    const t = txn
      .builder()
      .kv.set(`${p}other`, 'must not be written')
      .kv.cas(`${p}k`, 'v2', index + 1000)
      .kv.checkNotExists(`${p}k`);
    const error = await txn.run(client, t).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionError);
    expect(isTransactionError(error)).toBe(true);
    const errors = (error as TransactionError).errors;
    expect(errors.map((e) => e.OpIndex)).toEqual([1, 2]);
    expect(errors[0]!.What).toMatch(/index is stale/);
    expect(errors[1]!.What).toMatch(/exists/);
    expect(await rawKeys(`${p}other`)).toEqual([]);

    // cas with the right index applies; cas 0 means "only if absent"
    const ok = await txn.run(client, txn.builder().kv.checkIndex(`${p}k`, index).kv.cas(`${p}k`, 'v2', index).kv.cas(`${p}new`, 'n', 0));
    expect(ok.data.kv.map((kv) => kv.Key)).toEqual([`${p}k`, `${p}k`, `${p}new`]);
    expect(ok.data.kv[1]!.ModifyIndex).toBeGreaterThan(index);
  });

  it('tryRun returns { ok: false, errors } instead of throwing, and { ok: true, … } on success', async () => {
    const p = uniquePrefix('txn-try');
    const failed = await txn.tryRun(client, txn.builder().kv.get(`${p}missing`));
    expect(failed.data.ok).toBe(false);
    if (!failed.data.ok) {
      expect(failed.data.errors).toHaveLength(1);
      expect(failed.data.errors[0]!.OpIndex).toBe(0);
    }
    const ok = await txn.tryRun(client, [{ KV: { Verb: 'set', Key: `${p}x`, Value: 'y' } }]);
    expect(ok.data.ok).toBe(true);
    if (ok.data.ok) expect(ok.data.kv[0]!.Key).toBe(`${p}x`);
  });

  it('locks, checks and unlocks with a session', async () => {
    const p = uniquePrefix('txn-lock');
    const session = ((await (await raw('/v1/session/create', { method: 'PUT', body: '{"LockDelay":"0s"}' })).json()) as { ID: string }).ID;
    try {
      const locked = await txn.run(client, txn.builder().kv.lock(`${p}l`, 'held', session).kv.checkSession(`${p}l`, session).kv.get(`${p}l`));
      expect(locked.data.kv[1]!.Session).toBe(session);
      expect(locked.data.kv[1]!.LockIndex).toBe(1);
      const other = await txn.tryRun(client, txn.builder().kv.checkSession(`${p}l`, '00000000-0000-0000-0000-000000000000'));
      expect(other.data.ok).toBe(false);
      await txn.run(client, txn.builder().kv.unlock(`${p}l`, 'free', session));
      const after = await txn.run(client, txn.builder().kv.get(`${p}l`));
      expect(after.data.kv[0]!.Session).toBeUndefined();
      expect(text(after.data.kv[0]!.Value)).toBe('free');
    } finally {
      await raw(`/v1/session/destroy/${session}`, { method: 'PUT' });
    }
  });
});

describe('txn builder: node, service and check', () => {
  const node = `txn-node-${process.pid}-${Date.now().toString(36)}`;
  afterAll(async () => {
    await raw('/v1/catalog/deregister', { method: 'PUT', body: JSON.stringify({ Node: node }) });
  });

  it('registers a node, service and check atomically, reads, cas-updates and deletes them', async () => {
    const { data } = await txn.run(
      client,
      txn
        .builder()
        .node.set({ Node: node, Address: '10.1.2.3', Meta: { rack: 'r1' } })
        .service.set(node, { ID: 'web-1', Service: 'txn-web', Port: 8080, Tags: ['v1'] })
        .check.set({ Node: node, CheckID: 'web-1-alive', Name: 'alive', Status: 'passing', ServiceID: 'web-1' }),
    );
    expect(data.nodes[0]).toMatchObject({ Node: node, Address: '10.1.2.3', Meta: { rack: 'r1' } });
    expect(data.services[0]).toMatchObject({ ID: 'web-1', Service: 'txn-web', Port: 8080, Tags: ['v1'] });
    expect(data.checks[0]).toMatchObject({ CheckID: 'web-1-alive', Status: 'passing', ServiceName: 'txn-web' });
    expect(data.results.map((r) => Object.keys(r)[0])).toEqual(['Node', 'Service', 'Check']);

    // the catalog sees them (raw HTTP)
    const catalog = (await (await raw(`/v1/catalog/node/${node}`)).json()) as { Services: Record<string, { Port: number }> };
    expect(catalog.Services['web-1']!.Port).toBe(8080);

    const got = await txn.run(client, txn.builder().node.get(node).service.get(node, 'web-1').check.get(node, 'web-1-alive'));
    const serviceIndex = got.data.services[0]!.ModifyIndex;
    // a stale cas fails atomically
    const stale = await txn.tryRun(client, txn.builder().service.cas(node, { ID: 'web-1', Service: 'txn-web', Port: 9090 }, serviceIndex + 1000));
    expect(stale.data.ok).toBe(false);
    const cas = await txn.run(client, txn.builder().service.cas(node, { ID: 'web-1', Service: 'txn-web', Port: 9090 }, serviceIndex));
    expect(cas.data.services[0]!.Port).toBe(9090);

    const checkIndex = got.data.checks[0]!.ModifyIndex;
    const deleted = await txn.run(
      client,
      txn.builder().check.deleteCas(node, 'web-1-alive', checkIndex).service.delete(node, { ID: 'web-1', Service: 'txn-web' }),
    );
    expect(deleted.data.results).toEqual([]);
    const left = (await (await raw(`/v1/catalog/node/${node}`)).json()) as { Services: Record<string, unknown> };
    expect(left.Services).toEqual({});
    await txn.run(client, txn.builder().node.delete(node));
    expect(await (await raw(`/v1/catalog/node/${node}`)).json()).toBeNull();
  });
});

describe('txn validation (nothing is sent)', () => {
  it('refuses more than 64 operations, unknown verbs, missing indexes and bad values before sending', async () => {
    const { client: counted, calls } = countingClient();
    const p = uniquePrefix('txn-invalid');
    const many: TxnOperation[] = Array.from({ length: 65 }, (_, i) => ({ KV: { Verb: 'set', Key: `${p}${i}`, Value: 'x' } }));
    await expect(txn.run(counted, many)).rejects.toSatisfy(isInputError);
    await expect(txn.run(counted, many)).rejects.toThrow(/at most 64 operations, got 65; use runBatches/);
    await expect(txn.run(counted, [])).rejects.toSatisfy(isInputError);
    // 1.8.7 has no check-exists / get-or-empty
    const newer = [{ KV: { Verb: 'check-exists', Key: `${p}a` } }] as unknown as TxnOperation[];
    await expect(txn.run(counted, newer)).rejects.toThrow(/not a KV verb Consul 1\.8\.7 knows/);
    await expect(txn.run(counted, [{ KV: { Verb: 'cas', Key: `${p}a`, Value: 'v' } }])).rejects.toThrow(/needs an Index/);
    await expect(txn.run(counted, [{ KV: { Verb: 'lock', Key: `${p}a`, Value: 'v' } }])).rejects.toThrow(/needs a Session/);
    await expect(txn.run(counted, txn.builder().kv.set(`${p}a`, 'v', { flags: MAX_U64 + 1n }))).rejects.toThrow(/uint64/);
    await expect(txn.run(counted, txn.builder().kv.set(`${p}a`, 'v', { flags: 2 ** 60 }))).rejects.toThrow(/bigint/);
    await expect(txn.run(counted, txn.builder().kv.set(`${p}a`, new Uint8Array(512 * 1024 + 1)))).rejects.toThrow(/512 KiB/);
    await expect(txn.run(counted, txn.builder().node.cas({ Node: 'n' }, -1))).rejects.toSatisfy(isInputError);
    await expect(txn.run(counted, [{ Node: { Verb: 'delete-cas', Node: { Node: 'n' } } }])).rejects.toThrow(/needs a ModifyIndex/);
    // an invalid operation late in the list stops the whole list
    await expect(txn.run(counted, txn.builder().kv.set(`${p}ok`, 'v').add({ Check: { Verb: 'get', Check: { Node: '', CheckID: 'c' } } }))).rejects.toThrow(/operation 1/);
    expect(calls()).toBe(0);
  });
});

describe('txn batches', () => {
  it('splits by operation count and by encoded size', () => {
    const ops = (n: number, size: number): TxnOperation[] =>
      Array.from({ length: n }, (_, i) => ({ KV: { Verb: 'set', Key: `k${i}`, Value: new Uint8Array(size) } }));
    expect(txn.splitBatches(ops(150, 1)).map((b) => b.length)).toEqual([64, 64, 22]);
    expect(txn.splitBatches(ops(150, 1), { maxOps: 50 }).map((b) => b.length)).toEqual([50, 50, 50]);
    // 200 KiB values encode to ~273 KiB of base64: only one fits in 512 KiB
    expect(txn.splitBatches(ops(3, 200 * 1024)).map((b) => b.length)).toEqual([1, 1, 1]);
    expect(txn.splitBatches(ops(5, 100 * 1024)).map((b) => b.length)).toEqual([3, 2]);
    expect(() => txn.splitBatches(ops(1, 1), { maxOps: 65 })).toThrow(/maxOps/);
    expect(() => txn.splitBatches(ops(1, 400 * 1024))).toThrow(/alone encodes to/);
  });

  it('runs 150 operations as 3 atomic batches against the real 64-op and 512 KiB limits', async () => {
    const p = uniquePrefix('txn-batch');
    const ops: TxnOperation[] = Array.from({ length: 150 }, (_, i) => ({ KV: { Verb: 'set', Key: `${p}${String(i).padStart(3, '0')}`, Value: `v${i}` } }));
    const { data } = await txn.runBatches(client, ops);
    expect(data.ok).toBe(true);
    expect(data.applied).toBe(150);
    expect(data.batches.map((b) => [b.start, b.end, b.status])).toEqual([[0, 64, 'applied'], [64, 128, 'applied'], [128, 150, 'applied']]);
    expect(data.batches[2]!.results!.kv).toHaveLength(22);
    expect(await rawKeys(p)).toHaveLength(150);

    // five 100 KiB values cannot go in one request (Consul: 413 above 512 KiB); batches by size can
    const big = Array.from({ length: 5 }, (_, i) => ({ KV: { Verb: 'set' as const, Key: `${p}big/${i}`, Value: new Uint8Array(100 * 1024).fill(i) } }));
    const sized = await txn.runBatches(client, big);
    expect(sized.data.ok).toBe(true);
    expect(sized.data.batches.map((b) => b.end - b.start)).toEqual([3, 2]);
    const back = await txn.run(client, txn.builder().kv.get(`${p}big/4`));
    expect(back.data.kv[0]!.Value).toEqual(new Uint8Array(100 * 1024).fill(4));
  });

  it('reports exactly what was applied when a batch is rolled back, and skips the rest', async () => {
    const p = uniquePrefix('txn-batch-fail');
    const ops: TxnOperation[] = Array.from({ length: 140 }, (_, i) => ({ KV: { Verb: 'set', Key: `${p}${String(i).padStart(3, '0')}`, Value: 'v' } }));
    ops[100] = { KV: { Verb: 'check-not-exists', Key: `${p}000` } }; // exists by then: batch 2 fails
    const { data } = await txn.runBatches(client, ops);
    expect(data.ok).toBe(false);
    expect(data.applied).toBe(64);
    expect(data.batches.map((b) => b.status)).toEqual(['applied', 'rolled-back', 'skipped']);
    expect(data.batches[1]!.errors).toEqual([{ OpIndex: 100, What: expect.stringMatching(/exists/) }]);
    const keys = await rawKeys(p);
    expect(keys).toHaveLength(64);
    expect(keys.at(-1)).toBe(`${p}063`);

    const more = await txn.runBatches(client, ops, { continueOnError: true });
    expect(more.data.batches.map((b) => b.status)).toEqual(['applied', 'rolled-back', 'applied']);
    expect(more.data.applied).toBe(64 + 12);
  });
});

describe('txn facade', () => {
  let consul: Consul;
  beforeAll(() => {
    consul = new Consul({ address: inject('consulAddress') });
  });

  it('binds run, tryRun, runBatches and exposes builder/splitBatches', async () => {
    const p = uniquePrefix('txn-facade');
    const t = consul.txn.builder().kv.set(`${p}a`, 'A').kv.get(`${p}a`);
    const { data } = await consul.txn.run(t);
    expect(text(data.kv[1]!.Value)).toBe('A');
    expect((await consul.txn.tryRun(consul.txn.builder().kv.get(`${p}none`))).data.ok).toBe(false);
    expect((await consul.txn.runBatches(t.ops)).data.applied).toBe(2);
    expect(consul.txn.splitBatches(t)).toHaveLength(1);
  });
});
