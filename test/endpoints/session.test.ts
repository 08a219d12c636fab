// Sessions and the periodic renewer against a real Consul agent.
import { describe, expect, inject, it } from 'vitest';
import * as session from '../../src/endpoints/session.ts';
import { renewPeriodically } from '../../src/recipes/renewer.ts';
import { Consul, createClient, isInputError, isNotFoundError, isServerError } from '../../src/index.ts';
import type { FetchLike } from '../../src/index.ts';
import { raw, testClient } from '../support/client.ts';

const client = testClient();
const MISSING = '00000000-0000-4000-8000-000000000000';

async function nodeName(): Promise<string> {
  return ((await (await raw('/v1/agent/self')).json()) as { Config: { NodeName: string } }).Config.NodeName;
}

async function exists(id: string): Promise<boolean> {
  return ((await (await raw(`/v1/session/info/${id}`)).json()) as unknown[]).length > 0;
}

describe('session endpoints', () => {
  it('creates a session with every field and reads it back with read, list and node', async () => {
    const node = await nodeName();
    const name = `consulate-test-full-${crypto.randomUUID()}`;
    const { data: id } = await session.create(client, {
      Name: name,
      Behavior: 'delete',
      Node: node,
      LockDelay: '2s',
      TTL: '30s',
      NodeChecks: ['serfHealth'],
    });
    try {
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const { data: entry, meta } = await session.read(client, id);
      expect(entry).toMatchObject({ ID: id, Name: name, Behavior: 'delete', Node: node, TTL: '30s' });
      expect(entry!.LockDelay).toBe(2_000_000_000); // sent as a Go duration string, stored in ns
      expect(entry!.NodeChecks).toEqual(['serfHealth']);
      expect(meta.index! > 0n).toBe(true);
      expect((await session.list(client)).data.map((s) => s.ID)).toContain(id);
      expect((await session.node(client, node)).data.map((s) => s.ID)).toContain(id);
      // (1.8.7 ignores ?filter on /v1/session/list: it answers every session, so no filter assertion here)
    } finally {
      await session.destroy(client, id);
    }
    expect(await exists(id)).toBe(false);
  });

  it('takes LockDelay as a number the way Consul reads it (nanoseconds), so a read entry can be passed back in', async () => {
    const { data: id } = await session.create(client, { LockDelay: 1_500_000_000, TTL: '10s' });
    const entry = (await session.read(client, id)).data!;
    expect(entry.LockDelay).toBe(1_500_000_000);
    expect(entry.Behavior).toBe('release');
    // the entry as read (ID, CreateIndex… included) creates an equivalent session
    const { data: copyId } = await session.create(client, entry);
    const copy = (await session.read(client, copyId)).data!;
    expect(copy).toMatchObject({ Name: entry.Name, LockDelay: entry.LockDelay, TTL: entry.TTL, Behavior: entry.Behavior, Node: entry.Node });
    await session.destroy(client, copyId);
    await session.destroy(client, id);
  });

  it('takes the sample payload of Consul\'s docs (/v1/session/create) unchanged', async () => {
    // https://developer.hashicorp.com/consul/api-docs/session#sample-payload, verbatim. The node and
    // checks it names must exist (Consul refuses unknown ones, and 1.8.7 also wants the node's
    // serfHealth, which it adds to NodeChecks): register them, passing, first.
    const payload = {
      LockDelay: '15s',
      Name: 'my-service-lock',
      Node: 'foobar',
      Checks: ['a', 'b', 'c'],
      Behavior: 'release',
      TTL: '30s',
    };
    const registered = await raw('/v1/catalog/register', {
      method: 'PUT',
      body: JSON.stringify({
        Node: 'foobar',
        Address: '192.0.2.10',
        Checks: ['serfHealth', 'a', 'b', 'c'].map((CheckID) => ({ Node: 'foobar', CheckID, Name: CheckID, Status: 'passing' })),
      }),
    });
    expect(registered.status).toBe(200);
    try {
      const { data: id } = await session.create(client, payload);
      const { data: entry } = await session.read(client, id);
      expect(entry).toMatchObject({ ID: id, Name: 'my-service-lock', Node: 'foobar', LockDelay: 15_000_000_000, Behavior: 'release', TTL: '30s' });
      await session.destroy(client, id);
    } finally {
      await raw('/v1/catalog/deregister', { method: 'PUT', body: JSON.stringify({ Node: 'foobar' }) });
    }
  });

  it('reports a missing session as undefined from read and renew, [] from node', async () => {
    const info = await session.read(client, MISSING);
    expect(info.data).toBeUndefined();
    expect(info.meta.status).toBe(200);
    const renewed = await session.renew(client, MISSING);
    expect(renewed.data).toBeUndefined();
    expect(renewed.meta.status).toBe(404);
    expect((await session.node(client, 'no-such-node')).data).toEqual([]);
    expect((await session.destroy(client, MISSING)).data).toBe(true);
  });

  it('renews a TTL session and returns it', async () => {
    const { data: id } = await session.create(client, { TTL: '10s' });
    const { data } = await session.renew(client, id);
    expect(data).toMatchObject({ ID: id, TTL: '10s' });
    await session.destroy(client, id);
    expect((await session.renew(client, id)).data).toBeUndefined();
  });

  it('refuses bad TTLs, behaviors, durations and ids before sending', async () => {
    let sent = 0;
    const counting = createClient({
      address: inject('consulAddress'),
      fetch: (input, init) => {
        sent++;
        return fetch(input, init);
      },
    });
    for (const ttl of ['5s', '9999ms', '86401s', 86_400_001, '10', 'abc', -1, 15_000]) {
      await expect(session.create(counting, { TTL: ttl as string })).rejects.toThrow(/TTL/);
    }
    await expect(session.create(counting, { Behavior: 'keep' as 'release' })).rejects.toThrow(/Behavior/);
    for (const lockDelay of ['15', -1, 1.5, true]) {
      await expect(session.create(counting, { LockDelay: lockDelay as string })).rejects.toThrow(/LockDelay/);
    }
    await expect(session.create(counting, { NodeChecks: 'serfHealth' as unknown as string[] })).rejects.toThrow(/NodeChecks/);
    await expect(session.create(counting, { ServiceChecks: [{ id: 'x' } as never] })).rejects.toThrow(/ServiceChecks/);
    // the camelCase of consulate < 1.0 is refused, naming Consul's field (Consul would match it case-insensitively, unchecked)
    await expect(session.create(counting, { ttl: '5s' })).rejects.toThrow(/"ttl" should be "TTL"/);
    await expect(session.create(counting, { lockDelay: '1s' })).rejects.toThrow(/"lockDelay" should be "LockDelay"/);
    await expect(session.read(counting, 'not-a-uuid')).rejects.toSatisfy(isInputError);
    await expect(session.renew(counting, '../kv/x')).rejects.toSatisfy(isInputError);
    await expect(session.destroy(counting, '')).rejects.toSatisfy(isInputError);
    expect(sent).toBe(0);
    // the limits themselves are accepted
    for (const ttl of ['10s', '86400s', '0s', '']) {
      const { data: id } = await session.create(counting, { TTL: ttl });
      await session.destroy(counting, id);
    }
  });

  it('surfaces Consul refusals (unknown node, unknown check) as ServerError', async () => {
    await expect(session.create(client, { Node: 'no-such-node' })).rejects.toSatisfy(isServerError);
    await expect(session.create(client, { ServiceChecks: [{ ID: 'no-such-check' }] })).rejects.toThrow(/no-such-check/);
  });

  it('is bound on the facade', async () => {
    const consul = new Consul({ address: inject('consulAddress') });
    const { data: id } = await consul.session.create({ Name: 'facade', TTL: '10s' });
    expect((await consul.session.read(id)).data?.Name).toBe('facade');
    expect((await consul.session.renew(id)).data?.ID).toBe(id);
    await consul.session.destroy(id);
    expect(Object.keys(consul.session).sort()).toEqual(['create', 'destroy', 'list', 'node', 'read', 'renew', 'renewPeriodically']);
  });
});

