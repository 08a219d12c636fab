// Issue 14, against real Consul 1.8.7 agents: the agent's Connect endpoints (authorize, CA roots, leaf
// certificates), the CA configuration update, the discovery chain (GET and POST with overrides),
// force-leave and leave. CA updates and the leave run on a throwaway agent of this file's own.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as agent from '../../src/endpoints/agent.ts';
import * as connect from '../../src/endpoints/connect.ts';
import * as discoveryChain from '../../src/endpoints/discovery-chain.ts';
import { Consul, createClient, isBadRequestError, isInputError, isNetworkError, isServerError } from '../../src/index.ts';
import type { Client } from '../../src/index.ts';
import { startAgent, type Agent } from '../support/agent.mjs';
import { raw, testClient, uniqueName } from '../support/client.ts';

const client = testClient();
const createdIntentions: string[] = [];

afterAll(async () => {
  for (const id of createdIntentions) await raw(`/v1/connect/intentions/${id}`, { method: 'DELETE' });
});

describe('agent Connect endpoints (real agent)', () => {
  it('agent CA roots are the cluster’s roots, served from the agent cache, with an index to block on', async () => {
    const fromAgent = await agent.connectCaRoots(client);
    const fromServers = await connect.caRoots(client);
    expect(fromAgent.data.ActiveRootID).toBe(fromServers.data.ActiveRootID);
    expect(fromAgent.data.Roots.find((r) => r.Active)?.RootCert).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(['HIT', 'MISS']).toContain(fromAgent.meta.cache);
    expect(typeof fromAgent.meta.index).toBe('bigint');
  });

  it('issues a leaf certificate for a service; a blocking read on its index returns the same certificate after the wait', async () => {
    const service = uniqueName('leaf');
    const { data, meta } = await agent.connectCaLeaf(client, service);
    const { data: roots } = await agent.connectCaRoots(client);
    expect(data.Service).toBe(service);
    expect(data.ServiceURI).toBe(`spiffe://${roots.TrustDomain}/ns/default/dc/dc1/svc/${service}`);
    expect(data.CertPEM).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(data.PrivateKeyPEM).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    expect(Date.parse(data.ValidBefore)).toBeGreaterThan(Date.parse(data.ValidAfter));
    const again = await agent.connectCaLeaf(client, service, { index: meta.index!, wait: '1s' });
    expect(again.data.SerialNumber).toBe(data.SerialNumber);
    expect(again.meta.index).toBe(meta.index);
  });

  it('authorizes a connection (allowed by default without ACLs) and denies one a deny intention forbids', async () => {
    const source = uniqueName('authz-src');
    const target = uniqueName('authz-dst');
    const { data: roots } = await agent.connectCaRoots(client);
    const request = {
      Target: target,
      ClientCertURI: `spiffe://${roots.TrustDomain}/ns/default/dc/dc1/svc/${source}`,
      ClientCertSerial: '04:00:00',
    };
    const allowed = await agent.connectAuthorize(client, request);
    expect(allowed.data).toEqual({ Authorized: true, Reason: 'ACLs disabled, access is allowed by default' });

    const { data: created } = await connect.intentionCreate(client, { SourceName: source, DestinationName: target, Action: 'deny' });
    createdIntentions.push(created.ID);
    const denied = await agent.connectAuthorize(client, request);
    expect(denied.data.Authorized).toBe(false);
    expect(denied.data.Reason).toMatch(/Matched intention/);
  });

  it('refuses an incomplete authorize request before sending, and Consul refuses a URI that is not a service id', async () => {
    await expect(agent.connectAuthorize(client, { Target: 'db', ClientCertURI: '', ClientCertSerial: '01' })).rejects.toSatisfy(
      (e: unknown) => isInputError(e) && /ClientCertURI/.test((e as Error).message),
    );
    await expect(agent.connectAuthorize(client, { Target: 'db', ClientCertURI: 'spiffe://x.consul/agent/client/dc/dc1/id/y', ClientCertSerial: '01' }))
      .rejects.toSatisfy((e: unknown) => isBadRequestError(e) || isServerError(e));
  });

  it('is on the facade: consul.agent.connect.{authorize,caRoots,caLeaf}', async () => {
    const consul = new Consul({ address: inject('consulAddress') });
    const { data } = await consul.agent.connect.caLeaf(uniqueName('facade-leaf'));
    expect(data.CertPEM).toMatch(/BEGIN CERTIFICATE/);
    expect((await consul.agent.connect.caRoots()).data.Roots.length).toBeGreaterThan(0);
  });
});

