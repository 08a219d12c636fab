// Agent failover (`address` as a list) on the loopback cluster, over both transports: the client lists a
// dead address and the two client agents c1 and c2 (they share the servers' KV, so data and raft indexes
// carry over from one to the other). Agents are killed (SIGKILL) and stopped (SIGTERM) under a steady
// read/write load and under a blocking watch; every read and watch update must keep succeeding.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { currentAddressIndex } from '../../src/core/failover.ts';
import * as kv from '../../src/endpoints/kv.ts';
import type { Client, ClientConfig } from '../../src/index.ts';
import { createClient, watch } from '../../src/index.ts';
import { createNodeClient } from '../../src/node/index.ts';
import { deadAddress } from '../support/agent.mjs';
import { heal, kill, restart } from '../support/cluster.mjs';

const cluster = inject('cluster');
const [c1, c2] = cluster.clients as [(typeof cluster.clients)[0], (typeof cluster.clients)[0]];
const s1 = cluster.servers[0]!;

afterEach(() => heal(cluster));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const transports: [string, (config: ClientConfig) => { client: Client; close(): Promise<void> }][] = [
  ['fetch (ky)', (config) => ({ client: createClient(config), close: async () => {} })],
  [
    'consulate/node',
    (config) => {
      const client = createNodeClient(config);
      return { client, close: () => client.close() };
    },
  ],
];

describe.each(transports)('agent failover over %s', (name, connect) => {
  it('reads and writes keep succeeding while the current agent is killed, restarted, and the other stopped', async () => {
    const dead = await deadAddress();
    const { client, close } = connect({ address: [dead, c1.address, c2.address], timeout: 5000 });
    const prefix = `test/cluster-failover-${process.pid}-${Date.now().toString(36)}/`;
    const tally = { reads: 0, writes: 0, failedReads: [] as string[], failedWrites: [] as string[], moves: [] as number[] };
    let running = true;
    const load = (async () => {
      for (let i = 0; running; i++) {
        const key = `${prefix}${i % 8}`;
        try {
          await kv.set(client, key, `v${i}`);
          tally.writes++;
        } catch (error) {
          tally.failedWrites.push((error as Error).message);
          continue;
        }
        try {
          expect((await kv.get(client, key)).data).toBe(`v${i}`);
          tally.reads++;
        } catch (error) {
          tally.failedReads.push((error as Error).message);
        }
        const at = currentAddressIndex(client.config);
        if (tally.moves.at(-1) !== at) tally.moves.push(at);
      }
    })();
    try {
      await sleep(500);
      expect(currentAddressIndex(client.config)).toBe(1); // the dead first address was passed over
      await kill(c1, 'SIGKILL'); // the current agent dies
      await sleep(1000);
      expect(currentAddressIndex(client.config)).toBe(2);
      await restart(c1);
      await sleep(500);
      expect(currentAddressIndex(client.config)).toBe(2); // c2 sticks while it works
      await kill(c2, 'SIGTERM'); // now stop that one: back to c1 (the dead address is tried on the way)
      await sleep(1000);
      expect(currentAddressIndex(client.config)).toBe(1);
    } finally {
      running = false;
      await load;
      await close();
    }
    console.log(
      `failover over ${name}: ${tally.reads} reads and ${tally.writes} writes succeeded while c1 was killed and c2 stopped; ` +
        `${tally.failedReads.length} reads failed, ${tally.failedWrites.length} writes failed (in flight when their agent died: ` +
        `${tally.failedWrites.filter((m) => m.includes('not idempotent')).length} connection lost and not replayed, ` +
        `${tally.failedWrites.filter((m) => m.includes('failed with 500')).length} answered 500 by the dying agent); ` +
        `current address: ${tally.moves.join(' → ')}${tally.failedReads.length ? `; failed reads: ${tally.failedReads.join(' | ')}` : ''}`,
    );
    expect(tally.failedReads).toEqual([]);
    // a write in flight when its agent went down either lost its connection (not replayed: it may have
    // been applied) or got the dying agent's own 500 (its RPC connection to the servers closed first)
    for (const message of tally.failedWrites) {
      expect(message).toMatch(/PUT is not idempotent, so it was not sent again after a possible send$|failed with 500: rpc error making call: EOF$/);
    }
    expect(tally.failedWrites.length).toBeLessThanOrEqual(4);
    expect(tally.reads).toBeGreaterThan(20);
    expect(tally.moves).toEqual([1, 2, 1]);
    await kv.deleteTree(createClient({ address: s1.address }), prefix);
  });

  it('a blocking watch whose agent is killed mid-wait continues on the other agent, missing no change', async () => {
    const { client, close } = connect({ address: [c1.address, c2.address] });
    const writer = createClient({ address: s1.address });
    const key = `test/cluster-failover-watch-${process.pid}-${Date.now().toString(36)}`;
    await kv.set(writer, key, 'v0');
    const seen: string[] = [];
    const errors: unknown[] = [];
    const controller = new AbortController();
    const started = Date.now();
    let killedAt = 0;
    for await (const { data } of watch(client, (c, o) => kv.get(c, key, o), {
      wait: '60s',
      signal: controller.signal,
      onError: (error) => void errors.push(error),
    })) {
      seen.push(data ?? '(none)');
      if (data === 'v0') {
        await sleep(300); // the watch is now blocked on c1
        expect(currentAddressIndex(client.config)).toBe(0);
        killedAt = Date.now();
        await kill(c1, 'SIGKILL');
        await sleep(300);
        await kv.set(writer, key, 'v1');
      } else if (data === 'v1') {
        expect(currentAddressIndex(client.config)).toBe(1);
        await kv.set(writer, key, 'v2'); // the next blocking read is on c2 already
      } else break;
      if (Date.now() - started > 20_000) break;
    }
    await close();
    console.log(`failover over ${name}: the watch saw ${seen.join(', ')} across the SIGKILL of its agent, with ${errors.length} errors (v1 ${Date.now() - killedAt} ms after the kill, round trip included)`);
    expect(seen).toEqual(['v0', 'v1', 'v2']);
    expect(errors).toEqual([]);
    await kv.remove(writer, key);
  });
});
