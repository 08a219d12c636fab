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
    const registration: catalog.CatalogRegistration = {
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
        { CheckID: 'pg', Name: 'pg alive', Status: 'passing', ServiceID: `${svc}-1`, Definition: { TCP: '10.1.2.4:5432', Interval: '10s', Timeout: '1s' } },
        { Node: node, CheckID: 'disk', Name: 'disk', Notes: 'node check', Status: 'warning', Definition: { HTTP: 'http://10.1.2.3/disk', Header: { A: ['b'] } } },
      ],
    };
    const { data: ok } = await catalog.register(rec, registration);
    expect(ok).toBe(true);
    expect(bodies[0]).toEqual(registration); // sent exactly as given: Consul's wire names, nothing added
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

      expect((await catalog.deregister(client, { Node: node, CheckID: 'disk' })).data).toBe(true);
      expect((await health.node(client, node)).data.map((c) => c.CheckID)).toEqual(['pg']);
      await catalog.deregister(client, { Node: node, ServiceID: `${svc}-1` });
      expect((await catalog.service(client, svc)).data).toEqual([]);
      expect((await health.node(client, node)).data).toEqual([]); // the service's check went with it
      expect((await catalog.node(client, node)).data?.Services).toEqual({});
    } finally {
      expect((await catalog.deregister(client, { Node: node })).data).toBe(true);
    }
    expect((await catalog.node(client, node)).data).toBeUndefined();
    // removing what is not there is not an error
    expect((await catalog.deregister(client, { Node: node })).data).toBe(true);
  });

  it('service() filters by one tag or several (all must match), sends each tag, and honours filter', async () => {
    const node = uid('tags');
    const svc = uid('tagsvc');
    await catalog.register(client, { Node: node, Address: '10.9.9.1', Service: { Service: svc, ID: 'a', Port: 1, Tags: ['t1', 't2'] } });
    await catalog.register(client, { Node: node, Address: '10.9.9.1', Service: { Service: svc, ID: 'b', Port: 2, Tags: ['t1', 't3'] } });
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
      await catalog.deregister(client, { Node: node });
    }
  });

  it('shows a service registered with the agent (after anti-entropy) and supports blocking reads', async () => {
    const name = uid('agentsvc');
    const { data: me } = await agent.self(client);
    const before = await catalog.service(client, name);
    const blocked = catalog.service(client, name, { index: before.meta.index!, wait: '10s' });
    await agent.serviceRegister(client, { Name: name, Port: 7000, Tags: ['x'] });
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
      await agent.serviceDeregister(client, name);
    }
    await eventually(async () => expect((await catalog.service(client, name)).data).toEqual([]));
  });

  it('connect() lists a service\'s proxies and native instances (Proxy/Connect passed through as given)', async () => {
    const name = uid('mesh');
    await agent.serviceRegister(client, { Name: name, Port: 8080, Connect: { Native: true } });
    await agent.serviceRegister(client, {
      Name: `${name}-proxy`,
      Kind: 'connect-proxy',
      Port: 21000,
      Proxy: { DestinationServiceName: name, LocalServicePort: 8080 },
    });
    try {
      const { data: proxy } = await agent.serviceRead(client, `${name}-proxy`);
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
      await agent.serviceDeregister(client, `${name}-proxy`);
      await agent.serviceDeregister(client, name);
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

  // Consul's API docs' sample payload of PUT /v1/catalog/register (website/content/api-docs/catalog.mdx), trimmed only
  // of its two `"Namespace": "default"` fields (Service's and Check's), which Consul 1.8.7 OSS refuses with 400
  // "unknown field \"Namespace\" - Namespaces are a Consul Enterprise feature"; otherwise unchanged
  it('the docs\' sample payload of /v1/catalog/register goes in unchanged (but for Namespace, which 1.8.7 OSS refuses)', async () => {
    const payload = JSON.parse(`{
      "Datacenter": "dc1",
      "ID": "40e4a748-2192-161a-0510-9bf59fe950b5",
      "Node": "foobar",
      "Address": "192.168.10.10",
      "TaggedAddresses": {
        "lan": "192.168.10.10",
        "wan": "10.0.10.10"
      },
      "NodeMeta": {
        "somekey": "somevalue"
      },
      "Service": {
        "ID": "redis1",
        "Service": "redis",
        "Tags": ["primary", "v1"],
        "Address": "127.0.0.1",
        "TaggedAddresses": {
          "lan": {
            "address": "127.0.0.1",
            "port": 8000
          },
          "wan": {
            "address": "198.18.0.1",
            "port": 80
          }
        },
        "Meta": {
          "redis_version": "4.0"
        },
        "Port": 8000
      },
      "Check": {
        "Node": "foobar",
        "CheckID": "service:redis1",
        "Name": "Redis health check",
        "Notes": "Script based health check",
        "Status": "passing",
        "ServiceID": "redis1",
        "Definition": {
          "TCP": "localhost:8888",
          "Interval": "5s",
          "Timeout": "1s",
          "DeregisterCriticalServiceAfter": "30s"
        }
      },
      "SkipNodeUpdate": false
    }`) as catalog.CatalogRegistration;
    expect((await catalog.register(client, payload)).data).toBe(true);
    try {
      const { data: n } = await catalog.node(client, 'foobar');
      expect(n?.Node).toMatchObject({ ID: '40e4a748-2192-161a-0510-9bf59fe950b5', Node: 'foobar', Address: '192.168.10.10', Meta: { somekey: 'somevalue' } });
      expect(n?.Services['redis1']).toMatchObject({
        Service: 'redis',
        Tags: ['primary', 'v1'],
        Port: 8000,
        TaggedAddresses: { lan: { Address: '127.0.0.1', Port: 8000 }, wan: { Address: '198.18.0.1', Port: 80 } },
      });
      const { data: checks } = await health.node(client, 'foobar');
      expect(checks[0]).toMatchObject({ CheckID: 'service:redis1', Status: 'passing', ServiceID: 'redis1', Definition: { TCP: 'localhost:8888', Interval: '5s' } });
    } finally {
      await catalog.deregister(client, { Datacenter: 'dc1', Node: 'foobar' });
    }
  });

  it('the Consul facade binds catalog', async () => {
    const consul = new Consul(client);
    const node = uid('facade');
    await consul.catalog.register({ Node: node, Address: '10.7.7.7', Service: { Service: node, Port: 1 } });
    try {
      expect((await consul.catalog.node(node)).data?.Node.Address).toBe('10.7.7.7');
      expect((await consul.catalog.service(node)).data.map((r) => r.Node)).toEqual([node]);
      expect((await consul.catalog.datacenters()).data).toEqual(['dc1']);
    } finally {
      await consul.catalog.deregister({ Node: node });
    }
  });
});

describe('catalog validation before sending', () => {
  const { client: rec, urls } = recording();
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ['missing node', () => catalog.register(rec, { Address: '1.2.3.4' } as catalog.CatalogRegistration), /registration\.Node must be a non-empty string/],
    ['missing address', () => catalog.register(rec, { Node: 'n' } as catalog.CatalogRegistration), /registration\.Address must be a non-empty string/],
    ['camelCase fields are not Consul\'s', () => catalog.register(rec, { node: 'n', address: 'a' } as unknown as catalog.CatalogRegistration), /registration takes Consul's field names: "node" should be "Node"/],
    ['camelCase in a catalog service', () => catalog.register(rec, { Node: 'n', Address: 'a', Service: { Service: 's', port: 1 } }), /registration\.Service takes Consul's field names: "port" should be "Port"/],
    ['camelCase deregistration', () => catalog.deregister(rec, { Node: 'n', serviceId: 's' }), /deregistration takes Consul's field names: "serviceId" should be "ServiceID"/],
    ['bad check status (Consul 1.8 would store it)', () => catalog.register(rec, { Node: 'n', Address: 'a', Check: { Name: 'c', Status: 'bogus' as 'passing' } }), /registration\.Check\.Status must be/],
    ['two kinds in a check', () => catalog.register(rec, { Node: 'n', Address: 'a', Checks: [{ Name: 'c' }, { Name: 'd', Definition: { HTTP: 'http://x', TTL: '1m' } }] }), /registration\.Checks\[1\]\.Definition has 2 kinds/],
    ['bad duration', () => catalog.register(rec, { Node: 'n', Address: 'a', Check: { Name: 'c', Definition: { TCP: 'x:1', Interval: '5 min' } } }), /registration\.Check\.Definition\.Interval must be a Go duration/],
    ['a kind outside Definition (Consul would drop it)', () => catalog.register(rec, { Node: 'n', Address: 'a', Check: { Name: 'c', TCP: 'x:1' } }), /registration\.Check\.TCP: a catalog check keeps these in registration\.Check\.Definition/],
    ['service checks in a catalog service', () => catalog.register(rec, { Node: 'n', Address: 'a', Service: { Service: 's', Check: { TTL: '1m' } } as catalog.CatalogRegistration['Service'] }), /checks go in the registration/],
    ['thresholds on a catalog check', () => catalog.register(rec, { Node: 'n', Address: 'a', Check: { Name: 'c', SuccessBeforePassing: 2 } }), /registration\.Check\.SuccessBeforePassing: only for checks an agent runs/],
    ['service without name', () => catalog.register(rec, { Node: 'n', Address: 'a', Service: { Port: 1 } as unknown as catalog.CatalogRegistration['Service'] }), /registration\.Service\.Service is required/],
    ['deregister service and check at once', () => catalog.deregister(rec, { Node: 'n', ServiceID: 's', CheckID: 'c' }), /ServiceID or CheckID, not both/],
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
