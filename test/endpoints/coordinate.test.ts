// Network coordinates against a real Consul agent, and the RTT computation against serf's own
// test vectors. A 1-node -dev agent has no LAN coordinates of its own: the tests give coordinates
// to external catalog nodes with update() and read them back.
import { describe, expect, it } from 'vitest';
import * as agent from '../../src/endpoints/agent.ts';
import * as catalog from '../../src/endpoints/catalog.ts';
import * as coordinate from '../../src/endpoints/coordinate.ts';
import { Consul, isInputError, type Client, type Coord } from '../../src/index.ts';
import { testClient, uniqueName } from '../support/client.ts';
import { rejection } from '../support/async.ts';

const client = testClient();

const uid = (name: string): string => uniqueName(name);

function coord(vec: number[], extra: Partial<Coord> = {}): Coord {
  return { Vec: vec, Error: 1.5, Adjustment: 0, Height: 0, ...extra };
}

describe('coordinate reads and updates', () => {
  it('datacenters() has the WAN coordinate of this datacenter\'s server (the origin on a fresh agent)', async () => {
    const { data } = await coordinate.datacenters(client);
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({ Datacenter: 'dc1', AreaID: 'wan' });
    const [server] = data[0]!.Coordinates;
    expect(server!.Node).toBe((await agent.self(client)).data.Config.NodeName);
    expect(server!.Coord.Vec).toHaveLength(8);
    expect(typeof server!.Coord.Error).toBe('number');
    expect(typeof server!.Coord.Height).toBe('number');
  });

  it('nodes() is an array of entries; node() of a node without coordinates is undefined (404)', async () => {
    const { data, meta } = await coordinate.nodes(client);
    expect(Array.isArray(data)).toBe(true);
    for (const entry of data) expect(entry.Coord.Vec).toHaveLength(8);
    expect(typeof meta.index).toBe('bigint');
    const missing = await coordinate.node(client, uid('nocoord'));
    expect(missing.data).toBeUndefined();
    expect(missing.meta.status).toBe(404);
  });

  it('update() sets nodes\' coordinates; node()/nodes() read them back; rtt() computes their distance', async () => {
    const a = uid('coord-a');
    const b = uid('coord-b');
    await catalog.register(client, { Node: a, Address: '10.5.0.1' });
    await catalog.register(client, { Node: b, Address: '10.5.0.2' });
    try {
      const ca = coord([0.003, 0, 0, 0, 0, 0, 0, 0], { Height: 0.0001 });
      const cb = coord([0, 0.004, 0, 0, 0, 0, 0, 0], { Height: 0.0002, Adjustment: 0.0005 });
      expect((await coordinate.update(client, { Node: a, Coord: ca })).meta.status).toBe(200);
      await coordinate.update(client, { Node: b, Segment: '', Coord: cb });
      // the servers apply coordinate updates in batches: wait for both with blocking reads
      let index = 0n;
      let entries = (await coordinate.nodes(client)).data;
      while (!(entries.some((e) => e.Node === a) && entries.some((e) => e.Node === b))) {
        const next = await coordinate.nodes(client, { index, wait: '5s' });
        entries = next.data;
        index = next.meta.index!;
      }
      const { data: readA } = await coordinate.node(client, a);
      expect(readA).toEqual([{ Node: a, Segment: '', Coord: ca }]);
      const entryB = entries.find((e) => e.Node === b)!;
      expect(entryB.Coord).toEqual(cb);
      // |(0.003, -0.004)| = 0.005 s, + heights 0.0003 + adjustment 0.0005 = 5.8 ms
      expect(coordinate.rtt(readA![0], entryB)).toBeCloseTo(5.8, 9);
      expect(coordinate.rtt(readA![0]!.Coord, cb)).toBe(coordinate.rtt(entryB, readA![0]));
    } finally {
      await catalog.deregister(client, { Node: a });
      await catalog.deregister(client, { Node: b });
    }
  });

  it('update() refuses a malformed coordinate before sending', async () => {
    const urls: string[] = [];
    const rec: Client = testClient({ fetch: (input, init) => (urls.push(String(input)), fetch(input, init)) });
    const bad = coord([0, Number.NaN]);
    const error = await rejection(coordinate.update(rec, { Node: 'n', Coord: bad }));
    expect(isInputError(error)).toBe(true);
    expect((error as Error).message).toMatch(/entry\.Coord\.Vec must be an array of finite numbers/);
    expect(isInputError(await rejection(coordinate.update(rec, { Node: '', Coord: coord([0]) })))).toBe(true);
    expect(urls).toEqual([]);
  });
});

describe('rtt() (serf coordinate test vectors)', () => {
  // serf/coordinate TestCoordinate_DistanceTo: 3 dimensions, HeightMin 0
  const c1 = coord([-0.5, 1.3, 2.4]);
  const c2 = coord([1.2, -2.3, 3.4]);
  const base = 4.104875150354758; // seconds

  it('is zero to itself and symmetric', () => {
    expect(coordinate.rtt(c1, c1)).toBe(0);
    expect(coordinate.rtt(c1, c2)).toBe(coordinate.rtt(c2, c1));
  });

  it('is the Euclidean distance, in milliseconds, truncated to whole nanoseconds like Go\'s time.Duration', () => {
    expect(coordinate.rtt(c1, c2)).toBe(4104.87515);
    expect(coordinate.rtt(c1, c2)).toBeCloseTo(base * 1000, 5);
    expect(coordinate.rtt(coord([1.0000000009]), coord([0]))).toBe(1000);
  });

  it('ignores negative adjustments, adds positive ones, and adds both heights', () => {
    expect(coordinate.rtt({ ...c1, Adjustment: -1e6 }, c2)).toBe(4104.87515);
    expect(coordinate.rtt({ ...c1, Adjustment: 0.1 }, { ...c2, Adjustment: 0.2 })).toBeCloseTo((base + 0.3) * 1000, 5);
    expect(coordinate.rtt({ ...c1, Adjustment: 0.1, Height: 0.7 }, { ...c2, Adjustment: 0.2, Height: 0.1 })).toBeCloseTo((base + 0.3 + 0.8) * 1000, 5);
  });

  it('is Infinity when a coordinate is missing, and refuses different dimensions', () => {
    expect(coordinate.rtt(undefined, c1)).toBe(Number.POSITIVE_INFINITY);
    expect(coordinate.rtt(c1, null)).toBe(Number.POSITIVE_INFINITY);
    let error: unknown;
    try {
      coordinate.rtt(c1, coord([0, 0, 0, 0]));
    } catch (e) {
      error = e;
    }
    expect(isInputError(error)).toBe(true);
    expect((error as Error).message).toMatch(/different dimensions \(3 and 4\)/);
  });

  it('the Consul facade exposes coordinate (rtt unbound)', async () => {
    const consul = new Consul(client);
    expect(consul.coordinate.rtt(c1, c2)).toBe(4104.87515);
    expect((await consul.coordinate.datacenters()).data[0]?.Datacenter).toBe('dc1');
  });
});