describe('discovery chain (real agent)', () => {
  it('reads the compiled chain of a service with GET (default resolver, tcp), blocking-capable', async () => {
    const service = uniqueName('chain');
    const { data, meta } = await discoveryChain.read(client, service);
    expect(data.Chain).toMatchObject({ ServiceName: service, Namespace: 'default', Datacenter: 'dc1', Protocol: 'tcp' });
    expect(data.Chain.Nodes[data.Chain.StartNode]?.Type).toBe('resolver');
    expect(data.Chain.CustomizationHash).toBeUndefined();
    expect(typeof meta.index).toBe('bigint');
  });

  it('compiles with overrides as a POST: protocol, connect timeout (ms or Go duration) and mesh gateway, for a compile datacenter', async () => {
    const service = uniqueName('chain-ovr');
    const { data } = await discoveryChain.read(client, service, {
      compileDatacenter: 'dc1',
      overrides: { OverrideProtocol: 'http', OverrideConnectTimeout: 7000, OverrideMeshGateway: { Mode: 'local' } },
    });
    expect(data.Chain.Protocol).toBe('http');
    expect(data.Chain.CustomizationHash).toMatch(/^[0-9a-f]+$/);
    expect(data.Chain.Nodes[data.Chain.StartNode]?.Resolver?.['ConnectTimeout']).toBe('7s');
  });

  it('refuses a bad override duration before sending; Consul refuses an undecodable override with 400', async () => {
    await expect(discoveryChain.read(client, 'web', { overrides: { OverrideConnectTimeout: 'soon' } })).rejects.toSatisfy(isInputError);
    await expect(
      discoveryChain.read(client, 'web', { overrides: { OverrideMeshGateway: 'local' as never } }),
    ).rejects.toSatisfy((e: unknown) => isBadRequestError(e) && /Request decoding failed/.test((e as Error).message));
  });

  it('is on the facade: consul.discoveryChain.read', async () => {
    const consul = new Consul({ address: inject('consulAddress') });
    expect((await consul.discoveryChain.read('web')).data.Chain.ServiceName).toBe('web');
  });
});

describe('force-leave (real agent)', () => {
  it('fails with Consul’s text for a node that is not a member', async () => {
    await expect(agent.forceLeave(client, uniqueName('ghost'), { prune: true })).rejects.toSatisfy(
      (e: unknown) => isServerError(e) && /No node found with name/.test((e as Error).message),
    );
  });
});

describe('on a throwaway agent: CA configuration update, then leave', () => {
  let own: Agent;
  let ownClient: Client;
  beforeAll(async () => {
    own = await startAgent({ name: 'issue14-leave' });
    ownClient = createClient({ address: own.address, retry: 0, timeout: 30_000 });
  }, 30_000);
  afterAll(async () => {
    await own?.stop();
  });

  it('replaces the CA configuration and refuses an unknown provider with Consul’s text', async () => {
    const { data: before } = await connect.caConfiguration(ownClient);
    const { meta } = await connect.caSet(ownClient, { Provider: 'consul', Config: { ...before.Config, LeafCertTTL: '24h' } });
    expect(meta.status).toBe(200);
    const { data: after } = await connect.caConfiguration(ownClient);
    expect(after.Config['LeafCertTTL']).toBe('24h');
    expect(after.ModifyIndex).toBeGreaterThan(before.ModifyIndex);

    await expect(connect.caSet(ownClient, { Provider: 'nope', Config: {} })).rejects.toSatisfy(
      (e: unknown) => isServerError(e) && /unknown CA provider "nope"/.test((e as Error).message),
    );
    await expect(connect.caSet(ownClient, { Provider: '', Config: {} })).rejects.toSatisfy(isInputError);
    await expect(connect.caSet(ownClient, { Provider: 'consul', Config: null as never })).rejects.toSatisfy(isInputError);
  });

  it('leave: the agent acknowledges, leaves the cluster and shuts down (its API stops answering)', async () => {
    const { data: self } = await agent.self(ownClient);
    expect(self.Config.NodeName).toBeTruthy();
    // a server agent answers once it has left raft and serf: ~11 s for a -dev agent on 1.8.7
    const { meta } = await agent.leave(ownClient, { signal: AbortSignal.timeout(30_000) });
    expect(meta.status).toBe(200);
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      try {
        await agent.self(ownClient);
        await new Promise((resolve) => setTimeout(resolve, 100));
      } catch (error) {
        gone = isNetworkError(error);
        if (!gone) throw error;
      }
    }
    expect(gone).toBe(true);
    expect(own.logs()).toMatch(/server starting leave/);
    expect(own.logs()).toMatch(/EventMemberLeave: /);
  }, 45_000);

  it('refuses an explicit datacenter before sending (Consul ignores ?dc= on agent endpoints)', async () => {
    await expect(agent.leave(client, { datacenter: 'dc1' })).rejects.toSatisfy(isInputError);
    await expect(agent.connectCaLeaf(client, 'web', { datacenter: 'dc1' })).rejects.toSatisfy(isInputError);
  });
});
