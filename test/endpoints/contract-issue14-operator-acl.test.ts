// Issue 14 (second part): operator, ACL and config entry endpoints and parameters newer than the
// Consul 1.8.7 our real-agent tests run. Contract tests: each scripted answer follows Consul's
// documented request and response, named in the test ("contract: Consul X.Y docs").
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import * as acl from '../../src/endpoints/acl.ts';
import * as agent from '../../src/endpoints/agent.ts';
import * as exportedServices from '../../src/endpoints/exported-services.ts';
import * as config from '../../src/endpoints/config.ts';
import * as operator from '../../src/endpoints/operator.ts';
import { Consul, createClient, isInputError, isNotFoundError, isResponseValidationError } from '../../src/index.ts';
import { useMsw } from '../support/msw.ts';

const BASE = 'http://consul.test:8500';
const client = createClient({ address: BASE, retry: 0 });
const server = useMsw();

describe('operator autopilot state (contract: Consul 1.9 docs, operator/autopilot#read-the-autopilot-state)', () => {
  // the documented server shape, under the documented top-level shape (OSS: no zones, replicas or upgrade)
  const documentedServer = {
    ID: '1c3e3278-3f88-4a97-9f6a-1058584e8058',
    Name: 'node1',
    Address: '198.18.0.1:8300',
    NodeStatus: 'alive',
    Version: '1.9.0',
    LastContact: '1.321ms',
    LastTerm: 4,
    LastIndex: 42,
    Healthy: true,
    StableSince: '2020-08-12T12:13:14Z',
    ReadReplica: false,
    Status: 'leader',
    Meta: { 'consul-network-segment': '' },
    NodeType: 'voter',
  };
  const documented = {
    Healthy: true,
    FailureTolerance: 0,
    OptimisticFailureTolerance: 0,
    Servers: { [documentedServer.ID]: documentedServer },
    Leader: documentedServer.ID,
    Voters: [documentedServer.ID],
  };

  it('GETs /v1/operator/autopilot/state with ?dc and returns the servers keyed by Raft ID', async () => {
    let url: URL | undefined;
    server.use(http.get(`${BASE}/v1/operator/autopilot/state`, ({ request }) => ((url = new URL(request.url)), HttpResponse.json(documented))));
    const { data } = await operator.autopilotState(client, { datacenter: 'dc2' });
    expect(url?.searchParams.get('dc')).toBe('dc2');
    expect(data.Servers[data.Leader]).toMatchObject({ Name: 'node1', Status: 'leader', NodeType: 'voter', LastIndex: 42 });
    expect(data.Voters).toEqual([documentedServer.ID]);
    expect(data.OptimisticFailureTolerance).toBe(0); // unknown-to-the-schema fields pass through
  });

  it('a body without the documented fields is a ResponseValidationError', async () => {
    server.use(http.get(`${BASE}/v1/operator/autopilot/state`, () => HttpResponse.json({ Healthy: true })));
    await expect(operator.autopilotState(client)).rejects.toSatisfy(isResponseValidationError);
  });
});

describe('operator raft transfer-leader (contract: Consul 1.15, Go api RaftLeaderTransfer)', () => {
  it('POSTs /v1/operator/raft/transfer-leader, with ?id when given, and returns { Success }', async () => {
    const seen: { method: string; search: string }[] = [];
    server.use(
      http.post(`${BASE}/v1/operator/raft/transfer-leader`, ({ request }) => {
        seen.push({ method: request.method, search: new URL(request.url).search });
        return HttpResponse.json({ Success: true });
      }),
    );
    expect((await operator.raftTransferLeader(client, { id: 'e4a8a4f8-0000-4000-8000-000000000001' })).data).toEqual({ Success: true });
    expect((await operator.raftTransferLeader(client)).data.Success).toBe(true);
    expect(seen).toEqual([
      { method: 'POST', search: '?id=e4a8a4f8-0000-4000-8000-000000000001' },
      { method: 'POST', search: '' },
    ]);
    await expect(operator.raftTransferLeader(client, { id: '' })).rejects.toSatisfy(isInputError);
  });
});

