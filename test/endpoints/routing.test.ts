// Item 6 of issue 8: every write goes where it was told. Measured on Consul 1.8.7: catalog
// register/deregister ignore ?dc= (the body's Datacenter routes them), a txn's Node ops ignore their
// Datacenter (?dc= routes the txn), and agent endpoints, config entry writes and keyring operations
// ignore ?dc= altogether. The run's agent has one datacenter (dc1): a write sent to "nowhere" must
// fail with Consul's "No path to datacenter" or be refused before sending, and leave nothing locally.
import { describe, expect, it } from 'vitest';
import * as agent from '../../src/endpoints/agent.ts';
import * as catalog from '../../src/endpoints/catalog.ts';
import * as config from '../../src/endpoints/config.ts';
import * as operator from '../../src/endpoints/operator.ts';
import * as txn from '../../src/endpoints/txn.ts';
import type { Client } from '../../src/index.ts';
import { isInputError, isServerError } from '../../src/index.ts';
import { rejection } from '../support/async.ts';
import { testClient, uniqueName } from '../support/client.ts';

const client = testClient();
const NOWHERE = 'nowhere';

/** A client on the run's agent that records every request it sends. */
function recording(config: Parameters<typeof testClient>[0] = {}): { client: Client; sent: string[] } {
  const sent: string[] = [];
  const c = testClient({
    ...config,
    fetch: async (input, init) => {
      sent.push(input instanceof Request ? `${input.method} ${input.url}` : String(input));
      return fetch(input, init);
    },
  });
  return { client: c, sent };
}

function noPathToDatacenter(error: unknown): boolean {
  return isServerError(error) && error.consulMessage === 'No path to datacenter';
}

describe('catalog register/deregister go to the datacenter asked for', () => {
  it('register with { datacenter } fails with "No path to datacenter" and registers nothing locally', async () => {
    const node = uniqueName('reg-dc');
    const error = await rejection(catalog.register(client, { Node: node, Address: '10.0.0.1' }, { datacenter: NOWHERE }));
    expect(error).toSatisfy(noPathToDatacenter);
    expect((await catalog.node(client, node)).data).toBeUndefined();
  });

  it('register on a client whose default datacenter is elsewhere fails the same way', async () => {
    const node = uniqueName('reg-default');
    const elsewhere = testClient({ datacenter: NOWHERE });
    expect(await rejection(catalog.register(elsewhere, { Node: node, Address: '10.0.0.1' }))).toSatisfy(noPathToDatacenter);
    expect((await catalog.node(client, node)).data).toBeUndefined();
  });

  it('a registration\'s own datacenter beats the client default, and dc1 still works', async () => {
    const node = uniqueName('reg-body');
    const elsewhere = testClient({ datacenter: NOWHERE });
    expect((await catalog.register(elsewhere, { Node: node, Address: '10.0.0.2', Datacenter: 'dc1' })).data).toBe(true);
    expect((await catalog.node(client, node)).data?.Node.Address).toBe('10.0.0.2');
    expect((await catalog.register(client, { Node: node, Address: '10.0.0.3' }, { datacenter: 'dc1' })).data).toBe(true);
    expect((await catalog.node(client, node)).data?.Node.Address).toBe('10.0.0.3');
    await catalog.deregister(client, { Node: node }, { datacenter: 'dc1' });
    expect((await catalog.node(client, node)).data).toBeUndefined();
  });

  it('a registration datacenter that disagrees with an explicit dc is an InputError; nothing is sent', async () => {
    const node = uniqueName('reg-conflict');
    const { client: rec, sent } = recording();
    const error = await rejection(catalog.register(rec, { Node: node, Address: '10.0.0.1', Datacenter: 'dc1' }, { datacenter: NOWHERE }));
    expect(error).toSatisfy(isInputError);
    expect((error as Error).message).toMatch(/datacenter/);
    expect(sent).toEqual([]);
    expect((await catalog.node(client, node)).data).toBeUndefined();
  });

  it('deregister with { datacenter } fails and leaves the local node in place', async () => {
    const node = uniqueName('dereg-dc');
    await catalog.register(client, { Node: node, Address: '10.0.0.4', Service: { Service: 'web', ID: 'web-1' } });
    expect(await rejection(catalog.deregister(client, { Node: node, ServiceID: 'web-1' }, { datacenter: NOWHERE }))).toSatisfy(noPathToDatacenter);
    expect(await rejection(catalog.deregister(client, { Node: node }, { datacenter: NOWHERE }))).toSatisfy(noPathToDatacenter);
    expect(await rejection(catalog.deregister(testClient({ datacenter: NOWHERE }), { Node: node }))).toSatisfy(noPathToDatacenter);
    const { client: rec, sent } = recording();
    expect(await rejection(catalog.deregister(rec, { Node: node, Datacenter: 'dc1' }, { datacenter: NOWHERE }))).toSatisfy(isInputError);
    expect(sent).toEqual([]);
    const { data } = await catalog.node(client, node);
    expect(data?.Services['web-1']?.Service).toBe('web');
    await catalog.deregister(client, { Node: node });
  });
});

