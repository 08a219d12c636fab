// Issue 14: parameters and endpoints newer than Consul 1.8.7, against a real 1.8.7 agent. The agent
// accepts and ignores the parameters (or lacks the endpoint), so these tests show what consulate sends
// (recorded by a wrapping fetch) and what 1.8.7 answers. What newer versions do is contract-tested in
// contract-issue14-operator-acl.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as acl from '../../src/endpoints/acl.ts';
import * as agentApi from '../../src/endpoints/agent.ts';
import * as config from '../../src/endpoints/config.ts';
import * as exportedServices from '../../src/endpoints/exported-services.ts';
import * as health from '../../src/endpoints/health.ts';
import * as operator from '../../src/endpoints/operator.ts';
import { createClient, isNotFoundError, isResponseValidationError } from '../../src/index.ts';
import type { Client } from '../../src/index.ts';
import { startAgent } from '../support/agent.mjs';
import type { Agent } from '../support/agent.mjs';

const MASTER = crypto.randomUUID();
let agent: Agent;
let admin: Client;
const sent: URL[] = [];

beforeAll(async () => {
  agent = await startAgent({ acl: { masterToken: MASTER }, name: 'consulate-acl-newer' });
  const recording = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    sent.push(new URL(input instanceof Request ? input.url : String(input)));
    return fetch(input, init);
  };
  admin = createClient({ address: agent.address, token: MASTER, fetch: recording });
}, 60_000);

afterAll(async () => {
  await agent?.stop();
});

describe('token list serviceName on Consul 1.8.7', () => {
  it('is sent as ?servicename=, and 1.8.7 ignores it (every token comes back)', async () => {
    const { data: web } = await acl.tokenCreate(admin, { Description: 'web', ServiceIdentities: [{ ServiceName: 'web' }] });
    const { data: db } = await acl.tokenCreate(admin, { Description: 'db', ServiceIdentities: [{ ServiceName: 'db' }] });
    sent.length = 0;
    const { data } = await acl.tokenList(admin, { serviceName: 'web' });
    expect(sent.at(-1)?.pathname).toBe('/v1/acl/tokens');
    expect(sent.at(-1)?.searchParams.get('servicename')).toBe('web');
    const accessors = data.map((token) => token.AccessorID);
    expect(accessors).toContain(web.AccessorID);
    expect(accessors).toContain(db.AccessorID); // 1.8.7 does not filter
  });
});

describe('token read expanded on Consul 1.8.7', () => {
  it('is sent as ?expanded, and 1.8.7 answers the plain token (no ExpandedPolicies)', async () => {
    const { data: created } = await acl.tokenCreate(admin, { Description: 'expanded', ServiceIdentities: [{ ServiceName: 'api' }] });
    sent.length = 0;
    const { data } = await acl.tokenRead(admin, created.AccessorID, { expanded: true });
    expect(sent.at(-1)?.searchParams.has('expanded')).toBe(true);
    expect(data?.AccessorID).toBe(created.AccessorID);
    expect(data?.ExpandedPolicies).toBeUndefined();
  });
});

describe('config entry deleteCas on Consul 1.8.7', () => {
  it('1.8.7 ignores ?cas, deletes anyway and answers {}: deleteCas reports that as a ResponseValidationError saying the entry was deleted unchecked, not as success', async () => {
    await config.set(admin, { Kind: 'service-defaults', Name: 'cas-web', Protocol: 'http' });
    const { data: entry } = await config.read(admin, 'service-defaults', 'cas-web');
    const stale = BigInt(entry!.ModifyIndex!) + 1000n; // a cas that cannot match
    sent.length = 0;
    const error = await config.deleteCas(admin, 'service-defaults', 'cas-web', stale).catch((e: unknown) => e);
    expect(error).toSatisfy(isResponseValidationError);
    expect((error as Error).message).toMatch(/answered \{\} instead of true\/false: this agent ignores \?cas \(Consul older than 1\.11\), so the entry was deleted without the check/);
    expect(sent.at(-1)?.searchParams.get('cas')).toBe(String(stale));
    expect((await config.read(admin, 'service-defaults', 'cas-web')).data).toBeUndefined(); // deleted regardless
  });
});

describe('endpoints Consul 1.8.7 lacks answer NotFoundError', () => {
  it('metrics stream, autopilot state, raft transfer-leader, usage, templated policies, exported and imported services', async () => {
    await expect(agentApi.metricsStream(admin).next()).rejects.toSatisfy(isNotFoundError);
    await expect(operator.autopilotState(admin)).rejects.toSatisfy(isNotFoundError);
    await expect(operator.raftTransferLeader(admin)).rejects.toSatisfy(isNotFoundError);
    await expect(operator.usage(admin)).rejects.toSatisfy(isNotFoundError);
    await expect(acl.templatedPolicyList(admin)).rejects.toSatisfy(isNotFoundError);
    await expect(exportedServices.list(admin)).rejects.toSatisfy(isNotFoundError);
    await expect(exportedServices.importedList(admin)).rejects.toSatisfy(isNotFoundError);
  });
});

describe('query options peer, mergeCentralConfig, samenessGroup and QueryMeta on Consul 1.8.7', () => {
  it('are sent as ?peer, ?merge-central-config, ?sameness-group; 1.8.7 ignores them and answers the local data', async () => {
    await agentApi.serviceRegister(admin, { Name: 'issue14-peer', ID: 'issue14-peer-1', Port: 7000 });
    sent.length = 0;
    const { data, meta } = await health.service(admin, 'issue14-peer', { peer: 'east', mergeCentralConfig: true, samenessGroup: 'sg1' });
    const url = sent.at(-1)!;
    expect(url.pathname).toBe('/v1/health/service/issue14-peer');
    expect(url.searchParams.get('peer')).toBe('east');
    expect(url.searchParams.has('merge-central-config')).toBe(true);
    expect(url.searchParams.get('sameness-group')).toBe('sg1');
    expect(data.map((entry) => entry.Service.ID)).toEqual(['issue14-peer-1']);
    // QueryMeta: requestTime is measured by the client; 1.8.7 sends no X-Consul-Query-Backend
    expect(meta.requestTime).toBeGreaterThanOrEqual(0);
    expect(meta.queryBackend).toBeUndefined();
    await agentApi.serviceDeregister(admin, 'issue14-peer-1');
  });
});

describe('acl bootstrap with bootstrapSecret on Consul 1.8.7', () => {
  it('sends { BootstrapSecret }; 1.8.7 ignores the body and generates its own secret', async () => {
    const fresh = await startAgent({ name: 'consulate-acl-bootstrap-secret', hcl: 'acl { enabled = true  default_policy = "allow"  enable_token_persistence = false }' });
    try {
      const bodies: string[] = [];
      const recording = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
        bodies.push(input instanceof Request ? await input.clone().text() : String(init?.body ?? ''));
        return fetch(input, init);
      };
      const secret = crypto.randomUUID();
      const { data: root } = await acl.bootstrap(createClient({ address: fresh.address, fetch: recording }), { bootstrapSecret: secret });
      expect(bodies).toEqual([JSON.stringify({ BootstrapSecret: secret })]);
      expect(root.SecretID).toMatch(/^[0-9a-f-]{36}$/);
      expect(root.SecretID).not.toBe(secret); // 1.8.7 does not read the body
    } finally {
      await fresh.stop();
    }
  }, 60_000);
});