describe('operator usage (contract: Consul docs operator/usage, sample response)', () => {
  const documented = {
    Usage: {
      dc1: {
        Services: 1,
        ServiceInstances: 1,
        ConnectServiceInstances: { 'connect-native': 0, 'connect-proxy': 0, 'ingress-gateway': 0, 'mesh-gateway': 0, 'terminating-gateway': 0 },
        BillableServiceInstances: 0,
        Nodes: 1,
      },
    },
    Index: 13,
    LastContact: 0,
    KnownLeader: true,
    ConsistencyLevel: 'leader',
    NotModified: false,
    Backend: 0,
    ResultsFilteredByACLs: false,
  };

  it('GETs /v1/operator/usage (?global, blocking options) and reads the counts by datacenter', async () => {
    let url: URL | undefined;
    server.use(
      http.get(`${BASE}/v1/operator/usage`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json(documented, { headers: { 'X-Consul-Index': '13' } });
      }),
    );
    const { data, meta } = await operator.usage(client, { global: true, index: 12, wait: '1s' });
    expect(url?.searchParams.has('global')).toBe(true);
    expect(url?.searchParams.get('index')).toBe('12');
    expect(data.Usage['dc1']).toMatchObject({ Services: 1, ServiceInstances: 1, Nodes: 1 });
    expect(data.Usage['dc1']?.ConnectServiceInstances['mesh-gateway']).toBe(0);
    expect(meta.index).toBe(13n);
    await operator.usage(client);
    expect(url?.searchParams.has('global')).toBe(false);
  });
});

describe('ACL templated policies (contract: Consul 1.17 docs, acl/templated-policies)', () => {
  const builtinService = {
    TemplateName: 'builtin/service',
    Schema: '{\n\t"type": "object"\n}',
    Template: '\nservice "{{.Name}}" {\n\tpolicy = "write"\n}',
  };

  it('lists by name (GET /v1/acl/templated-policies)', async () => {
    server.use(http.get(`${BASE}/v1/acl/templated-policies`, () => HttpResponse.json({ 'builtin/service': builtinService, 'builtin/dns': { TemplateName: 'builtin/dns', Schema: '', Template: 'node_prefix "" {}' } })));
    const { data } = await acl.templatedPolicyList(client);
    expect(Object.keys(data).sort()).toEqual(['builtin/dns', 'builtin/service']);
    expect(data['builtin/service']?.Template).toContain('{{.Name}}');
  });

  it('reads by name, keeping the name’s "/" as a path separator', async () => {
    let path: string | undefined;
    server.use(http.get(`${BASE}/v1/acl/templated-policy/name/*`, ({ request }) => ((path = new URL(request.url).pathname), HttpResponse.json(builtinService))));
    expect((await acl.templatedPolicyReadByName(client, 'builtin/service')).data.TemplateName).toBe('builtin/service');
    expect(path).toBe('/v1/acl/templated-policy/name/builtin/service');
    await expect(acl.templatedPolicyReadByName(client, '')).rejects.toSatisfy(isInputError);
    await expect(acl.templatedPolicyReadByName(client, 'builtin//service')).rejects.toSatisfy(isInputError);
  });

  it('previews with POST /v1/acl/templated-policy/preview/:name and the variables as body', async () => {
    let seen: { path: string; body: unknown } | undefined;
    server.use(
      http.post(`${BASE}/v1/acl/templated-policy/preview/*`, async ({ request }) => {
        seen = { path: new URL(request.url).pathname, body: await request.json() };
        return HttpResponse.json({
          ID: '0a73657276696365202277656222207',
          Name: 'synthetic-policy-0a73657276',
          Description: 'synthetic policy generated from templated policy: builtin/service',
          Rules: '\nservice "api" {\n\tpolicy = "write"\n}',
          Hash: 'b04MnvCVtBXZAmGe4uDpGLABJoGo2nNhEJkqaN5E5x4=',
          CreateIndex: 0,
          ModifyIndex: 0,
        });
      }),
    );
    const { data } = await acl.templatedPolicyPreview(client, 'builtin/service', { Name: 'api' });
    expect(seen).toEqual({ path: '/v1/acl/templated-policy/preview/builtin/service', body: { Name: 'api' } });
    expect(data.Rules).toContain('service "api"');
    await expect(acl.templatedPolicyPreview(client, 'builtin/service', 'api' as never)).rejects.toSatisfy(isInputError);
  });

  it('an unknown template is a NotFoundError', async () => {
    server.use(http.get(`${BASE}/v1/acl/templated-policy/name/*`, () => new HttpResponse('templated policy not found', { status: 404 })));
    await expect(acl.templatedPolicyReadByName(client, 'builtin/nope')).rejects.toSatisfy(isNotFoundError);
  });
});