describe('txn: a Node operation\'s Datacenter routes the transaction', () => {
  it('a Node op with Datacenter "nowhere" fails with "No path to datacenter" and writes nothing locally', async () => {
    const node = uniqueName('txn-node');
    const ops = txn.builder().node.set({ Node: node, Address: '10.0.0.5', Datacenter: NOWHERE });
    expect(await rejection(txn.run(client, ops))).toSatisfy(noPathToDatacenter);
    expect((await catalog.node(client, node)).data).toBeUndefined();
    const report = await txn.runBatches(client, ops);
    expect(report.data.ok).toBe(false);
    expect(report.data.batches[0]?.status).toBe('failed');
    expect((await catalog.node(client, node)).data).toBeUndefined();
  });

  it('a Node op whose Datacenter disagrees with an explicit dc is an InputError; nothing is sent', async () => {
    const node = uniqueName('txn-conflict');
    const { client: rec, sent } = recording();
    const ops = [{ Node: { Verb: 'set' as const, Node: { Node: node, Address: '10.0.0.6', Datacenter: 'dc1' } } }];
    expect(await rejection(txn.run(rec, ops, { datacenter: NOWHERE }))).toSatisfy(isInputError);
    expect(await rejection(txn.tryRun(rec, ops, { datacenter: NOWHERE }))).toSatisfy(isInputError);
    expect(await rejection(txn.runBatches(rec, ops, { datacenter: NOWHERE }))).toSatisfy(isInputError);
    const twoDcs = [...ops, { Node: { Verb: 'set' as const, Node: { Node: `${node}-b`, Address: '10.0.0.7', Datacenter: NOWHERE } } }];
    expect(await rejection(txn.run(rec, twoDcs))).toSatisfy(isInputError);
    expect(sent).toEqual([]);
    expect((await catalog.node(client, node)).data).toBeUndefined();
  });

  it('a Node op in dc1 is applied (matching dc, or none)', async () => {
    const node = uniqueName('txn-dc1');
    await txn.run(client, [{ Node: { Verb: 'set', Node: { Node: node, Address: '10.0.0.8', Datacenter: 'dc1' } } }], { datacenter: 'dc1' });
    expect((await catalog.node(client, node)).data?.Node.Address).toBe('10.0.0.8');
    await txn.run(client, [{ Node: { Verb: 'delete', Node: { Node: node, Datacenter: 'dc1' } } }]);
    expect((await catalog.node(client, node)).data).toBeUndefined();
  });
});

