// Service discovery (recipes/discovery.ts) against the run's real agent: three instances of a service with TTL
// checks in front of three local HTTP servers; a loop keeps sending requests while instances go critical and
// come back, and while one server is closed (connection refused → the next instance).
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { discovery } from '../../src/recipes/discovery.ts';
import type { ServiceDiscovery, ServiceInstance } from '../../src/recipes/discovery.ts';
import { isInputError, isNetworkError, isNoInstancesError } from '../../src/index.ts';
import { startCountingProxy } from '../support/counting-proxy.mjs';
import { testClient, raw, uniqueName } from '../support/client.ts';
import { eventually, rejection } from '../support/async.ts';

/** A local HTTP server answering `served by <name>`. */
async function startServer(name: string): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`served by ${name} ${req.method} ${req.url}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  let closed = false;
  return {
    server,
    port,
    close: async () => {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const put = async (path: string, body?: unknown): Promise<void> => {
  const response = await raw(path, body === undefined ? { method: 'PUT' } : { method: 'PUT', body: JSON.stringify(body) });
  expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200);
};
const setCheck = (id: string, status: 'pass' | 'fail'): Promise<void> => put(`/v1/agent/check/${status}/service:${id}`);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Registers `count` instances of a new service, each in front of its own server, all passing. */
async function fleet(count: number, tags: string[] = []): Promise<{ name: string; ids: string[]; servers: Awaited<ReturnType<typeof startServer>>[] }> {
  const name = uniqueName('discovery');
  const ids: string[] = [];
  const servers: Awaited<ReturnType<typeof startServer>>[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${name}-${i}`;
    const server = await startServer(id);
    cleanups.push(() => server.close());
    await put('/v1/agent/service/register', { Name: name, ID: id, Address: '127.0.0.1', Port: server.port, Tags: tags, Check: { TTL: '60s' } });
    cleanups.push(() => put(`/v1/agent/service/deregister/${id}`));
    await setCheck(id, 'pass');
    ids.push(id);
    servers.push(server);
  }
  return { name, ids, servers };
}

const idsOf = (set: readonly ServiceInstance[]): string[] => set.map((i) => i.entry.Service.ID).sort();