describe('renewPeriodically', () => {
  it('keeps renewing, stops on abort and destroys the session', async () => {
    const { data: id } = await session.create(client, { TTL: '10s' });
    const renewals: number[] = [];
    const spying = createClient({
      address: inject('consulAddress'),
      fetch: (input, init) => {
        if (String(input instanceof Request ? input.url : input).includes('/session/renew/')) renewals.push(Date.now());
        return fetch(input, init);
      },
    });
    const controller = new AbortController();
    const renewer = renewPeriodically(spying, id, { ttl: '10s', interval: 50, signal: controller.signal });
    while (renewals.length < 3) await new Promise((r) => setTimeout(r, 20));
    expect(await exists(id)).toBe(true);
    controller.abort();
    expect(await renewer.done).toBe('stopped');
    expect(await exists(id)).toBe(false);
  });

  it('can leave the session alive on stop (destroyOnStop: false), and works with await using', async () => {
    const { data: id } = await session.create(client, { TTL: '10s' });
    {
      await using renewer = renewPeriodically(client, id, { ttl: '10s', destroyOnStop: false });
      expect(renewer.id).toBe(id);
    }
    expect(await exists(id)).toBe(true);
    {
      await using _renewer = renewPeriodically(client, id, { ttl: '10s' });
    }
    expect(await exists(id)).toBe(false);
  });

  it('reports expiry when the session is destroyed behind its back', async () => {
    const { data: id } = await session.create(client, { TTL: '10s' });
    const expired: unknown[] = [];
    const renewer = renewPeriodically(client, id, { ttl: '10s', interval: 50, onExpired: (r) => expired.push(r) });
    await raw(`/v1/session/destroy/${id}`, { method: 'PUT' });
    expect(await renewer.done).toBe('expired');
    expect(expired).toHaveLength(1);
    expect(isNotFoundError(expired[0])).toBe(true);
  });

  it('retries transient failures with backoff and recovers', async () => {
    const { data: id } = await session.create(client, { TTL: '10s' });
    let failing = 2;
    const flaky: FetchLike = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes('/session/renew/') && failing > 0) {
        failing--;
        return Promise.reject(new TypeError('fetch failed'));
      }
      return fetch(input, init);
    };
    const errors: unknown[] = [];
    const expired: unknown[] = [];
    let renewedAfterErrors = false;
    const tracking: FetchLike = async (input, init) => {
      const response = await flaky(input, init);
      if (failing === 0 && String(input instanceof Request ? input.url : input).includes('/session/renew/')) renewedAfterErrors = true;
      return response;
    };
    const renewer = renewPeriodically(createClient({ address: inject('consulAddress'), fetch: tracking }), id, {
      ttl: '10s',
      interval: 20,
      onError: (e) => errors.push(e),
      onExpired: (r) => expired.push(r),
    });
    while (!renewedAfterErrors) await new Promise((r) => setTimeout(r, 20));
    await renewer.stop();
    expect(errors).toHaveLength(2);
    expect(expired).toEqual([]);
    expect(await renewer.done).toBe('stopped');
    expect(await exists(id)).toBe(false);
  });

  it('declares the session expired when no renewal succeeds within the TTL', async () => {
    const { data: id } = await session.create(client, { TTL: '10s' });
    const down = createClient({ address: inject('consulAddress'), fetch: () => Promise.reject(new TypeError('connection refused')), retry: { limit: 0 } });
    const expired: unknown[] = [];
    const errors: unknown[] = [];
    // a short local TTL so the test does not wait 10 s; Consul's TTL is not involved
    const renewer = renewPeriodically(down, id, {
      ttl: 600,
      onExpired: (r) => expired.push(r),
      onError: (e) => errors.push(e),
    });
    expect(await renewer.done).toBe('expired');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(expired).toEqual([errors.at(-1)]);
    await session.destroy(client, id);
  });

  it('refuses a missing or zero TTL', () => {
    expect(() => renewPeriodically(client, MISSING, { ttl: 0 })).toThrow(/positive/);
    expect(() => renewPeriodically(client, 'nope', { ttl: '10s' })).toThrow(/UUID/);
  });
});