describe('ACL bootstrap with a supplied secret (contract: Go api ACL.BootstrapWithToken → body { BootstrapSecret })', () => {
  it('sends { BootstrapSecret } only when given, and refuses a secret that is not a UUID before sending', async () => {
    const bodies: string[] = [];
    const secret = '2b778dd9-f5f1-6f29-b4b4-9a5fa948757a';
    server.use(
      http.put(`${BASE}/v1/acl/bootstrap`, async ({ request }) => {
        bodies.push(await request.text());
        return HttpResponse.json({ AccessorID: 'b5b1a918-50bc-fc46-dec2-d481359da4e3', SecretID: secret, Description: 'Bootstrap Token (Global Management)', Policies: [{ ID: '00000000-0000-0000-0000-000000000001', Name: 'global-management' }], Local: false, CreateTime: '2018-10-24T10:34:20.843397-04:00', Hash: 'oyrov6+GFLjo/KZAfqgxF/X4J/3LX0435DOBy9V22I0=', CreateIndex: 12, ModifyIndex: 12 });
      }),
    );
    expect((await acl.bootstrap(client, { bootstrapSecret: secret })).data.SecretID).toBe(secret);
    await acl.bootstrap(client);
    expect(bodies).toEqual([JSON.stringify({ BootstrapSecret: secret }), '']);
    await expect(acl.bootstrap(client, { bootstrapSecret: 'not-a-uuid' })).rejects.toSatisfy(isInputError);
    expect(bodies).toHaveLength(2);
  });
});

describe('ACL token read expanded (contract: Consul 1.12 docs, acl/tokens#read-a-token)', () => {
  it('sends ?expanded and keeps the expanded fields', async () => {
    let url: URL | undefined;
    server.use(
      http.get(`${BASE}/v1/acl/token/:id`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json({
          AccessorID: '6a1253d2-1785-24fd-91c2-f8e78c745511', SecretID: '<hidden>', Description: 'Agent token', Policies: [], Local: false,
          CreateTime: '2018-10-24T12:25:06.921933-04:00', Hash: 'UuiRkOQPRCvoRZHRtUxxbrmwZ5crYrOdZ0Z1FTFbTbA=', CreateIndex: 59, ModifyIndex: 59,
          ExpandedPolicies: [{ ID: 'p1', Name: 'node-read', Rules: 'node_prefix "" { policy = "read" }' }], AgentACLDefaultPolicy: 'allow', AgentACLDownPolicy: 'deny', ResolvedByAgent: 'server-1',
        });
      }),
    );
    const { data } = await acl.tokenRead(client, '6a1253d2-1785-24fd-91c2-f8e78c745511', { expanded: true });
    expect(url?.searchParams.has('expanded')).toBe(true);
    expect(data?.ExpandedPolicies).toEqual([{ ID: 'p1', Name: 'node-read', Rules: 'node_prefix "" { policy = "read" }' }]);
    await acl.tokenRead(client, '6a1253d2-1785-24fd-91c2-f8e78c745511');
    expect(url?.searchParams.has('expanded')).toBe(false);
  });
});