describe('discovery: a live, healthy instance set', () => {
  it('keeps every request succeeding while instances go critical, come back, and one stops accepting connections', async () => {
    const { name, ids, servers } = await fleet(3);
    const sets: string[][] = [];
    const connectionFailures: string[] = [];
    const send = async (input: string, init?: RequestInit): Promise<Response> => {
      try {
        return await fetch(input, init);
      } catch (error) {
        connectionFailures.push(new URL(input).port);
        throw error;
      }
    };
    const web = discovery(testClient(), name, { wait: '5s', minInterval: 10, fetch: send, onChange: (set) => sets.push(idsOf(set)) });
    cleanups.push(() => web.stop());
    expect(idsOf(await web.ready())).toEqual(ids);

    // the load: sequential requests, each checked against the set known when it was sent
    let sent = 0;
    let succeeded = 0;
    const wrong: string[] = [];
    let running = true;
    const served = new Map<string, number>();
    const load = (async () => {
      while (running) {
        const known = idsOf(web.instances());
        sent++;
        const response = await web.fetch(`/work?n=${sent}`);
        const body = await response.text();
        const by = /^served by (\S+) GET \/work\?n=\d+$/.exec(body)?.[1];
        if (response.status === 200 && by !== undefined) succeeded++;
        if (by === undefined || !known.includes(by)) wrong.push(`${sent}: ${body} (set ${known.join(',')})`);
        served.set(by ?? '?', (served.get(by ?? '?') ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    const settle = async (expected: string[]): Promise<void> => {
      await eventually(async () => expect(idsOf(web.instances())).toEqual(expected), 10_000);
      const before = sent;
      await eventually(async () => expect(sent - before).toBeGreaterThanOrEqual(20)); // traffic on this set
    };

    await settle(ids);
    await setCheck(ids[0]!, 'fail');
    await settle([ids[1]!, ids[2]!]);
    await setCheck(ids[0]!, 'pass');
    await settle(ids);
    await setCheck(ids[1]!, 'fail');
    await setCheck(ids[2]!, 'fail');
    await settle([ids[0]!]);
    await setCheck(ids[1]!, 'pass');
    await setCheck(ids[2]!, 'pass');
    await settle(ids);
    // a server goes away while its check still passes: its requests fail to connect and go to the next instance
    await servers[2]!.close();
    const failuresBefore = connectionFailures.length;
    const sentBefore = sent;
    await eventually(async () => expect(sent - sentBefore).toBeGreaterThanOrEqual(60));
    running = false;
    await load;

    console.log(
      `discovery under flapping: ${sent} requests sent, ${succeeded} succeeded; ${sets.length} sets seen ` +
        `(${sets.map((s) => s.length).join(' → ')}); ${connectionFailures.length} connection failures failed over; served ${JSON.stringify(Object.fromEntries(served))}`,
    );
    expect(succeeded).toBe(sent);
    expect(wrong).toEqual([]);
    // the set followed health: each state the test waited for was seen, in order (two checks changed one after
    // the other may show the state between them too)
    const [a, b, c] = ids as [string, string, string];
    const milestones = [[a, b, c], [b, c], [a, b, c], [a], [a, b, c]];
    let next = 0;
    for (const set of sets) if (next < milestones.length && JSON.stringify(set) === JSON.stringify(milestones[next])) next++;
    expect(next, JSON.stringify(sets)).toBe(milestones.length);
    expect(sets.length).toBeLessThanOrEqual(milestones.length + 2);
    // round-robin reached the closed server's turn about every third request, and each such request went on
    expect(connectionFailures.length - failuresBefore).toBeGreaterThanOrEqual(15);
    expect(new Set(connectionFailures)).toEqual(new Set([String(servers[2]!.port)]));
  });

  it('says so when the set is empty, and when no read has answered yet', async () => {
    const { name, ids } = await fleet(2);
    const web = discovery(testClient(), name, { wait: '5s', minInterval: 10 });
    cleanups.push(() => web.stop());
    const early = rejection(web.fetch('/early'));
    expect(isNoInstancesError(await early)).toBe(true);
    expect((await early as Error).message).toMatch(new RegExp(`no instances of service "${name}" \\(passing\\) known yet`));
    await web.ready();
    for (const id of ids) await setCheck(id, 'fail');
    await eventually(async () => expect(web.instances()).toEqual([]));
    const error = await rejection(Promise.resolve().then(() => web.pick()));
    expect(isNoInstancesError(error)).toBe(true);
    expect((error as Error).message).toBe(`no instances of service "${name}" (passing): the last known set is empty`);
    expect(isNoInstancesError(await rejection(web.fetch('/x')))).toBe(true);
    // passing: false keeps critical instances
    const all = discovery(testClient(), name, { passing: false });
    cleanups.push(() => all.stop());
    expect(idsOf(await all.ready())).toEqual(ids);
  });

  it('moves any request past instances it certainly did not reach (connection refused), and names every instance it tried', async () => {
    const { name, servers } = await fleet(3);
    for (const server of servers) await server.close();
    const web = discovery(testClient(), name, { minInterval: 10 });
    cleanups.push(() => web.stop());
    await web.ready();
    const post = await rejection(web.fetch('/orders', { method: 'POST', body: '{}' }));
    expect(isNetworkError(post)).toBe(true);
    expect((post as Error).message).toMatch(/^POST \/orders to service ".*" \(passing\) failed to connect to each of 3 instances: (127\.0\.0\.1:\d+ \(ECONNREFUSED\)(, )?){3}$/);
    const get = await rejection(web.fetch('/orders'));
    expect((get as Error).message).toMatch(/failed to connect to each of 3 instances: (127\.0\.0\.1:\d+ \(ECONNREFUSED\)(, )?){3}$/);
    expect(((get as Error).cause as AggregateError).errors).toHaveLength(3);
    const optedOut = await rejection(web.fetch('/orders', { method: 'DELETE', idempotent: false }));
    expect((optedOut as Error).message).toMatch(/each of 3 instances/);
    // an aborted request is not a connection failure: its own error, no failover
    const aborted = await rejection(web.fetch('/slow', { signal: AbortSignal.abort() }));
    expect((aborted as Error).name).toBe('AbortError');
    expect(isInputError(await rejection(web.fetch('relative')))).toBe(true);
    expect(isInputError(await rejection(web.fetch('/x', { method: 'GET', body: 'no' })))).toBe(true);
  });

  it('sends a request that is not idempotent to no other instance after one that may have reached its instance (reset after connecting)', async () => {
    const name = uniqueName('discovery-reset');
    let requests = 0;
    for (let i = 0; i < 3; i++) {
      // accepts the connection, reads the request, then resets it: the request may have been acted on
      const server = createNetServer((socket) => socket.once('data', () => {
        requests++;
        socket.resetAndDestroy();
      }));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      const id = `${name}-${i}`;
      await put('/v1/agent/service/register', { Name: name, ID: id, Address: '127.0.0.1', Port: (server.address() as { port: number }).port, Check: { TTL: '60s' } });
      cleanups.push(() => put(`/v1/agent/service/deregister/${id}`));
      await setCheck(id, 'pass');
    }
    const web = discovery(testClient(), name, { minInterval: 10 });
    cleanups.push(() => web.stop());
    await web.ready();
    const post = await rejection(web.fetch('/orders', { method: 'POST', body: '{}' }));
    expect(isNetworkError(post)).toBe(true);
    expect((post as Error).message).toMatch(/failed to connect to its instance: 127\.0\.0\.1:\d+ \(\w+\); it may have been reached, so no other instance was tried: POST is not idempotent \(pass idempotent: true to allow it\)$/);
    expect(requests).toBe(1);
    const optedIn = await rejection(web.fetch('/orders', { method: 'POST', body: '{}', idempotent: true }));
    expect((optedIn as Error).message).toMatch(/each of 3 instances/);
    expect(requests).toBe(4);
    const get = await rejection(web.fetch('/orders'));
    expect((get as Error).message).toMatch(/each of 3 instances/);
  });

  it('sends a POST to one live instance and returns its answer whatever the status', async () => {
    const { name } = await fleet(1);
    const web = discovery(testClient(), name);
    cleanups.push(() => web.stop());
    await web.ready();
    const response = await web.fetch('/orders?x=1', { method: 'POST', body: 'payload' });
    expect(await response.text()).toBe(`served by ${name}-0 POST /orders?x=1`);
  });

  it('picks round-robin, at random, or nearest first (asking Consul to sort by RTT from the agent)', async () => {
    const { name, ids } = await fleet(3, ['v2']);
    const roundRobin = discovery(testClient(), name, { tag: 'v2' });
    cleanups.push(() => roundRobin.stop());
    await roundRobin.ready();
    const turns = Array.from({ length: 6 }, () => roundRobin.pick().entry.Service.ID);
    expect(new Set(turns.slice(0, 3)).size).toBe(3);
    expect(turns.slice(3)).toEqual(turns.slice(0, 3));

    const random = discovery(testClient(), name, { strategy: 'random' });
    cleanups.push(() => random.stop());
    await random.ready();
    const picked = new Set(Array.from({ length: 200 }, () => random.pick().entry.Service.ID));
    expect([...picked].sort()).toEqual(ids);

    // near=_agent on the wire (Consul sorts the set by RTT from that node); the first is always picked
    const proxy = await startCountingProxy(new URL(inject('consulAddress')).host);
    cleanups.push(() => proxy.close());
    const nearest = discovery(testClient({ address: proxy.address }), name, { strategy: 'nearest' });
    cleanups.push(() => nearest.stop());
    const set = await nearest.ready();
    expect(proxy.requests[0]!.path).toMatch(new RegExp(`^/v1/health/service/${name}\\?.*near=_agent`));
    expect(proxy.requests[0]!.path).toMatch(/[?&]passing(&|=|$)/);
    expect(new Set(Array.from({ length: 5 }, () => nearest.pick().entry.Service.ID))).toEqual(new Set([set[0]!.entry.Service.ID]));

    // no tag match: an empty set, not an error from Consul
    const none = discovery(testClient(), name, { tag: 'v3' });
    cleanups.push(() => none.stop());
    expect(await none.ready()).toEqual([]);
  });

  it('takes Service.Address, else Node.Address, and brackets IPv6 hosts', async () => {
    const name = uniqueName('discovery-addr');
    await put('/v1/agent/service/register', { Name: name, ID: `${name}-v6`, Address: '::1', Port: 8080 });
    cleanups.push(() => put(`/v1/agent/service/deregister/${name}-v6`));
    await put('/v1/agent/service/register', { Name: name, ID: `${name}-node`, Port: 9090 });
    cleanups.push(() => put(`/v1/agent/service/deregister/${name}-node`));
    const web: ServiceDiscovery = discovery(testClient(), name);
    cleanups.push(() => web.stop());
    const set = await web.ready();
    const byId = Object.fromEntries(set.map((i) => [i.entry.Service.ID, [i.host, i.port, i.authority]]));
    expect(byId).toEqual({ [`${name}-v6`]: ['::1', 8080, '[::1]:8080'], [`${name}-node`]: ['127.0.0.1', 9090, '127.0.0.1:9090'] });
  });

  it('refuses bad input at once', () => {
    expect(() => discovery(testClient(), '')).toThrow(/service must be a non-empty/);
    expect(() => discovery(testClient(), 'web', { strategy: 'fastest' as 'random' })).toThrow(/strategy must be/);
  });
});