describe('endpoints where Consul ignores ?dc= refuse an explicit dc before sending', () => {
  it('agent endpoints (local by nature): serviceRegister, checkRegister, maintenance, reads', async () => {
    const id = uniqueName('agent-dc');
    const { client: rec, sent } = recording();
    const calls: [string, () => Promise<unknown>][] = [
      ['serviceRegister', () => agent.serviceRegister(rec, { Name: id, ID: id }, { datacenter: NOWHERE })],
      ['serviceDeregister', () => agent.serviceDeregister(rec, id, { datacenter: NOWHERE })],
      ['serviceMaintenance', () => agent.serviceMaintenance(rec, id, true, 'x', { datacenter: NOWHERE })],
      ['checkRegister', () => agent.checkRegister(rec, { Name: id, ID: id, TTL: '30s' }, { datacenter: NOWHERE })],
      ['checkDeregister', () => agent.checkDeregister(rec, id, { datacenter: NOWHERE })],
      ['checkTtlPass', () => agent.checkTtlPass(rec, id, undefined, { datacenter: NOWHERE })],
      ['maintenance', () => agent.maintenance(rec, false, undefined, { datacenter: NOWHERE })],
      ['join', () => agent.join(rec, '127.0.0.1:1', { datacenter: NOWHERE })],
      ['forceLeave', () => agent.forceLeave(rec, 'x', { datacenter: NOWHERE })],
      ['reload', () => agent.reload(rec, { datacenter: NOWHERE })],
      ['tokenUpdate', () => agent.tokenUpdate(rec, 'default', 'x', { datacenter: NOWHERE })],
      ['serviceList', () => agent.serviceList(rec, { datacenter: NOWHERE })],
      ['serviceRead', () => agent.serviceRead(rec, id, { datacenter: NOWHERE })],
      ['checkList', () => agent.checkList(rec, { datacenter: NOWHERE })],
      ['members', () => agent.members(rec, { datacenter: NOWHERE })],
      ['self', () => agent.self(rec, { datacenter: NOWHERE })],
      ['serviceHealthByName', () => agent.serviceHealthByName(rec, id, { datacenter: NOWHERE })],
    ];
    for (const [name, call] of calls) {
      const error = await rejection(call());
      expect(error, name).toSatisfy(isInputError);
      expect((error as Error).message, name).toMatch(/dc/);
    }
    expect(sent).toEqual([]);
    expect((await agent.serviceRead(client, id)).data).toBeUndefined();
    // the client's default datacenter does not stop agent calls: the agent is the one you talk to
    const elsewhere = testClient({ datacenter: NOWHERE });
    await agent.serviceRegister(elsewhere, { Name: id, ID: id });
    expect((await agent.serviceRead(client, id)).data?.Service).toBe(id);
    await agent.serviceDeregister(elsewhere, id);
  });

  it('config entry writes (always applied in the primary datacenter)', async () => {
    const name = uniqueName('cfg-dc');
    const { client: rec, sent } = recording();
    const entry = { Kind: 'service-defaults', Name: name, Protocol: 'http' };
    expect(await rejection(config.set(rec, entry, { datacenter: NOWHERE }))).toSatisfy(isInputError);
    expect((await config.read(client, 'service-defaults', name)).data).toBeUndefined();
    await config.set(client, entry);
    expect(await rejection(config.remove(rec, 'service-defaults', name, { datacenter: NOWHERE }))).toSatisfy(isInputError);
    expect(sent).toEqual([]);
    expect((await config.read(client, 'service-defaults', name)).data?.Name).toBe(name);
    await config.remove(client, 'service-defaults', name);
  });

  it('keyring operations (they act on every datacenter)', async () => {
    const { client: rec, sent } = recording();
    const key = 'pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=';
    for (const call of [
      () => operator.keyringList(rec, { datacenter: NOWHERE }),
      () => operator.keyringInstall(rec, key, { datacenter: NOWHERE }),
      () => operator.keyringUse(rec, key, { datacenter: NOWHERE }),
      () => operator.keyringDelete(rec, key, { datacenter: NOWHERE }),
    ]) {
      expect(await rejection(call())).toSatisfy(isInputError);
    }
    expect(sent).toEqual([]);
  });
});
