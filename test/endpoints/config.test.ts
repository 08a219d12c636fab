// Configuration entries against a real Consul agent (unique service names on the shared agent;
// proxy-defaults, which is cluster-wide, on an agent of its own).
import { afterAll, describe, expect, inject, it } from 'vitest';
import * as config from '../../src/endpoints/config.ts';
import type { ServiceDefaultsEntry } from '../../src/endpoints/config.ts';
import { Consul, createClient, isBadRequestError, isInputError, isServerError } from '../../src/index.ts';
import { startAgent } from '../support/agent.mjs';
import { raw, testClient } from '../support/client.ts';

const client = testClient();
const unique = `${process.pid}-${Date.now().toString(36)}`;
const svc = (name: string): string => `cfg-${name}-${unique}`;
const cleanup: [string, string][] = [];

afterAll(async () => {
  for (const [kind, name] of cleanup.reverse()) await raw(`/v1/config/${kind}/${name}`, { method: 'DELETE' });
});

describe('config entries', () => {
  it('sets, gets, lists and deletes a service-defaults entry', async () => {
    const name = svc('web');
    cleanup.push(['service-defaults', name]);
    expect((await config.set(client, { Kind: 'service-defaults', Name: name, Protocol: 'http' })).data).toBe(true);

    const { data, meta } = await config.read(client, 'service-defaults', name);
    expect(data).toMatchObject({ Kind: 'service-defaults', Name: name, Protocol: 'http' });
    expect(typeof data!.ModifyIndex).toBe('number');
    expect(typeof meta.index).toBe('bigint');
    // typed by kind
    const protocol: string | undefined = data?.Protocol;
    expect(protocol).toBe('http');

    const listed = await config.list(client, 'service-defaults');
    expect(listed.data.find((e) => e.Name === name)?.Protocol).toBe('http');

    await config.delete(client, 'service-defaults', name);
    const gone = await config.read(client, 'service-defaults', name);
    expect(gone.data).toBeUndefined();
    expect(gone.meta.status).toBe(404);
    // deleting a missing entry is fine in 1.8.7
    await config.delete(client, 'service-defaults', name);
  });

  it('writes with check-and-set: 0 creates only, a stale index is refused, the current one applies', async () => {
    const name = svc('cas');
    cleanup.push(['service-defaults', name]);
    expect((await config.set(client, { Kind: 'service-defaults', Name: name, Protocol: 'tcp' }, { cas: 0 })).data).toBe(true);
    expect((await config.set(client, { Kind: 'service-defaults', Name: name, Protocol: 'grpc' }, { cas: 0 })).data).toBe(false);
    const current = (await config.read(client, 'service-defaults', name)).data!;
    expect((await config.set(client, { ...current, Protocol: 'http' }, { cas: current.ModifyIndex! + 100 })).data).toBe(false);
    // what was read can be written back as is
    const next: ServiceDefaultsEntry = { ...current, Protocol: 'http2' };
    expect((await config.set(client, next, { cas: current.ModifyIndex! })).data).toBe(true);
    expect((await config.read(client, 'service-defaults', name)).data?.Protocol).toBe('http2');
  });

  it('stores resolver, splitter and router entries for an HTTP service', async () => {
    const name = svc('api');
    cleanup.push(['service-defaults', name], ['service-resolver', name], ['service-splitter', name], ['service-router', name]);
    await config.set(client, { Kind: 'service-defaults', Name: name, Protocol: 'http' });
    await config.set(client, {
      Kind: 'service-resolver',
      Name: name,
      DefaultSubset: 'v1',
      Subsets: { v1: { Filter: 'Service.Meta.version == v1' }, v2: { Filter: 'Service.Meta.version == v2' } },
      ConnectTimeout: '15s',
    });
    await config.set(client, {
      Kind: 'service-splitter',
      Name: name,
      Splits: [{ Weight: 90, ServiceSubset: 'v1' }, { Weight: 10, ServiceSubset: 'v2' }],
    });
    await config.set(client, {
      Kind: 'service-router',
      Name: name,
      Routes: [{ Match: { HTTP: { PathPrefix: '/admin' } }, Destination: { Service: name, ServiceSubset: 'v2' } }],
    });
    const resolver = (await config.read(client, 'service-resolver', name)).data!;
    expect(resolver.DefaultSubset).toBe('v1');
    expect(Object.keys(resolver.Subsets ?? {}).sort()).toEqual(['v1', 'v2']);
    expect(resolver.ConnectTimeout).toBe('15s');
    const splitter = (await config.read(client, 'service-splitter', name)).data!;
    expect(splitter.Splits?.map((s) => s.Weight)).toEqual([90, 10]);
    const router = (await config.read(client, 'service-router', name)).data!;
    expect(router.Routes?.[0]?.Match?.HTTP?.PathPrefix).toBe('/admin');
    // a splitter on a tcp service is refused by Consul
    const tcp = svc('tcp');
    cleanup.push(['service-splitter', tcp]);
    await expect(config.set(client, { Kind: 'service-splitter', Name: tcp, Splits: [{ Weight: 100 }] })).rejects.toThrow(/protocol/);
  });

  it('stores ingress and terminating gateway entries', async () => {
    const ingress = svc('ingress');
    const terminating = svc('terminating');
    cleanup.push(['ingress-gateway', ingress], ['terminating-gateway', terminating]);
    await config.set(client, {
      Kind: 'ingress-gateway',
      Name: ingress,
      Listeners: [{ Port: 8443, Protocol: 'tcp', Services: [{ Name: svc('db') }] }],
    });
    await config.set(client, { Kind: 'terminating-gateway', Name: terminating, Services: [{ Name: svc('legacy'), SNI: 'legacy.example' }] });
    const gw = (await config.read(client, 'ingress-gateway', ingress)).data!;
    expect(gw.Listeners?.[0]).toMatchObject({ Port: 8443, Protocol: 'tcp', Services: [{ Name: svc('db') }] });
    const term = (await config.read(client, 'terminating-gateway', terminating)).data!;
    expect(term.Services?.[0]).toMatchObject({ Name: svc('legacy'), SNI: 'legacy.example' });
    expect((await config.list(client, 'terminating-gateway')).data.some((e) => e.Name === terminating)).toBe(true);
  });

  it('maps Consul’s errors and refuses empty kinds and names before sending', async () => {
    await expect(config.read(client, 'bogus-kind', 'x')).rejects.toSatisfy(isServerError);
    await expect(config.list(client, 'bogus-kind')).rejects.toThrow(/invalid config entry kind: bogus-kind/);
    await expect(config.set(client, { Kind: 'bogus-kind', Name: 'x' })).rejects.toSatisfy(isBadRequestError);
    await expect(config.read(client, '', 'x')).rejects.toSatisfy(isInputError);
    await expect(config.set(client, { Kind: 'service-defaults', Name: '' })).rejects.toSatisfy(isInputError);
    await expect(config.delete(client, 'service-defaults', '')).rejects.toSatisfy(isInputError);
  });

  it('is bound on the facade, typed by kind', async () => {
    const consul = new Consul({ address: inject('consulAddress') });
    const name = svc('facade');
    cleanup.push(['service-defaults', name]);
    await consul.config.set({ Kind: 'service-defaults', Name: name, Protocol: 'grpc' });
    const { data } = await consul.config.read('service-defaults', name);
    const protocol: string | undefined = data?.Protocol;
    expect(protocol).toBe('grpc');
    expect((await consul.config.list('service-defaults')).data.some((e) => e.Name === name)).toBe(true);
    await consul.config.delete('service-defaults', name);
    expect((await consul.config.read('service-defaults', name)).data).toBeUndefined();
  });
});

describe('proxy-defaults (cluster-wide: on an agent of its own)', () => {
  it('sets, reads and deletes the global proxy-defaults', async () => {
    const agent = await startAgent({ name: 'config-test' });
    try {
      const own = createClient({ address: agent.address });
      await config.set(own, { Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'http', local_connect_timeout_ms: 1000 } });
      const { data } = await config.read(own, 'proxy-defaults', 'global');
      expect(data?.Config).toEqual({ protocol: 'http', local_connect_timeout_ms: 1000 });
      expect((await config.list(own, 'proxy-defaults')).data.map((e) => e.Name)).toEqual(['global']);
      await config.delete(own, 'proxy-defaults', 'global');
      expect((await config.read(own, 'proxy-defaults', 'global')).data).toBeUndefined();
    } finally {
      await agent.stop();
    }
  });
});