describe('config entry delete with cas (contract: Consul 1.11 docs, config#delete-configuration)', () => {
  it('DELETEs with ?cas and reads Consul’s true/false; cas 0 is refused before sending', async () => {
    const seen: string[] = [];
    server.use(
      http.delete(`${BASE}/v1/config/:kind/:name`, ({ request }) => {
        const url = new URL(request.url);
        seen.push(`${url.pathname}${url.search}`);
        return HttpResponse.json(url.searchParams.get('cas') === '7');
      }),
    );
    expect((await config.deleteCas(client, 'service-defaults', 'web', 7)).data).toBe(true);
    expect((await config.deleteCas(client, 'service-defaults', 'web', 6n)).data).toBe(false);
    expect(seen).toEqual(['/v1/config/service-defaults/web?cas=7', '/v1/config/service-defaults/web?cas=6']);
    await expect(config.deleteCas(client, 'service-defaults', 'web', 0)).rejects.toSatisfy(isInputError);
    await expect(config.deleteCas(client, 'service-defaults', 'web', 7, { datacenter: 'dc2' })).rejects.toSatisfy(isInputError);
    expect(seen).toHaveLength(2);
  });

});

describe('agent metrics stream (contract: Go api Agent.MetricsStream; Consul writes one JSON summary per interval with a json.Encoder)', () => {
  const summary = (n: number): string =>
    `${JSON.stringify({ Timestamp: `2026-11-30 01:00:${10 * n} +0000 UTC`, Gauges: [{ Name: 'consul.runtime.alloc_bytes', Value: 4704344 + n, Labels: {} }], Points: [], Counters: [], Samples: [] })}\n`;

  it('yields each summary as it arrives, split across chunks, and asks for no compression', async () => {
    let encoding: string | null = null;
    server.use(
      http.get(`${BASE}/v1/agent/metrics/stream`, ({ request }) => {
        encoding = request.headers.get('accept-encoding');
        const bytes = new TextEncoder().encode(summary(0) + summary(1));
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(bytes.slice(0, 50)); // a summary split across reads
            controller.enqueue(bytes.slice(50));
            controller.close();
          },
        });
        return new HttpResponse(stream, { headers: { 'Content-Type': 'application/json' } });
      }),
    );
    const seen: number[] = [];
    for await (const s of agent.metricsStream(client)) seen.push(s.Gauges[0]!['Value'] as number);
    expect(seen).toEqual([4704344, 4704345]);
    expect(encoding).toBe('identity');
  });

  it('a line that is not a metrics summary is a ResponseValidationError; an explicit datacenter is refused', async () => {
    server.use(http.get(`${BASE}/v1/agent/metrics/stream`, () => new HttpResponse('not json\n')));
    await expect(agent.metricsStream(client).next()).rejects.toSatisfy(isResponseValidationError);
    await expect(agent.metricsStream(client, { datacenter: 'dc2' }).next()).rejects.toSatisfy(isInputError);
    await expect(agent.metricsStream(client, { idleTimeout: -1 }).next()).rejects.toSatisfy(isInputError);
  });

  it('ends without an error when the caller aborts', async () => {
    const controller = new AbortController();
    server.use(
      http.get(`${BASE}/v1/agent/metrics/stream`, () => {
        const stream = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new TextEncoder().encode(summary(0))) }); // then silence
        return new HttpResponse(stream);
      }),
    );
    const seen: unknown[] = [];
    for await (const s of agent.metricsStream(client, { signal: controller.signal })) {
      seen.push(s);
      controller.abort();
    }
    expect(seen).toHaveLength(1);
  });
});

