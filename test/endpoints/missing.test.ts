// Item 2 of issue 8: Consul's "missing" (a 404 with Consul's own mark) is told apart from anybody
// else's 404 (a proxy's HTML page, a wrong path prefix). The foreign answers come from the scripted
// misbehaving server; the genuine "missing" answers from the run's real Consul 1.8.7 agent.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as acl from '../../src/endpoints/acl.ts';
import * as agent from '../../src/endpoints/agent.ts';
import * as config from '../../src/endpoints/config.ts';
import * as connect from '../../src/endpoints/connect.ts';
import * as coordinate from '../../src/endpoints/coordinate.ts';
import * as kv from '../../src/endpoints/kv.ts';
import * as namespace from '../../src/endpoints/namespace.ts';
import * as partition from '../../src/endpoints/partition.ts';
import * as peering from '../../src/endpoints/peering.ts';
import * as query from '../../src/endpoints/query.ts';
import * as session from '../../src/endpoints/session.ts';
import type { Client, ConsulError } from '../../src/index.ts';
import { createClient, isNotFoundError } from '../../src/index.ts';
import { createNodeClient } from '../../src/node/index.ts';
import type { Misbehaviour, MisbehavingServer } from '../support/misbehaving-server.mjs';
import { startMisbehavingServer } from '../support/misbehaving-server.mjs';
import { testClient, uniqueName, uniquePrefix } from '../support/client.ts';

const UUID = '00000000-0000-4000-8000-000000000000';
const TOKEN = 'c0ffee00-1111-2222-3333-444455556666';

type Read = (client: Client) => Promise<unknown>;

/** Every read that takes a 404 as "missing", with the mark Consul 1.8.7 puts on its own 404. */
const READS: Record<string, { read: Read; mark: 'header' | 'text' | 'none' }> = {
  'kv.get': { read: (c) => kv.get(c, 'app/k'), mark: 'header' },
  'kv.getBytes': { read: (c) => kv.getBytes(c, 'app/k'), mark: 'header' },
  'kv.getJSON': { read: (c) => kv.getJSON(c, 'app/k'), mark: 'header' },
  'kv.getRecord': { read: (c) => kv.getRecord(c, 'app/k'), mark: 'header' },
  'kv.has': { read: (c) => kv.has(c, 'app/k'), mark: 'header' },
  'kv.keys': { read: (c) => kv.keys(c, 'app/'), mark: 'header' },
  'kv.size': { read: (c) => kv.size(c, 'app/'), mark: 'header' },
  'kv.records': { read: (c) => kv.records(c, 'app/'), mark: 'header' },
  'kv.find': { read: (c) => kv.find(c, 'app/'), mark: 'header' },
  'config.read': { read: (c) => config.read(c, 'service-defaults', 'web'), mark: 'header' },
  'connect.intentionRead': { read: (c) => connect.intentionRead(c, UUID), mark: 'text' },
  'query.read': { read: (c) => query.read(c, UUID), mark: 'text' },
  'agent.serviceRead': { read: (c) => agent.serviceRead(c, 'web-1'), mark: 'text' },
  'session.renew': { read: (c) => session.renew(c, UUID), mark: 'text' },
  'agent.serviceHealthByName': { read: (c) => agent.serviceHealthByName(c, 'web'), mark: 'header' },
  'agent.serviceHealthById': { read: (c) => agent.serviceHealthById(c, 'web-1'), mark: 'header' },
  'acl.roleRead': { read: (c) => acl.roleRead(c, UUID), mark: 'none' },
  'acl.roleReadByName': { read: (c) => acl.roleReadByName(c, 'r'), mark: 'none' },
  'acl.authMethodRead': { read: (c) => acl.authMethodRead(c, 'm'), mark: 'none' },
  'acl.bindingRuleRead': { read: (c) => acl.bindingRuleRead(c, UUID), mark: 'none' },
  'coordinate.node': { read: (c) => coordinate.node(c, 'n1'), mark: 'none' },
  'agent.version': { read: (c) => agent.version(c), mark: 'none' },
  'namespace.read': { read: (c) => namespace.read(c, 'team'), mark: 'none' },
  'partition.read': { read: (c) => partition.read(c, 'west'), mark: 'none' },
  'peering.read': { read: (c) => peering.read(c, 'other'), mark: 'none' },
};
const ALL = Object.entries(READS);
const MARKED = ALL.filter(([, { mark }]) => mark !== 'none');

