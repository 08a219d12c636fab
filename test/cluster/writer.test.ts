// A sequential writer, connected through a client agent, while the dc1 leader is SIGKILLed: every
// write the client acknowledged is present afterwards, and no write is replayed. Each write creates
// its own key with cas=0 (create only), so a replay of a write that had committed would answer
// "not written", and a late replay of one that had not would create its key after the next one's
// (CreateIndex out of order). Both transports — the core client (fetch) and consulate/node (undici,
// with its own retry loop) — reach c1 through a counting proxy, which counts the PUTs they put on the
// wire: exactly one per write, even for a write that failed, and none sent later (a replay whose first
// attempt was not applied is acknowledged, present once and in order: only this count shows it). On
// the fetch transport the client's fetch also counts the PUTs it is asked for.
import { afterEach, describe, expect, inject, it, onTestFinished } from 'vitest';
import { createClient } from '../../src/index.ts';
import type { Client, FetchLike } from '../../src/index.ts';
import { createNodeClient } from '../../src/node/index.ts';
import { deleteTree, records, set } from '../../src/endpoints/kv.ts';
import { heal, kill, leader } from '../support/cluster.mjs';
import { startCountingProxy } from '../support/counting-proxy.mjs';

const cluster = inject('cluster');
const [c1] = cluster.clients as [(typeof cluster.clients)[0]];

afterEach(() => heal(cluster));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A client at `address` (a proxy to c1), and (fetch transport only) the number of PUTs its fetch was asked for so far. */
type Connect = (address: string) => { client: Client; puts: (() => number) | undefined; close(): Promise<void> };

const transports: [string, Connect][] = [
  [
    'fetch',
    (address) => {
      let puts = 0;
      const counting: FetchLike = (input, init) => {
        const method = input instanceof Request ? input.method : (init?.method ?? 'GET');
        if (method === 'PUT') puts++;
        return fetch(input, init);
      };
      return { client: createClient({ address, fetch: counting, timeout: 15_000 }), puts: () => puts, close: async () => {} };
    },
  ],
  [
    'consulate/node',
    (address) => {
      const client = createNodeClient({ address, timeout: 15_000 });
      return { client, puts: undefined, close: () => client.close() };
    },
  ],
];

describe.each(transports)('over %s', (name, connect) => {
  it('leader killed during a sequential writer: every acknowledged write is there once, in order; none replayed', async () => {
    const prefix = `test/cluster-writer-${process.pid}-${Date.now().toString(36)}/`;
    // the writer reaches c1 through a proxy that counts the requests on the wire, whatever the transport
    const proxy = await startCountingProxy(c1.address);
    onTestFinished(() => proxy.close());
    const { client, puts, close } = connect(proxy.address);
    const path = (i: number): string => `/v1/kv/${prefix}${String(i).padStart(5, '0')}`;
    /** PUTs of write `i` on the wire so far. */
    const sent = (i: number): number => proxy.count({ method: 'PUT', path: path(i) });
    const acknowledged: number[] = [];
    const notWritten: number[] = []; // answered false: the key existed (only a replay could cause it)
    const failed: { i: number; error: string }[] = [];
    let attempts = 0;
    let killedAt: number | undefined; // index of the first write started after the kill
    let killing: Promise<void> | undefined;
    const old = await leader(cluster);
    expect(old).toBeDefined();

    for (let i = 0; ; i++) {
      if (killedAt === undefined && acknowledged.length === 40) {
        killedAt = i;
        killing = kill(old!); // the writer goes on while the leader dies
      }
      if (killedAt !== undefined && acknowledged.filter((n) => n >= killedAt!).length >= 40) break;
      if (i > 2000) throw new Error(`the writer made no progress after the kill: ${JSON.stringify(failed.slice(-3))}`);
      const key = `${prefix}${String(i).padStart(5, '0')}`;
      const before = puts?.();
      attempts++;
      try {
        const { data } = await set(client, key, `write ${i}`, { cas: 0 });
        (data ? acknowledged : notWritten).push(i);
      } catch (error) {
        failed.push({ i, error: (error as Error).message });
        await sleep(100);
      }
      // one request per write, whatever happened to it: on the wire (both transports, their own retries
      // included) and, on the fetch transport, asked of its fetch
      expect(sent(i)).toBe(1);
      if (puts) expect(puts() - before!).toBe(1);
    }
    await killing;
    await close();
    if (puts) expect(puts()).toBe(attempts);
    // every write sent exactly once, nothing replayed later, nothing else sent
    const wire = proxy.routes();
    console.log(`[writer, ${name}] on the wire: ${proxy.count()} requests (${proxy.count({ method: 'PUT' })} PUTs) for ${attempts} writes, on ${proxy.connections} connections`);
    expect(wire).toEqual(Object.fromEntries(Array.from({ length: attempts }, (_, i) => [`PUT ${path(i)}`, 1])));
    expect(proxy.errors).toEqual([]);
    expect(notWritten).toEqual([]);
    console.log(`[writer, ${name}] ${acknowledged.length} acknowledged, ${failed.length} failed around the kill: ${[...new Set(failed.map((f) => f.error.replace(/^PUT \S+ /, '').slice(0, 90)))].join(' | ')}`);

    const reader = createClient({ address: c1.address });
    const { data } = await records(reader, prefix, { consistency: 'consistent' });
    const present = data.map((p) => Number(p.Key.slice(prefix.length)));
    // every acknowledged write is there; anything else there is a write whose outcome the client did not know
    expect(present.filter((i) => acknowledged.includes(i))).toEqual(acknowledged);
    const failedIds = failed.map((f) => f.i);
    expect(present.every((i) => acknowledged.includes(i) || failedIds.includes(i))).toBe(true);
    console.log(`[writer, ${name}] of the ${failed.length} failed writes, ${failedIds.filter((i) => present.includes(i)).length} were applied anyway`);
    // each once (one key per write), with its own value, created in the order they were written
    expect(data.every((p, n) => Buffer.from(p.Value).toString() === `write ${present[n]}`)).toBe(true);
    const createIndexes = data.map((p) => p.CreateIndex);
    expect([...createIndexes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(createIndexes);
    expect(new Set(createIndexes).size).toBe(createIndexes.length);
    await deleteTree(reader, prefix);
  });
});
