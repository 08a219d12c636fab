// The catalog against a real Consul agent: external nodes registered directly in the catalog
// (unique names per test), the agent's own node, and validation before sending.
import { describe, expect, it } from 'vitest';
import * as agent from '../../src/endpoints/agent.ts';
import * as catalog from '../../src/endpoints/catalog.ts';
import * as health from '../../src/endpoints/health.ts';
import { Consul, isInputError, type Client } from '../../src/index.ts';
import { raw, testClient, uniqueName } from '../support/client.ts';
import { eventually, rejection } from '../support/async.ts';

const client = testClient();

const uid = (name: string): string => uniqueName(name);

function recording(): { client: Client; urls: string[]; bodies: unknown[] } {
  const urls: string[] = [];
  const bodies: unknown[] = [];
  const c = testClient({
    fetch: async (input, init) => {
      urls.push(input instanceof Request ? input.url : String(input));
      if (input instanceof Request && input.method === 'PUT') bodies.push(JSON.parse(await input.clone().text()));
      return fetch(input, init);
    },
  });
  return { client: c, urls, bodies };
}

describe('catalog reads', () => {
  it('datacenters() is always an array', async () => {
    const { data } = await catalog.datacenters(client);
    expect(data).toEqual(['dc1']);
  });

  it('nodes() lists the agent\'s node with query metadata; nodeMeta filters', async () => {
    const { data: me } = await agent.self(client);
    const { data, meta } = await catalog.nodes(client);
    expect(data.find((n) => n.Node === me.Config.NodeName)).toMatchObject({ Address: '127.0.0.1', Datacenter: 'dc1', ID: me.Config.NodeID });
    expect(meta.index! > 0n).toBe(true);
    expect(meta.knownLeader).toBe(true);
    expect(meta.effectiveConsistency).toBe('leader');
    expect((await catalog.nodes(client, { nodeMeta: { [uid('nokey')]: 'x' } })).data).toEqual([]);
    const near = await catalog.nodes(client, { near: '_agent' });
    expect(near.data.map((n) => n.Node)).toContain(me.Config.NodeName);
  });

  it('services() is always a map; {} when nothing matches', async () => {
    const { data } = await catalog.services(client);
    expect(data['consul']).toEqual([]);
    expect((await catalog.services(client, { nodeMeta: { [uid('nokey')]: 'x' } })).data).toEqual({});
  });

  it('unknown node, service and gateway: undefined, [] and []', async () => {
    const name = uid('missing');
    const node = await catalog.node(client, name);
    expect(node.data).toBeUndefined();
    expect(node.meta.status).toBe(200); // Consul 1.8 answers 200 null
    expect((await catalog.nodeServices(client, name)).data).toBeUndefined();
    expect((await catalog.service(client, name)).data).toEqual([]);
    expect((await catalog.connect(client, name)).data).toEqual([]);
    expect((await catalog.gatewayServices(client, name)).data).toEqual([]);
  });
});

