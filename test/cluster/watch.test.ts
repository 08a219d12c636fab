// A watch through client agent c1 across the loss of the dc1 leader and a SIGKILL + restart of c1
// itself, while a writer (through c2) changes the key in lockstep: the watch sees every value once,
// in order (no duplicate, no missed change — one value is written while c1 is down), and does not
// spin. Both transports — the core client (fetch) and consulate/node (undici, with its own retry
// loop) — reach c1 through a counting proxy, which counts the requests they put on the wire (their
// retries included); on the fetch transport its fetch also counts the requests it is asked for.
import { afterEach, describe, expect, inject, it, onTestFinished } from 'vitest';
import { createClient, watch } from '../../src/index.ts';
import type { Client, FetchLike } from '../../src/index.ts';
import { createNodeClient } from '../../src/node/index.ts';
import { deleteTree, get, set } from '../../src/endpoints/kv.ts';
import { heal, kill, leader, restart } from '../support/cluster.mjs';
import { startCountingProxy } from '../support/counting-proxy.mjs';

const cluster = inject('cluster');
const [c1, c2] = cluster.clients as [(typeof cluster.clients)[0], (typeof cluster.clients)[0]];

afterEach(() => heal(cluster));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A client at `address` (a proxy to c1), and (fetch transport only) the number of requests its fetch was asked for so far. */
type Connect = (address: string) => { client: Client; requests: (() => number) | undefined; close(): Promise<void> };

const transports: [string, Connect][] = [
  [
    'fetch',
    (address) => {
      let requests = 0;
      const counting: FetchLike = (input, init) => {
        requests++;
        return fetch(input, init);
      };
      return { client: createClient({ address, fetch: counting }), requests: () => requests, close: async () => {} };
    },
  ],
  [
    'consulate/node',
    (address) => {
      const client = createNodeClient({ address });
      return { client, requests: undefined, close: () => client.close() };
    },
  ],
];

describe.each(transports)('over %s', (name, connect) => {
  it('a watch across leader loss and its client agent restart: every change once, in order, no spin', async () => {
    const key = `test/cluster-watch-${process.pid}-${Date.now().toString(36)}`;
    const writer = createClient({ address: c2.address });
    /** The harness's writes retry until Consul acknowledges (the same value again is harmless). */
    const write = async (value: string): Promise<void> => {
      for (;;) {
        try {
          if ((await set(writer, key, value)).data) return;
        } catch {}
        await sleep(200);
      }
    };

    // the watch reaches c1 through a proxy that counts the requests on the wire, whatever the transport;
    // while c1 is down the proxy takes each connection, counts its request and resets it
    const proxy = await startCountingProxy(c1.address);
    onTestFinished(() => proxy.close());
    const { client: watcher, requests, close } = connect(proxy.address);
    const seen: string[] = [];
    const indexes: bigint[] = [];
    const errors: string[] = [];
    const waiters: (() => void)[] = [];
    await write('v0');
    const iterator = watch(watcher, (c, o) => get(c, key, o), {
      wait: '60s',
      backoff: { min: 200, max: 2000 },
      onError: (error) => {
        errors.push((error as Error).message);
      },
    });
    let ended: { error: unknown } | undefined;
    const loop = (async () => {
      try {
        for await (const { data, meta } of iterator) {
          seen.push(data ?? '(missing)');
          indexes.push(meta.index!);
          for (const wake of waiters.splice(0)) wake();
        }
      } catch (error) {
        ended = { error };
        throw error;
      } finally {
        ended ??= { error: 'the watch ended' };
        for (const wake of waiters.splice(0)) wake();
      }
    })();
    /** Resolves once the watch has yielded `value`; rejects if the watch ended first. */
    const seenValue = async (value: string): Promise<void> => {
      while (!seen.includes(value)) {
        if (ended) throw new Error(`the watch ended before yielding ${value}: ${String((ended.error as Error)?.message ?? ended.error)}`);
        await new Promise<void>((r) => waiters.push(r));
      }
    };

    await seenValue('v0');
    for (const v of ['v1', 'v2', 'v3']) {
      await write(v);
      await seenValue(v);
    }
    // the leader dies under the watch's blocking query
    const old = await leader(cluster);
    await kill(old!);
    for (const v of ['v4', 'v5']) {
      await write(v);
      await seenValue(v);
    }
    // the watch's own agent dies; a change is made meanwhile; the agent comes back
    await kill(c1);
    await write('v6');
    await sleep(1000); // the watch is retrying against a dead agent meanwhile
    await restart(c1);
    await seenValue('v6');
    await write('v7');
    await seenValue('v7');
    await iterator.return();
    await loop;
    await close();

    const wire = proxy.count();
    console.log(`[watch, ${name}] ${seen.length} values, ${wire} requests on the wire (${proxy.connections} connections${requests ? `; ${requests()} asked of its fetch` : ''}), ${errors.length} failed reads: ${errors.map((e) => e.slice(0, 80)).join(' | ')}`);
    expect(seen).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7']);
    expect(indexes.every((index, n) => n === 0 || index > indexes[n - 1]!)).toBe(true);
    // no spin: a few requests per value seen and per failed read (the client's own retries included)
    if (requests) expect(requests()).toBeLessThanOrEqual(4 * (seen.length + errors.length) + 4);
    // on the wire, both transports: at least one read per value seen, no spin, and only reads of the key
    expect(wire).toBeGreaterThanOrEqual(seen.length);
    expect(wire).toBeLessThanOrEqual(4 * (seen.length + errors.length) + 4);
    expect(proxy.routes()).toEqual({ [`GET /v1/kv/${key}`]: wire });
    expect(proxy.errors).toEqual([]);
    await deleteTree(writer, key);
  }, 120_000);
});
