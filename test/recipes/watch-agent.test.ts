// Issue 14: the ready-made watches of the local agent — connectRoots, connectLeaf and agentService (blocking
// on the content hash) — against a real Consul 1.8.7 agent.
import { describe, expect, inject, it } from 'vitest';
import { Consul } from '../../src/index.ts';
import { raw, uniqueName } from '../support/client.ts';

const consul = new Consul({ address: inject('consulAddress') });

describe('consul.watch on agent endpoints (real agent)', () => {
  it('connectRoots yields the CA roots the agent caches', async () => {
    const { data: roots } = await consul.connect.ca.roots();
    for await (const { data, meta } of consul.watch.connectRoots()) {
      expect(data.ActiveRootID).toBe(roots.ActiveRootID);
      expect(typeof meta.index).toBe('bigint');
      break;
    }
  });

  it('connectLeaf yields the service’s leaf certificate', async () => {
    const service = uniqueName('watch-leaf');
    for await (const { data } of consul.watch.connectLeaf(service)) {
      expect(data.Service).toBe(service);
      expect(data.CertPEM).toMatch(/BEGIN CERTIFICATE/);
      break;
    }
  });

  it('agentService yields the registered service, each change (blocking on ?hash=), and undefined once deregistered', async () => {
    const id = uniqueName('watch-svc');
    await consul.agent.service.register({ Name: id, ID: id, Port: 1000, Tags: ['v1'] });
    const seen: (string[] | undefined)[] = [];
    const hashes: string[] = [];
    const watch = consul.watch.agentService(id);
    try {
      let step = 0;
      for await (const { data, meta } of watch) {
        seen.push(data === undefined ? undefined : [...(data.Tags ?? [])]);
        if (meta.contentHash) hashes.push(meta.contentHash);
        step++;
        if (step === 1) await consul.agent.service.register({ Name: id, ID: id, Port: 1000, Tags: ['v2'] });
        else if (step === 2) await consul.agent.service.deregister(id);
        else break;
      }
    } finally {
      await watch.return();
      await raw(`/v1/agent/service/deregister/${id}`, { method: 'PUT' });
    }
    expect(seen).toEqual([['v1'], ['v2'], undefined]);
    expect(new Set(hashes).size).toBe(2);
  }, 20_000);
});
