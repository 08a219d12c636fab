// A watch through client agent c1 across the loss of the dc1 leader and a SIGKILL + restart of c1
// itself, while a writer (through c2) changes the key in lockstep: the watch sees every value once,
// in order (no duplicate, no missed change — one value is written while c1 is down), and does not
// spin (on the fetch transport, its fetch counts the requests it makes). Both transports: the core
// client (fetch) and consulate/node (undici).
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createClient, watch } from '../../src/index.ts';
import type { Client, FetchLike } from '../../src/index.ts';
import { createNodeClient } from '../../src/node/index.ts';
import { deleteTree, get, set } from '../../src/endpoints/kv.ts';
import { heal, kill, leader, restart } from '../support/cluster.mjs';

const cluster = inject('cluster');
const [c1, c2] = cluster.clients as [(typeof cluster.clients)[0], (typeof cluster.clients)[0]];

afterEach(() => heal(cluster));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A client through c1, and (fetch transport only) the number of requests it sent so far. */
type Connect = () => { client: Client; requests: (() => number) | undefined; close(): Promise<void> };

const transports: [string, Connect][] = [
  [
    'fetch',
    () => {
      let requests = 0;
      const counting: FetchLike = (input, init) => {
        requests++;
        return fetch(input, init);
      };
      return { client: createClient({ address: c1.address, fetch: counting }), requests: () => requests, close: async () => {} };
    },
  ],
  [
    'consulate/node',
    () => {
      const client = createNodeClient({ address: c1.address });
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

    const { client: watcher, requests, close } = connect();
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

    console.log(`[watch, ${name}] ${seen.length} values, ${requests?.() ?? '(uncounted)'} requests, ${errors.length} failed reads: ${errors.map((e) => e.slice(0, 80)).join(' | ')}`);
    expect(seen).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7']);
    expect(indexes.every((index, n) => n === 0 || index > indexes[n - 1]!)).toBe(true);
    // no spin: a few requests per value seen and per failed read (the client's own retries included)
    if (requests) expect(requests()).toBeLessThanOrEqual(4 * (seen.length + errors.length) + 4);
    await deleteTree(writer, key);
  }, 120_000);
});
