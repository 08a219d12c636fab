// Cluster peering (Consul 1.13+).
// Contract tests from Consul's documented requests and responses — not run against 1.8.7 (it has no peering).
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import * as peering from '../../src/endpoints/peering.ts';
import { Consul, createClient, isInputError, isServerError } from '../../src/index.ts';
import { useMsw } from '../support/msw.ts';

const BASE = 'http://consul.test:8500';
const client = createClient({ address: BASE, retry: 0 });
const server = useMsw();

// https://developer.hashicorp.com/consul/api-docs/peering (sample responses)
const cluster02 = {
  ID: '462c45e8-018e-f19d-85eb-1fc1bcc2ef12',
  Name: 'cluster-02',
  State: 'ACTIVE',
  Partition: 'default',
  PeerID: 'e83a315c-027e-bcb1-7c0c-a46650904a05',
  PeerServerName: 'server.dc1.consul',
  PeerServerAddresses: ['10.0.0.1:8300'],
  CreateIndex: 89,
  ModifyIndex: 89,
};

describe('cluster peering (contract test from Consul’s documented responses, not run against 1.8.7)', () => {
  it('generates a token and establishes a peering with POSTs', async () => {
    const bodies: Record<string, unknown> = {};
    server.use(
      http.post(`${BASE}/v1/peering/token`, async ({ request }) => {
        bodies['token'] = await request.json();
        return HttpResponse.json({ PeeringToken: 'eyJDQSI6bnVsbCwiU2V...' });
      }),
      http.post(`${BASE}/v1/peering/establish`, async ({ request }) => {
        bodies['establish'] = await request.json();
        return HttpResponse.json({});
      }),
    );
    const { data } = await peering.generateToken(client, { PeerName: 'cluster-02', Meta: { env: 'production' } });
    expect(data.PeeringToken).toBe('eyJDQSI6bnVsbCwiU2V...');
    expect(bodies['token']).toEqual({ PeerName: 'cluster-02', Meta: { env: 'production' } });
    const established = await peering.establish(client, { PeerName: 'cluster-01', PeeringToken: data.PeeringToken });
    expect(established.data).toBeUndefined();
    expect(bodies['establish']).toEqual({ PeerName: 'cluster-01', PeeringToken: 'eyJDQSI6bnVsbCwiU2V...' });
    await expect(peering.generateToken(client, { PeerName: '' })).rejects.toSatisfy(isInputError);
    await expect(peering.establish(client, { PeerName: 'x', PeeringToken: '' })).rejects.toSatisfy(isInputError);
  });

  it('reads (missing: undefined), lists with ?partition and deletes', async () => {
    let listUrl = '';
    let deleted = '';
    server.use(
      http.get(`${BASE}/v1/peering/cluster-02`, () => HttpResponse.json(cluster02)),
      http.get(`${BASE}/v1/peering/nope`, () => new HttpResponse(null, { status: 404 })),
      http.get(`${BASE}/v1/peerings`, ({ request }) => {
        listUrl = request.url;
        return HttpResponse.json([
          cluster02,
          { ID: '1460ada9-26d2-f30d-3359-2968aa7dc47d', Name: 'cluster-03', State: 'INITIAL', Partition: 'default', Meta: { env: 'production' }, CreateIndex: 109, ModifyIndex: 119 },
        ]);
      }),
      http.delete(`${BASE}/v1/peering/cluster-02`, ({ request }) => {
        deleted = request.url;
        return new HttpResponse(null, { status: 200 });
      }),
    );
    const { data } = await peering.read(client, 'cluster-02');
    expect(data).toMatchObject({ State: 'ACTIVE', PeerServerAddresses: ['10.0.0.1:8300'] });
    expect((await peering.read(client, 'nope')).data).toBeUndefined();
    const listed = await peering.list(client, { partition: 'default' });
    expect(new URL(listUrl).searchParams.get('partition')).toBe('default');
    expect(listed.data.map((p) => p.State)).toEqual(['ACTIVE', 'INITIAL']);
    await peering.delete(client, 'cluster-02');
    expect(new URL(deleted).pathname).toBe('/v1/peering/cluster-02');
  });

  it('surfaces Consul’s error text, and is bound on the facade', async () => {
    server.use(http.post(`${BASE}/v1/peering/token`, () => new HttpResponse('peering must be enabled', { status: 500 })));
    const consul = new Consul(client);
    const error = await consul.peering.generateToken({ PeerName: 'x' }).catch((e: unknown) => e);
    expect(isServerError(error)).toBe(true);
    expect((error as Error).message).toMatch(/peering must be enabled/);
  });
});
