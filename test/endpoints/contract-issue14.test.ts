// Issue 14: endpoints and parameters newer than the Consul 1.8.7 our real-agent tests run (or that 1.8.7
// accepts and ignores). Contract tests: each scripted answer follows Consul's documented request and
// response, named in the test ("contract: Consul X.Y docs").
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import * as agent from '../../src/endpoints/agent.ts';
import * as connect from '../../src/endpoints/connect.ts';
import { createClient, isInputError, isNotFoundError } from '../../src/index.ts';
import { useMsw } from '../support/msw.ts';

const BASE = 'http://consul.test:8500';
const client = createClient({ address: BASE, retry: 0 });
const server = useMsw();

describe('force-leave with wan (contract: Consul 1.11 docs, agent#force-leave-and-shutdown)', () => {
  it('sends ?wan (and ?prune) as flags; 1.8.7 accepts and ignores wan, so only a script can show it is sent', async () => {
    let url: URL | undefined;
    server.use(http.put(`${BASE}/v1/agent/force-leave/:node`, ({ request }) => ((url = new URL(request.url)), new HttpResponse(null, { status: 200 }))));
    await agent.forceLeave(client, 'server-1.dc2', { wan: true, prune: true });
    expect(url?.pathname).toBe('/v1/agent/force-leave/server-1.dc2');
    expect(url?.searchParams.has('wan')).toBe(true);
    expect(url?.searchParams.has('prune')).toBe(true);
    await agent.forceLeave(client, 'n');
    expect(url?.searchParams.has('wan')).toBe(false);
  });
});

describe('intentions by exact name (contract: Consul 1.9 docs, connect/intentions)', () => {
  // https://developer.hashicorp.com/consul/api-docs/connect/intentions#read-specific-intention-by-name (sample response)
  const documented = {
    SourceName: 'web',
    DestinationName: 'db',
    SourceType: 'consul',
    Action: 'allow',
    Precedence: 9,
    CreateIndex: 11,
    ModifyIndex: 11,
    ID: '',
    Description: '',
    SourceNS: 'default',
    DestinationNS: 'default',
    Meta: {},
    CreatedAt: '0001-01-01T00:00:00Z',
    UpdatedAt: '0001-01-01T00:00:00Z',
  };

  it('reads by source and destination; Consul’s 404 "Intention not found" is undefined, another 404 throws', async () => {
    const asked: string[] = [];
    server.use(
      http.get(`${BASE}/v1/connect/intentions/exact`, ({ request }) => {
        const url = new URL(request.url);
        asked.push(`${url.searchParams.get('source')}→${url.searchParams.get('destination')}`);
        if (url.searchParams.get('destination') === 'db') return HttpResponse.json(documented);
        if (url.searchParams.get('destination') === 'proxy') return new HttpResponse('<html><title>404</title></html>', { status: 404, headers: { 'Content-Type': 'text/html' } });
        return new HttpResponse('Intention not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
      }),
    );
    expect((await connect.intentionReadExact(client, 'web', 'db')).data).toMatchObject({ SourceName: 'web', DestinationName: 'db', Action: 'allow' });
    expect((await connect.intentionReadExact(client, 'web', 'cache')).data).toBeUndefined();
    await expect(connect.intentionReadExact(client, 'web', 'proxy')).rejects.toSatisfy(isNotFoundError);
    expect(asked).toEqual(['web→db', 'web→cache', 'web→proxy']);
    await expect(connect.intentionReadExact(client, '', 'db')).rejects.toSatisfy(isInputError);
  });

  it('upserts with PUT ?source&destination and the intention as body; answers true', async () => {
    let seen: { url: URL; body: unknown } | undefined;
    server.use(
      http.put(`${BASE}/v1/connect/intentions/exact`, async ({ request }) => {
        seen = { url: new URL(request.url), body: await request.json() };
        return HttpResponse.json(true);
      }),
    );
    const { data } = await connect.intentionUpsert(client, 'web', 'db', { Action: 'allow', Description: 'doc sample' });
    expect(data).toBe(true);
    expect(seen?.url.searchParams.get('source')).toBe('web');
    expect(seen?.url.searchParams.get('destination')).toBe('db');
    expect(seen?.body).toEqual({ Action: 'allow', Description: 'doc sample' });
    await expect(connect.intentionUpsert(client, 'web', 'db', {})).rejects.toSatisfy(isInputError);
    await expect(connect.intentionUpsert(client, 'web', 'db', { Action: 'maybe' as never })).rejects.toSatisfy(isInputError);
  });

  it('deletes with DELETE ?source&destination', async () => {
    let url: URL | undefined;
    server.use(http.delete(`${BASE}/v1/connect/intentions/exact`, ({ request }) => ((url = new URL(request.url)), HttpResponse.json(true))));
    await connect.intentionDeleteExact(client, 'web', 'db');
    expect(url?.search).toBe('?source=web&destination=db');
  });
});