async function failure(promise: Promise<unknown>): Promise<ConsulError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected the read to throw').toBeDefined();
  return error as ConsulError;
}

/** A server answering every request with `answer`, and a client on it (with a token and a path prefix). */
async function serve(answer: Misbehaviour): Promise<{ server: MisbehavingServer; client: Client }> {
  const server = await startMisbehavingServer(answer);
  servers.push(server);
  return { server, client: createClient({ address: server.address, pathPrefix: 'consul', token: TOKEN, retry: 0 }) };
}
const servers: MisbehavingServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('a foreign HTML 404 (a proxy with a wrong path prefix) is never "missing"', () => {
  let client: Client;
  let address: string;
  beforeAll(async () => {
    ({ client, server: { address } } = await serve('foreign-404'));
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it.each(ALL)('%s throws NotFoundError naming the URL and pathPrefix, not the token', async (_, { read }) => {
    const error = await failure(read(client));
    expect(error).toSatisfy(isNotFoundError);
    expect(error.status).toBe(404);
    expect(error.message).toMatch(/not answering like Consul/);
    expect(error.message).toContain(`${address}/consul/v1/`);
    expect(error.message).toMatch(/pathPrefix/);
    expect(error.message).not.toContain(TOKEN);
    expect(error.path).toMatch(/^\/v1\//);
    // a proxy's page is not Consul's message
    expect(error.consulMessage ?? '').toBe('');
  });

  it('in a browser too, an HTML page is not Consul (no CORS hint: headers are not the question)', async () => {
    vi.stubGlobal('document', {});
    const error = await failure(kv.get(client, 'k'));
    expect(error).toSatisfy(isNotFoundError);
    expect(error.message).toMatch(/HTML/);
  });
});

describe('over the Node transport (consulate/node)', () => {
  it.each(ALL)('%s: a foreign HTML 404 throws NotFoundError naming the URL', async (_, { read }) => {
    const server = await startMisbehavingServer('foreign-404');
    servers.push(server);
    const client = createNodeClient({ address: server.address, pathPrefix: 'consul', token: TOKEN, retry: 0 });
    try {
      const error = await failure(read(client));
      expect(error).toSatisfy(isNotFoundError);
      expect(error.message).toMatch(/not answering like Consul/);
      expect(error.message).toContain(`${server.address}/consul/v1/`);
      expect(error.message).not.toContain(TOKEN);
    } finally {
      await client.close();
    }
  });
});

describe('a 404 without Consul\'s mark is not "missing" where Consul marks its own', () => {
  // what a proxy or another server sends: an empty 404 with no headers, or Go's plain-text 404
  const unmarked: [string, Misbehaviour][] = [
    ['empty, no X-Consul-* header', { mode: 'respond', status: 404, headers: { 'Content-Type': 'text/plain', 'X-Consul-Index': undefined as never, 'X-Consul-Knownleader': undefined as never, 'X-Consul-Lastcontact': undefined as never } }],
    ['plain text "404 page not found"', { mode: 'respond', status: 404, body: '404 page not found\n', headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Consul-Index': undefined as never, 'X-Consul-Knownleader': undefined as never, 'X-Consul-Lastcontact': undefined as never } }],
  ];
  for (const [label, answer] of unmarked) {
    describe(label, () => {
      let client: Client;
      beforeAll(async () => {
        ({ client } = await serve(answer));
      });
      it.each(MARKED)('%s throws NotFoundError', async (_, { read }) => {
        const error = await failure(read(client));
        expect(error).toSatisfy(isNotFoundError);
        expect(error.message).toMatch(/not answering like Consul/);
      });
    });
  }

  it('the browser hint is given for a missing header mark (a CORS proxy may hide it)', async () => {
    const { client } = await serve(unmarked[0]![1]);
    vi.stubGlobal('document', {});
    try {
      const error = await failure(kv.get(client, 'k'));
      expect(error.message).toMatch(/X-Consul-Index/);
      expect(error.message).toMatch(/Access-Control-Expose-Headers/);
    } finally {
      vi.unstubAllGlobals();
    }
    // outside a browser, CORS is not the question
    expect((await failure(kv.get(client, 'k'))).message).not.toMatch(/Access-Control-Expose-Headers/);
  });

  it('an empty 404 is still "missing" where Consul\'s own 404 is empty too (role, coordinate…)', async () => {
    const { client } = await serve(unmarked[0]![1]);
    for (const [name, { read, mark }] of ALL) {
      if (mark !== 'none') continue;
      await expect(read(client), name).resolves.toBeDefined();
    }
    expect((await acl.roleRead(client, UUID)).data).toBeUndefined();
    expect((await coordinate.node(client, 'n1')).data).toBeUndefined();
  });
});

describe('Consul\'s wording alone marks its 404 (a CORS proxy may hide every X-Consul-* header)', () => {
  const NO_HEADERS = { 'Content-Type': 'text/plain; charset=utf-8', 'X-Consul-Index': undefined as never, 'X-Consul-Knownleader': undefined as never, 'X-Consul-Lastcontact': undefined as never };
  const cases: [string, string, Read][] = [
    ['config.read', 'Config entry not found for "service-defaults" / "web"', (c) => config.read(c, 'service-defaults', 'web')],
    ['connect.intentionRead', 'Intention not found', (c) => connect.intentionRead(c, UUID)],
    ['query.read', 'Query not found', (c) => query.read(c, UUID)],
    ['agent.serviceRead', 'unknown service ID: web-1', (c) => agent.serviceRead(c, 'web-1')],
    ['session.renew', `Session id '${UUID}' not found`, (c) => session.renew(c, UUID)],
  ];
  it.each(cases)('%s: "%s" without headers is missing', async (_, body, read) => {
    const { client } = await serve({ mode: 'respond', status: 404, body, headers: NO_HEADERS });
    const { data } = (await read(client)) as { data: unknown };
    expect(data).toBeUndefined();
  });

  it('another text is not Consul\'s (a proxy\'s plain-text 404)', async () => {
    const { client } = await serve({ mode: 'respond', status: 404, body: 'Not Found', headers: NO_HEADERS });
    for (const [name, , read] of cases) expect(await failure(read(client)), name).toSatisfy(isNotFoundError);
  });
});

describe('Consul\'s own "missing" still reads as missing (real agent)', () => {
  const client = testClient();

  it('kv: get, getBytes, getRecord, has, keys, records, find, size', async () => {
    const p = uniquePrefix('missing');
    expect((await kv.get(client, `${p}k`)).data).toBeUndefined();
    expect((await kv.getBytes(client, `${p}k`)).data).toBeUndefined();
    expect((await kv.getJSON(client, `${p}k`)).data).toBeUndefined();
    const record = await kv.getRecord(client, `${p}k`);
    expect(record.data).toBeUndefined();
    expect(record.meta.status).toBe(404);
    expect((await kv.has(client, `${p}k`)).data).toBe(false);
    expect((await kv.keys(client, p)).data).toEqual([]);
    expect((await kv.keys(client, p, { separator: '/' })).data).toEqual([]);
    expect((await kv.records(client, p)).data).toEqual([]);
    expect((await kv.find(client, p)).data).toEqual({});
    expect((await kv.size(client, p)).data).toBe(0);
  });

  it('config entry, intention, prepared query, agent service, coordinate, agent version', async () => {
    const name = uniqueName('missing');
    expect((await config.read(client, 'service-defaults', name)).data).toBeUndefined();
    expect((await connect.intentionRead(client, UUID)).data).toBeUndefined();
    expect((await query.read(client, UUID)).data).toBeUndefined();
    expect((await agent.serviceRead(client, name)).data).toBeUndefined();
    expect((await coordinate.node(client, name)).data).toBeUndefined();
    // 1.8.7 has no /v1/agent/version: its router's empty 404
    expect((await agent.version(client)).data).toBeUndefined();
  });

  it('session renew of a destroyed session', async () => {
    const { data: id } = await session.create(client, { TTL: '10s' });
    await session.destroy(client, id);
    const renewed = await session.renew(client, id);
    expect(renewed.data).toBeUndefined();
    expect(renewed.meta.status).toBe(404);
  });

  it('agent health of an unknown service, by name and by id', async () => {
    const name = uniqueName('missing');
    expect((await agent.serviceHealthByName(client, name)).data).toEqual({ status: 'critical', found: false, services: [] });
    expect((await agent.serviceHealthById(client, name)).data).toEqual({ status: 'critical', found: false, services: [] });
  });
});

describe('a 404 where no "missing" is meant (writes, lists) says what answered', () => {
  const WRITES: Record<string, Read> = {
    'kv.set': (c) => kv.set(c, 'app/k', 'v'),
    'agent.serviceRegister': (c) => agent.serviceRegister(c, { Name: 'web' }),
    'partition.create': (c) => partition.create(c, { Name: 'west' }),
  };

  it.each(Object.entries(WRITES))('%s answered by a proxy\'s HTML 404 names the URL and pathPrefix, not the token', async (_, write) => {
    const { client, server } = await serve('foreign-404');
    const error = await failure(write(client));
    expect(error).toSatisfy(isNotFoundError);
    expect(error.message).toContain(`${server.address}/consul/v1/`);
    expect(error.message).toMatch(/not Consul \(check the address and `pathPrefix`\)/);
    expect(error.message).not.toContain(TOKEN);
  });

  it('a write answered by another server\'s HTML error page (any status: a 501 from a static file server) says it is not Consul', async () => {
    const { client, server } = await serve({ mode: 'respond', status: 501, body: '<html><head><title>Error response</title></head><body>Unsupported method (\'PUT\')</body></html>', headers: { 'Content-Type': 'text/html' } });
    const error = await failure(kv.set(client, 'app/k', 'v'));
    expect(error.status).toBe(501);
    expect(error.message).toBe(`PUT /v1/kv/app/k failed with 501: Error response — an HTML page from ${server.address}/consul/v1/kv/app/k, which Consul never sends: a server that is not Consul (check the address and \`pathPrefix\`)`);
  });

  it('over the Node transport too', async () => {
    const server = await startMisbehavingServer('foreign-404');
    servers.push(server);
    const client = createNodeClient({ address: server.address, pathPrefix: 'consul', token: TOKEN, retry: 0 });
    try {
      const error = await failure(kv.set(client, 'app/k', 'v'));
      expect(error).toSatisfy(isNotFoundError);
      expect(error.message).toContain(`${server.address}/consul/v1/kv/app/k`);
      expect(error.message).not.toContain(TOKEN);
    } finally {
      await client.close();
    }
  });

  it('a real 1.8.7 agent asked for an endpoint it lacks (admin partitions: 1.11+) says the endpoint may be newer than the agent', async () => {
    const client = testClient();
    const error = await failure(partition.create(client, { Name: uniqueName('west') }));
    expect(error).toSatisfy(isNotFoundError);
    expect(error.message).toMatch(/PUT \/v1\/partition failed with 404 — nothing answers at http:\/\/.*\/v1\/partition: an endpoint newer than this Consul agent/);
  });

  it("Consul's own 404 text is kept as it is, without the hint (a TTL check that does not exist)", async () => {
    const client = testClient();
    const error = await failure(agent.checkTtlPass(client, uniqueName('no-such-check')));
    expect(error.message).not.toMatch(/nothing answers/);
  });
});