describe('catalog register/deregister', () => {
  it('registers an external node with a service and checks; every read shows it; deregistration removes each part', async () => {
    const node = uid('ext');
    const svc = uid('extsvc');
    const { client: rec, bodies } = recording();
    const { data: ok } = await catalog.register(rec, {
      node,
      address: '10.1.2.3',
      taggedAddresses: { wan: '198.51.100.3' },
      nodeMeta: { rack: 'r1' },
      service: {
        name: svc,
        id: `${svc}-1`,
        port: 5432,
        address: '10.1.2.4',
        tags: ['primary', 'v13'],
        meta: { engine: 'postgres' },
        weights: { passing: 3 },
        taggedAddresses: { lan: { address: '10.1.2.4', port: 5432 } },
      },
      checks: [
        { id: 'pg', name: 'pg alive', status: 'passing', serviceId: `${svc}-1`, tcp: '10.1.2.4:5432', interval: '10s', timeout: '1s' },
        { id: 'disk', name: 'disk', status: 'warning', notes: 'node check', http: 'http://10.1.2.3/disk', header: { A: 'b' } },
      ],
    });
    expect(ok).toBe(true);
    expect(bodies[0]).toEqual({
      Node: node,
      Address: '10.1.2.3',
      TaggedAddresses: { wan: '198.51.100.3' },
      NodeMeta: { rack: 'r1' },
      Service: {
        Service: svc,
        ID: `${svc}-1`,
        Address: '10.1.2.4',
        Port: 5432,
        Tags: ['primary', 'v13'],
        Meta: { engine: 'postgres' },
        TaggedAddresses: { lan: { Address: '10.1.2.4', Port: 5432 } },
        Weights: { Passing: 3, Warning: 1 },
      },
      Checks: [
        { Node: node, CheckID: 'pg', Name: 'pg alive', Status: 'passing', ServiceID: `${svc}-1`, Definition: { TCP: '10.1.2.4:5432', Interval: '10s', Timeout: '1s' } },
        { Node: node, CheckID: 'disk', Name: 'disk', Notes: 'node check', Status: 'warning', Definition: { HTTP: 'http://10.1.2.3/disk', Header: { A: ['b'] } } },
      ],
    });
    try {
      const { data: n } = await catalog.node(client, node);
      expect(n?.Node).toMatchObject({ Node: node, Address: '10.1.2.3', TaggedAddresses: { wan: '198.51.100.3' }, Meta: { rack: 'r1' } });
      expect(n?.Services[`${svc}-1`]).toMatchObject({ Service: svc, Port: 5432, Address: '10.1.2.4', Tags: ['primary', 'v13'], Weights: { Passing: 3, Warning: 1 } });
      const { data: list } = await catalog.nodeServices(client, node);
      expect(list?.Node.Node).toBe(node);
      expect(list?.Services.map((s) => s.ID)).toEqual([`${svc}-1`]);
      const { data: rows } = await catalog.service(client, svc);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        Node: node,
        Address: '10.1.2.3',
        NodeMeta: { rack: 'r1' },
        ServiceID: `${svc}-1`,
        ServiceName: svc,
        ServiceAddress: '10.1.2.4',
        ServicePort: 5432,
        ServiceTags: ['primary', 'v13'],
        ServiceMeta: { engine: 'postgres' },
        ServiceTaggedAddresses: { lan: { Address: '10.1.2.4', Port: 5432 } },
      });
      expect((await catalog.services(client)).data[svc]?.sort()).toEqual(['primary', 'v13']); // a union built from a Go map: unordered
      const { data: checks } = await health.node(client, node);
      expect(checks.find((c) => c.CheckID === 'pg')).toMatchObject({ Status: 'passing', ServiceID: `${svc}-1`, Type: 'tcp', Definition: { TCP: '10.1.2.4:5432', Interval: '10s', Timeout: '1s' } });
      expect(checks.find((c) => c.CheckID === 'disk')).toMatchObject({ Status: 'warning', ServiceID: '', Notes: 'node check', Definition: { HTTP: 'http://10.1.2.3/disk', Header: { A: ['b'] } } });

      expect((await catalog.deregister(client, { node, checkId: 'disk' })).data).toBe(true);
      expect((await health.node(client, node)).data.map((c) => c.CheckID)).toEqual(['pg']);
      await catalog.deregister(client, { node, serviceId: `${svc}-1` });
      expect((await catalog.service(client, svc)).data).toEqual([]);
      expect((await health.node(client, node)).data).toEqual([]); // the service's check went with it
      expect((await catalog.node(client, node)).data?.Services).toEqual({});
    } finally {
      expect((await catalog.deregister(client, { node })).data).toBe(true);
    }
    expect((await catalog.node(client, node)).data).toBeUndefined();
    // removing what is not there is not an error
    expect((await catalog.deregister(client, { node })).data).toBe(true);
  });

  it('service() filters by one tag or several (all must match), sends each tag, and honours filter', async () => {
    const node = uid('tags');
    const svc = uid('tagsvc');
    await catalog.register(client, { node, address: '10.9.9.1', service: { name: svc, id: 'a', port: 1, tags: ['t1', 't2'] } });
    await catalog.register(client, { node, address: '10.9.9.1', service: { name: svc, id: 'b', port: 2, tags: ['t1', 't3'] } });
    const { client: rec, urls } = recording();
    try {
      const ids = async (options: catalog.CatalogServiceOptions) => (await catalog.service(rec, svc, options)).data.map((r) => r.ServiceID).sort();
      expect(await ids({})).toEqual(['a', 'b']);
      expect(await ids({ tag: 't1' })).toEqual(['a', 'b']);
      expect(await ids({ tag: 't2' })).toEqual(['a']);
      expect(await ids({ tag: ['t1', 't3'] })).toEqual(['b']);
      expect(await ids({ tag: ['t2', 't3'] })).toEqual([]);
      expect(urls[3]).toMatch(new RegExp(`/v1/catalog/service/${svc}\\?tag=t1&tag=t3$`));
      expect(await ids({ filter: 'ServicePort == 2' })).toEqual(['b']);
      expect(await ids({ tag: 't1', near: '_agent', consistency: 'stale' })).toEqual(['a', 'b']);
    } finally {
      await catalog.deregister(client, { node });
    }
  });

  it('shows a service registered with the agent (after anti-entropy) and supports blocking reads', async () => {
    const name = uid('agentsvc');
    const { data: me } = await agent.self(client);
    const before = await catalog.service(client, name);
    const blocked = catalog.service(client, name, { index: before.meta.index!, wait: '10s' });
    await agent.registerService(client, { name, port: 7000, tags: ['x'] });
    try {
      // other test files write to the shared agent too: an unrelated change may wake the read first
      let after = await blocked;
      while (after.data.length === 0) after = await catalog.service(client, name, { index: after.meta.index!, wait: '10s' });
      expect(after.meta.index! > before.meta.index!).toBe(true);
      expect(after.data).toHaveLength(1);
      expect(after.data[0]).toMatchObject({ Node: me.Config.NodeName, ServiceName: name, ServicePort: 7000, ServiceTags: ['x'] });
      const { data: mine } = await catalog.nodeServices(client, me.Config.NodeName);
      expect(mine?.Services.map((s) => s.Service)).toContain(name);
    } finally {
      await agent.deregisterService(client, name);
    }
    await eventually(async () => expect((await catalog.service(client, name)).data).toEqual([]));
  });

  it('connect() lists a service\'s proxies and native instances (proxy/connect passed through as given)', async () => {
    const name = uid('mesh');
    await agent.registerService(client, { name, port: 8080, connect: { Native: true } });
    await agent.registerService(client, {
      name: `${name}-proxy`,
      kind: 'connect-proxy',
      port: 21000,
      proxy: { DestinationServiceName: name, LocalServicePort: 8080 },
    });
    try {
      const { data: proxy } = await agent.service(client, `${name}-proxy`);
      expect(proxy).toMatchObject({ Kind: 'connect-proxy', Proxy: { DestinationServiceName: name, LocalServicePort: 8080 } });
      const rows = await eventually(async () => {
        const { data } = await catalog.connect(client, name);
        expect(data).toHaveLength(2);
        return data;
      });
      const byId = Object.fromEntries(rows.map((r) => [r.ServiceID, r]));
      expect(byId[name]).toMatchObject({ ServiceKind: '', ServiceConnect: { Native: true } });
      expect(byId[`${name}-proxy`]).toMatchObject({ ServiceKind: 'connect-proxy', ServicePort: 21000, ServiceProxy: { DestinationServiceName: name } });
      expect((await health.connect(client, name)).data.map((e) => e.Service.ID).sort()).toEqual([name, `${name}-proxy`]);
      expect((await catalog.service(client, name)).data.map((r) => r.ServiceID)).toEqual([name]);
    } finally {
      await agent.deregisterService(client, `${name}-proxy`);
      await agent.deregisterService(client, name);
    }
  });

  it('gatewayServices() lists the services a terminating gateway represents', async () => {
    const gateway = uid('tgw');
    const put = await raw('/v1/config', {
      method: 'PUT',
      body: JSON.stringify({ Kind: 'terminating-gateway', Name: gateway, Services: [{ Name: `${gateway}-legacy` }, { Name: `${gateway}-billing` }] }),
    });
    expect(put.status).toBe(200);
    try {
      const { data } = await catalog.gatewayServices(client, gateway);
      expect(data.map((g) => g.Service.Name).sort()).toEqual([`${gateway}-billing`, `${gateway}-legacy`]);
      expect(data[0]).toMatchObject({ Gateway: { Name: gateway }, GatewayKind: 'terminating-gateway' });
    } finally {
      await raw(`/v1/config/terminating-gateway/${gateway}`, { method: 'DELETE' });
    }
    expect((await catalog.gatewayServices(client, gateway)).data).toEqual([]);
  });

  it('the Consul facade binds catalog', async () => {
    const consul = new Consul(client);
    const node = uid('facade');
    await consul.catalog.register({ node, address: '10.7.7.7', service: { name: node, port: 1 } });
    try {
      expect((await consul.catalog.node(node)).data?.Node.Address).toBe('10.7.7.7');
      expect((await consul.catalog.service(node)).data.map((r) => r.Node)).toEqual([node]);
      expect((await consul.catalog.datacenters()).data).toEqual(['dc1']);
    } finally {
      await consul.catalog.deregister({ node });
    }
  });
});