describe('exported services (contract: Consul 1.17.3 docs, exported-services#list-exported-services)', () => {
  it('GETs /v1/exported-services (?partition, blocking options) and reads services with their consumers', async () => {
    let url: URL | undefined;
    server.use(
      http.get(`${BASE}/v1/exported-services`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json(
          [
            { Service: 'frontend', Consumers: { Peers: ['east', 'west'] } },
            { Service: 'db', Consumers: { Peers: ['east'] } },
          ],
          { headers: { 'X-Consul-Index': '42' } },
        );
      }),
    );
    const { data, meta } = await exportedServices.list(client, { partition: 'p1', index: 41 });
    expect(url?.searchParams.get('partition')).toBe('p1');
    expect(data.map((s) => `${s.Service}:${s.Consumers.Peers?.join('+')}`)).toEqual(['frontend:east+west', 'db:east']);
    expect(meta.index).toBe(42n);
  });

  it('null (nothing exported) is []', async () => {
    server.use(http.get(`${BASE}/v1/exported-services`, () => HttpResponse.json(null)));
    expect((await exportedServices.list(client)).data).toEqual([]);
  });
});

describe('imported services (contract: Go api Client.ImportedServices / ImportedService; not on Consul 1.21’s API pages)', () => {
  it('GETs /v1/imported-services and reads the Go client’s fields', async () => {
    server.use(http.get(`${BASE}/v1/imported-services`, () => HttpResponse.json([{ Service: 'billing', SourcePeer: 'east' }])));
    const { data } = await exportedServices.importedList(client);
    expect(data).toEqual([{ Service: 'billing', SourcePeer: 'east' }]);
  });
});

describe('newer config entry kinds (contract: Consul 1.15 docs, config-entry/api-gateway)', () => {
  it('reads an api-gateway typed by Kind, keeping fields consulate does not name', async () => {
    const documented = {
      Kind: 'api-gateway',
      Name: 'my-gateway',
      Listeners: [{ Name: 'my-http-listener', Port: 8080, Protocol: 'http', Hostname: '*.example.com', TLS: { Certificates: [{ Kind: 'inline-certificate', Name: 'my-cert' }] } }],
      Status: { Conditions: [{ Type: 'Accepted', Status: 'True' }] },
      CreateIndex: 10,
      ModifyIndex: 12,
      SomeFieldOfALaterVersion: { kept: true },
    };
    server.use(http.get(`${BASE}/v1/config/api-gateway/my-gateway`, () => HttpResponse.json(documented)));
    const { data } = await config.read(client, 'api-gateway', 'my-gateway');
    expect(data?.Listeners?.[0]?.TLS?.Certificates?.[0]).toEqual({ Kind: 'inline-certificate', Name: 'my-cert' });
    expect(data?.['SomeFieldOfALaterVersion']).toEqual({ kept: true });
  });
});

describe('QueryMeta queryBackend (contract: Consul 1.10 X-Consul-Query-Backend, Go api parseQueryMeta)', () => {
  it('reads X-Consul-Query-Backend, and measures requestTime', async () => {
    server.use(
      http.get(`${BASE}/v1/operator/usage`, () =>
        HttpResponse.json({ Usage: {} }, { headers: { 'X-Consul-Index': '5', 'X-Consul-Query-Backend': 'streaming' } }),
      ),
    );
    const { meta } = await operator.usage(client);
    expect(meta.queryBackend).toBe('streaming');
    expect(typeof meta.requestTime).toBe('number');
  });
});

describe('facade paths of the additions', () => {
  it('binds them under operator, acl and config', () => {
    const consul = new Consul({ address: BASE });
    expect(typeof consul.operator.autopilot.state).toBe('function');
    expect(typeof consul.operator.raft.transferLeader).toBe('function');
    expect(typeof consul.operator.usage).toBe('function');
    expect(typeof consul.acl.templatedPolicy.preview).toBe('function');
    expect(typeof consul.config.deleteCas).toBe('function');
    expect(typeof consul.agent.metricsStream).toBe('function');
    expect(typeof consul.exportedServices.list).toBe('function');
    expect(typeof consul.exportedServices.importedList).toBe('function');
  });
});
