// Namespaces (Consul Enterprise 1.7+).
// Contract tests from Consul's documented requests and responses — not run against 1.8.7 (OSS has no namespaces).
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import * as namespace from '../../src/endpoints/namespace.ts';
import { Consul, createClient, isInputError, isForbiddenError } from '../../src/index.ts';
import { useMsw } from '../support/msw.ts';

const BASE = 'http://consul.test:8500';
const client = createClient({ address: BASE, token: 'ns-token', retry: 0 });
const server = useMsw();

// https://developer.hashicorp.com/consul/api-docs/namespaces (sample response)
const team1 = {
  Name: 'team-1',
  Description: 'Namespace for Team 1',
  ACLs: {
    PolicyDefaults: [
      { ID: '77117cf6-d976-79b0-d63b-5a36ac69c8f1', Name: 'service-read' },
      { ID: 'af937401-9950-fcae-8396-610ce047649a', Name: 'node-read' },
    ],
    RoleDefaults: [{ ID: '69748856-ae69-d620-3ec4-07844b3c6be7', Name: 'service-discovery' }],
  },
  Meta: { foo: 'bar' },
  CreateIndex: 55,
  ModifyIndex: 55,
};

describe('namespaces (contract test from Consul’s documented responses, not run against 1.8.7)', () => {
  it('creates with PUT /v1/namespace and the token in the header', async () => {
    let seen: { method: string; body: unknown; token: string | null; url: string } | undefined;
    server.use(
      http.put(`${BASE}/v1/namespace`, async ({ request }) => {
        seen = { method: request.method, body: await request.json(), token: request.headers.get('x-consul-token'), url: request.url };
        return HttpResponse.json(team1);
      }),
    );
    const input = { Name: 'team-1', Description: 'Namespace for Team 1', ACLs: { PolicyDefaults: [{ Name: 'node-read' }] }, Meta: { foo: 'bar' } };
    const { data } = await namespace.create(client, input);
    expect(seen?.body).toEqual(input);
    expect(seen?.token).toBe('ns-token');
    expect(seen?.url).not.toContain('token');
    expect(data.ACLs?.PolicyDefaults?.[1]?.Name).toBe('node-read');
    expect(data.CreateIndex).toBe(55);
    await expect(namespace.create(client, { Name: '' })).rejects.toSatisfy(isInputError);
  });

  it('reads a namespace, and a missing one as undefined', async () => {
    server.use(
      http.get(`${BASE}/v1/namespace/team-1`, () => HttpResponse.json(team1, { headers: { 'X-Consul-Index': '55' } })),
      http.get(`${BASE}/v1/namespace/nope`, () => new HttpResponse(null, { status: 404 })),
    );
    const found = await namespace.read(client, 'team-1');
    expect(found.data?.Meta).toEqual({ foo: 'bar' });
    expect(found.meta.index).toBe(55n);
    expect((await namespace.read(client, 'nope')).data).toBeUndefined();
  });

  it('updates with PUT /v1/namespace/:name and lists with GET /v1/namespaces', async () => {
    let body: unknown;
    server.use(
      http.put(`${BASE}/v1/namespace/team-1`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ ...team1, Description: 'Team one', ModifyIndex: 60 });
      }),
      http.get(`${BASE}/v1/namespaces`, () =>
        HttpResponse.json([{ Name: 'default', Description: 'Builtin Default Namespace', CreateIndex: 6, ModifyIndex: 6 }, team1]),
      ),
    );
    const { data } = await namespace.update(client, 'team-1', { Description: 'Team one' });
    expect(body).toEqual({ Description: 'Team one' });
    expect(data.ModifyIndex).toBe(60);
    expect((await namespace.list(client)).data.map((n) => n.Name)).toEqual(['default', 'team-1']);
  });

  it('deletes with DELETE /v1/namespace/:name; a later read shows DeletedAt', async () => {
    let method = '';
    server.use(
      http.delete(`${BASE}/v1/namespace/team-1`, ({ request }) => {
        method = request.method;
        return new HttpResponse(null, { status: 200 });
      }),
      http.get(`${BASE}/v1/namespace/team-1`, () => HttpResponse.json({ ...team1, DeletedAt: '2019-12-02T23:00:00Z', ModifyIndex: 100 })),
    );
    const removed = await namespace.delete(client, 'team-1');
    expect(method).toBe('DELETE');
    expect(removed.data).toBeUndefined();
    expect((await namespace.read(client, 'team-1')).data?.DeletedAt).toBe('2019-12-02T23:00:00Z');
  });

  it('maps a denied request to ForbiddenError, and is bound on the facade', async () => {
    server.use(http.get(`${BASE}/v1/namespaces`, () => new HttpResponse('Permission denied', { status: 403 })));
    const consul = new Consul(client);
    await expect(consul.namespace.list()).rejects.toSatisfy(isForbiddenError);
  });
});
