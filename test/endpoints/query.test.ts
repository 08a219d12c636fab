// Prepared queries against a real Consul agent.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as query from '../../src/endpoints/query.ts';
import { Consul, isInputError, isNotFoundError, isServerError } from '../../src/index.ts';
import { raw, testClient } from '../support/client.ts';

const client = testClient();
const unique = `${process.pid}-${Date.now().toString(36)}`;
const service = `pq-web-${unique}`;
const created: string[] = [];

beforeAll(async () => {
  for (const [id, tags] of [[`${service}-1`, ['v1', 'blue']], [`${service}-2`, ['v2']], [`${service}-3`, ['v2']]] as const) {
    const res = await raw('/v1/agent/service/register', {
      method: 'PUT',
      body: JSON.stringify({ ID: id, Name: service, Port: 8080, Tags: tags }),
    });
    expect(res.status).toBe(200);
  }
});

afterAll(async () => {
  for (const id of created) await raw(`/v1/query/${id}`, { method: 'DELETE' });
  for (const n of [1, 2, 3]) await raw(`/v1/agent/service/deregister/${service}-${n}`, { method: 'PUT' });
});

describe('prepared queries', () => {
  it('creates, lists, reads, updates and deletes a query', async () => {
    const name = `pq-${unique}-crud`;
    const { data } = await query.create(client, { Name: name, Service: { Service: service, OnlyPassing: true, Tags: ['v2'] }, DNS: { TTL: '10s' } });
    created.push(data.ID);
    expect(data.ID).toMatch(/^[0-9a-f-]{36}$/);

    const listed = await query.list(client);
    expect(listed.data.find((q) => q.ID === data.ID)?.Name).toBe(name);
    expect(typeof listed.meta.index).toBe('bigint');

    const got = (await query.read(client, data.ID)).data!;
    expect(got).toMatchObject({ ID: data.ID, Name: name, DNS: { TTL: '10s' }, Service: { Service: service, OnlyPassing: true, Tags: ['v2'] } });

    // update replaces the definition; what we read can be written back
    await query.update(client, data.ID, { ...got, Service: { ...got.Service, Tags: ['v1'] } });
    const updated = (await query.read(client, data.ID)).data!;
    expect(updated.Service.Tags).toEqual(['v1']);
    expect(updated.ModifyIndex).toBeGreaterThan(got.ModifyIndex);

    await query.delete(client, data.ID);
    const gone = await query.read(client, data.ID);
    expect(gone.data).toBeUndefined();
    expect(gone.meta.status).toBe(404);
    // deleting and updating a missing query are 500s in Consul 1.8.7
    await expect(query.delete(client, data.ID)).rejects.toSatisfy(isServerError);
    await expect(query.update(client, data.ID, { Service: { Service: service } })).rejects.toThrow(/non-existent prepared query/);
  });

  it('takes the sample payload of Consul\'s docs (/v1/query) unchanged', async () => {
    // https://developer.hashicorp.com/consul/api-docs/query#sample-payload, trimmed of the one thing
    // 1.8.7 refuses: its "Session": "adf4238a-882b-9ddc-4a9d-5b6758e4159e" names a session that
    // exists only in the docs' cluster (Consul: "invalid session"), and a session's ID cannot be chosen.
    const payload = {
      Name: 'my-query',
      Token: '',
      Service: {
        Service: 'redis',
        Failover: {
          NearestN: 3,
          Datacenters: ['dc1', 'dc2'],
        },
        Near: 'node1',
        OnlyPassing: false,
        Tags: ['primary', '!experimental'],
        NodeMeta: { instance_type: 'm3.large' },
        ServiceMeta: { environment: 'production' },
      },
      DNS: {
        TTL: '10s',
      },
    };
    const { data } = await query.create(client, payload);
    created.push(data.ID);
    const got = (await query.read(client, data.ID)).data!;
    expect(got).toMatchObject({ ID: data.ID, Name: 'my-query', DNS: { TTL: '10s' }, Service: { ...payload.Service } });
    await query.delete(client, data.ID);
    created.pop();
  });

  it('executes by name and id with tags, limit, near and connect', async () => {
    const name = `pq-${unique}-exec`;
    const { data } = await query.create(client, { Name: name, Service: { Service: service, Tags: ['v2'] } });
    created.push(data.ID);

    const byName = await query.execute(client, name);
    expect(byName.data.Service).toBe(service);
    expect(byName.data.Datacenter).toBe('dc1');
    expect(byName.data.Failovers).toBe(0);
    expect(byName.data.Nodes.map((n) => n.Service.ID).sort()).toEqual([`${service}-2`, `${service}-3`]);
    expect(byName.data.Nodes[0]!.Node.Node).toBe('consulate-test');

    const limited = await query.execute(client, data.ID, { limit: 1, near: '_agent' });
    expect(limited.data.Nodes).toHaveLength(1);
    // no Connect proxies are registered for the service
    expect((await query.execute(client, name, { connect: true })).data.Nodes).toEqual([]);
    await expect(query.execute(client, name, { limit: -1 })).rejects.toSatisfy(isInputError);
  });

  it('explains and executes a name_prefix_match template', async () => {
    const prefix = `pq-${unique}-tpl-`;
    const { data } = await query.create(client, {
      Name: prefix,
      Template: { Type: 'name_prefix_match' },
      Service: { Service: '${name.suffix}' },
    });
    created.push(data.ID);
    const explained = await query.explain(client, `${prefix}${service}`);
    expect(explained.data.Query.Service.Service).toBe(service);
    expect(explained.data.Query.Template.Type).toBe('name_prefix_match');
    const executed = await query.execute(client, `${prefix}${service}`);
    expect(executed.data.Nodes).toHaveLength(3);
  });

  it('maps Consul’s errors: missing query 404, duplicate name 500, no service refused before sending', async () => {
    await expect(query.execute(client, `pq-${unique}-nope`)).rejects.toSatisfy(isNotFoundError);
    await expect(query.explain(client, `pq-${unique}-nope`)).rejects.toSatisfy(isNotFoundError);
    const name = `pq-${unique}-dup`;
    created.push((await query.create(client, { Name: name, Service: { Service: service } })).data.ID);
    await expect(query.create(client, { Name: name, Service: { Service: service } })).rejects.toThrow(/aliases an existing query name/);
    await expect(query.create(client, { Name: 'x', Service: { Service: '' } })).rejects.toSatisfy(isInputError);
    await expect(query.read(client, '')).rejects.toSatisfy(isInputError);
  });

  it('is bound on the facade', async () => {
    const consul = new Consul({ address: inject('consulAddress') });
    const { data } = await consul.query.create({ Name: `pq-${unique}-facade`, Service: { Service: service } });
    created.push(data.ID);
    expect((await consul.query.read(data.ID)).data?.ID).toBe(data.ID);
    expect((await consul.query.execute(data.ID)).data.Nodes).toHaveLength(3);
    await consul.query.delete(data.ID);
    expect((await consul.query.list()).data.some((q) => q.ID === data.ID)).toBe(false);
  });
});