describe('catalog validation before sending', () => {
  const { client: rec, urls } = recording();
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ['missing node', () => catalog.register(rec, { address: '1.2.3.4' } as catalog.CatalogRegistration), /registration\.node must be a non-empty string/],
    ['missing address', () => catalog.register(rec, { node: 'n' } as catalog.CatalogRegistration), /registration\.address must be a non-empty string/],
    ['bad check status (Consul 1.8 would store it)', () => catalog.register(rec, { node: 'n', address: 'a', check: { name: 'c', status: 'bogus' as 'passing' } }), /registration\.check\.status must be/],
    ['two kinds in a check', () => catalog.register(rec, { node: 'n', address: 'a', checks: [{ name: 'c' }, { name: 'd', http: 'http://x', ttl: '1m' }] }), /registration\.checks\[1\] has 2 kinds/],
    ['bad duration', () => catalog.register(rec, { node: 'n', address: 'a', check: { name: 'c', tcp: 'x:1', interval: '5 min' } }), /registration\.check\.interval must be a Go duration/],
    ['service checks in a catalog service', () => catalog.register(rec, { node: 'n', address: 'a', service: { name: 's', check: { ttl: '1m' } } as catalog.CatalogRegistration['service'] }), /checks go in the registration/],
    ['thresholds on a catalog check', () => catalog.register(rec, { node: 'n', address: 'a', check: { name: 'c', successBeforePassing: 2 } }), /registration\.check\.successBeforePassing: only for checks an agent runs/],
    ['service without name', () => catalog.register(rec, { node: 'n', address: 'a', service: { port: 1 } as catalog.CatalogRegistration['service'] }), /registration\.service\.name is required/],
    ['deregister service and check at once', () => catalog.deregister(rec, { node: 'n', serviceId: 's', checkId: 'c' }), /serviceId or checkId, not both/],
    ['empty tag', () => catalog.service(rec, 's', { tag: ['a', ''] }), /tag must be a non-empty string/],
    ['empty node name', () => catalog.node(rec, ''), /name must be a non-empty string/],
  ];
  for (const [what, call, message] of cases) {
    it(`${what} → InputError`, async () => {
      const error = await rejection(call());
      expect(isInputError(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
    });
  }
  it('none of them reached the agent', () => {
    expect(urls).toEqual([]);
  });
});
