// Health endpoints against a real Consul agent: a service registered with the agent with a TTL
// check (moving through passing/warning/critical), plus external catalog entries for tag filters.
import { describe, expect, it } from 'vitest';
import * as agent from '../../src/endpoints/agent.ts';
import * as catalog from '../../src/endpoints/catalog.ts';
import * as health from '../../src/endpoints/health.ts';
import { Consul, isInputError, type Client } from '../../src/index.ts';
import { raw, testClient, uniqueName } from '../support/client.ts';
import { eventually, rejection } from '../support/async.ts';

const client = testClient();

const uid = (name: string): string => uniqueName(name);

describe('health of a service registered with the agent', () => {
  it('service(), checks(), node() and state() follow a TTL check through its states; passing filters', async () => {
    const name = uid('svc');
    const checkId = `service:${name}`;
    const { data: me } = await agent.self(client);
    await agent.serviceRegister(client, { Name: name, Port: 8080, Tags: ['blue'], Check: { TTL: '5m' } });
    try {
      const entries = await eventually(async () => {
        const result = await health.service(client, name);
        expect(result.data).toHaveLength(1);
        return result;
      });
      const entry = entries.data[0]!;
      expect(entry.Node).toMatchObject({ Node: me.Config.NodeName, Address: '127.0.0.1', Datacenter: 'dc1' });
      expect(entry.Service).toMatchObject({ ID: name, Service: name, Port: 8080, Tags: ['blue'] });
      expect(entry.Checks.map((c) => c.CheckID).sort()).toEqual([checkId, 'serfHealth'].sort());
      expect(entries.meta.index! > 0n).toBe(true);
      expect(entries.meta.effectiveConsistency).toBe('leader');
      // critical at first: not among the passing instances, but in state('critical')
      expect((await health.service(client, name, { passing: true })).data).toEqual([]);
      expect((await health.state(client, 'critical')).data.some((c) => c.CheckID === checkId)).toBe(true);

      // a blocking read wakes up when the check passes
      // (other test files write to the shared agent too, so an unrelated change may wake it first: loop like a watch)
      const blocked = health.service(client, name, { passing: true, index: entries.meta.index!, wait: '10s' });
      await agent.checkTtlPass(client, checkId, 'fine');
      let woke = await blocked;
      while (woke.data.length === 0) woke = await health.service(client, name, { passing: true, index: woke.meta.index!, wait: '10s' });
      expect(woke.meta.index! > entries.meta.index!).toBe(true);
      expect(woke.data[0]!.Checks.find((c) => c.CheckID === checkId)).toMatchObject({ Status: 'passing', Output: 'fine' });

      const { data: checks } = await health.checks(client, name);
      expect(checks).toEqual([expect.objectContaining({ CheckID: checkId, Status: 'passing', ServiceName: name, ServiceTags: ['blue'], Node: me.Config.NodeName })]);
      expect((await health.node(client, me.Config.NodeName)).data.map((c) => c.CheckID)).toEqual(expect.arrayContaining(['serfHealth', checkId]));
      expect((await health.state(client, 'passing')).data.some((c) => c.CheckID === checkId)).toBe(true);
      expect((await health.state(client, 'any')).data.some((c) => c.CheckID === checkId)).toBe(true);

      await agent.checkTtlWarn(client, checkId, 'slow');
      await eventually(async () => {
        expect((await health.state(client, 'warning')).data.find((c) => c.CheckID === checkId)?.Output).toBe('slow');
      });
      // warning is not passing
      expect((await health.service(client, name, { passing: true })).data).toEqual([]);
      expect((await health.checks(client, name, { filter: 'Status == "warning"' })).data).toHaveLength(1);
      expect((await health.checks(client, name, { filter: 'Status == "passing"' })).data).toEqual([]);
    } finally {
      await agent.serviceDeregister(client, name);
    }
    await eventually(async () => expect((await health.service(client, name)).data).toEqual([]));
    expect((await health.checks(client, name)).data).toEqual([]);
  });
});

describe('health of catalog entries', () => {
  it('service() filters by one or several tags, by filter expression, and lists checks of each instance', async () => {
    const node = uid('node');
    const svc = uid('svc');
    await catalog.register(client, {
      Node: node,
      Address: '10.3.3.3',
      Service: { Service: svc, ID: 'one', Port: 1, Tags: ['a', 'b'] },
      Check: { CheckID: 'one-check', Name: 'one', Status: 'passing', ServiceID: 'one' },
    });
    await catalog.register(client, {
      Node: node,
      Address: '10.3.3.3',
      Service: { Service: svc, ID: 'two', Port: 2, Tags: ['a', 'c'] },
      Check: { CheckID: 'two-check', Name: 'two', Status: 'critical', ServiceID: 'two' },
    });
    try {
      const ids = async (options: health.HealthServiceOptions) => (await health.service(client, svc, options)).data.map((e) => e.Service.ID).sort();
      expect(await ids({})).toEqual(['one', 'two']);
      expect(await ids({ tag: 'a' })).toEqual(['one', 'two']);
      expect(await ids({ tag: ['a', 'c'] })).toEqual(['two']);
      expect(await ids({ tag: ['b', 'c'] })).toEqual([]);
      expect(await ids({ passing: true })).toEqual(['one']);
      expect(await ids({ tag: 'a', passing: true })).toEqual(['one']);
      expect(await ids({ filter: 'Service.Port == 2' })).toEqual(['two']);
      expect(await ids({ near: '_agent' })).toEqual(['one', 'two']);
      const entry = (await health.service(client, svc, { tag: 'b' })).data[0]!;
      expect(entry.Node).toMatchObject({ Node: node, Address: '10.3.3.3' });
      expect(entry.Checks.map((c) => [c.CheckID, c.Status])).toEqual([['one-check', 'passing']]);
      expect((await health.node(client, node)).data.map((c) => c.CheckID).sort()).toEqual(['one-check', 'two-check']);
      expect((await health.state(client, 'critical', { filter: `Node == "${node}"` })).data.map((c) => c.CheckID)).toEqual(['two-check']);
    } finally {
      await catalog.deregister(client, { Node: node });
    }
  });

  it('ingress() lists the ingress gateways that expose a service, with their checks', async () => {
    const svc = uid('exposed');
    const gateway = uid('igw');
    const put = await raw('/v1/config', {
      method: 'PUT',
      body: JSON.stringify({ Kind: 'ingress-gateway', Name: gateway, Listeners: [{ Port: 18888, Protocol: 'tcp', Services: [{ Name: svc }] }] }),
    });
    expect(put.status).toBe(200);
    await agent.serviceRegister(client, { Name: gateway, Kind: 'ingress-gateway', Port: 18888 });
    try {
      const entries = await eventually(async () => {
        const { data } = await health.ingress(client, svc);
        expect(data).toHaveLength(1);
        return data;
      });
      expect(entries[0]!.Service).toMatchObject({ ID: gateway, Service: gateway, Kind: 'ingress-gateway', Port: 18888 });
      expect(entries[0]!.Checks.map((c) => c.CheckID)).toContain('serfHealth');
      expect((await health.ingress(client, svc, { passing: true })).data).toHaveLength(1);
      const { data: gatewayServices } = await catalog.gatewayServices(client, gateway);
      expect(gatewayServices).toEqual([
        expect.objectContaining({ Gateway: { Name: gateway }, Service: { Name: svc }, GatewayKind: 'ingress-gateway', Port: 18888, Protocol: 'tcp' }),
      ]);
    } finally {
      await agent.serviceDeregister(client, gateway);
      await raw(`/v1/config/ingress-gateway/${gateway}`, { method: 'DELETE' });
    }
  });

  it('connect() and ingress() answer [] for a service without Connect proxies or gateways', async () => {
    const name = uid('plain');
    expect((await health.connect(client, name)).data).toEqual([]);
    expect((await health.ingress(client, name, { passing: true })).data).toEqual([]);
  });

  it('the Consul facade binds health', async () => {
    const consul = new Consul(client);
    const { data: me } = await consul.agent.self();
    expect((await consul.health.node(me.Config.NodeName)).data.map((c) => c.CheckID)).toContain('serfHealth');
    expect((await consul.health.state('passing')).data.some((c) => c.CheckID === 'serfHealth')).toBe(true);
    expect((await consul.health.service(uid('none'))).data).toEqual([]);
  });
});

describe('health validation before sending', () => {
  const urls: string[] = [];
  const rec: Client = testClient({
    fetch: (input, init) => {
      urls.push(input instanceof Request ? input.url : String(input));
      return fetch(input, init);
    },
  });
  it('state() refuses anything but any/passing/warning/critical (Consul 1.8 would answer [])', async () => {
    const error = await rejection(health.state(rec, 'failing' as health.HealthState));
    expect(isInputError(error)).toBe(true);
    expect((error as Error).message).toMatch(/state must be "any", "passing", "warning" or "critical"/);
  });
  it('empty names and tags are refused', async () => {
    expect(isInputError(await rejection(health.service(rec, '')))).toBe(true);
    expect(isInputError(await rejection(health.checks(rec, '')))).toBe(true);
    expect(isInputError(await rejection(health.service(rec, 'x', { tag: '' })))).toBe(true);
  });
  it('none of them reached the agent', () => {
    expect(urls).toEqual([]);
  });
});
