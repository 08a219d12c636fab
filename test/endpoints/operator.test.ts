// Operator API (raft, autopilot, keyring) against a real Consul agent of its own: the keyring needs an
// agent started with an `encrypt` key, and autopilot/raft writes must not disturb the shared agent.
import { randomBytes } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as operator from '../../src/endpoints/operator.ts';
import { Consul, createClient, isInputError, isServerError } from '../../src/index.ts';
import type { Client } from '../../src/index.ts';
import type { Agent } from '../support/agent.mjs';
import { startAgent } from '../support/agent.mjs';
import { testClient } from '../support/client.ts';
import { useMsw } from '../support/msw.ts';

const key1 = randomBytes(32).toString('base64');
const key2 = randomBytes(32).toString('base64');
let agent: Agent;
let client: Client;

beforeAll(async () => {
  agent = await startAgent({ name: 'operator-test', hcl: `encrypt = "${key1}"` });
  client = createClient({ address: agent.address });
});
afterAll(async () => {
  await agent?.stop();
});

describe('raft', () => {
  it('reads the raft configuration of a one-server cluster', async () => {
    const { data } = await operator.raftConfiguration(client);
    expect(data.Servers).toHaveLength(1);
    expect(data.Servers[0]).toMatchObject({ Node: 'operator-test', Leader: true, Voter: true });
    expect(data.Servers[0]!.Address).toMatch(/^127\.0\.0\.1:\d+$/);
    const stale = await operator.raftConfiguration(client, { consistency: 'stale' });
    expect(stale.data.Servers[0]!.ID).toBe(data.Servers[0]!.ID);
  });

  it('reports a peer that is not in the configuration, by address and by id, and keeps the cluster intact', async () => {
    await expect(operator.raftRemovePeer(client, { address: '127.0.0.1:1' })).rejects.toThrow(/address "127\.0\.0\.1:1" was not found in the Raft configuration/);
    const id = '11111111-2222-3333-4444-555555555555';
    const error = await operator.raftRemovePeer(client, { id }).catch((e: unknown) => e);
    expect(isServerError(error)).toBe(true);
    expect((error as Error).message).toMatch(/was not found in the Raft configuration/);
    // refused before sending
    await expect(operator.raftRemovePeer(client, {} as operator.RaftPeer)).rejects.toSatisfy(isInputError);
    await expect(operator.raftRemovePeer(client, { id, address: '127.0.0.1:1' } as unknown as operator.RaftPeer)).rejects.toSatisfy(isInputError);
    expect((await operator.raftConfiguration(client)).data.Servers[0]!.Leader).toBe(true);
  });
});

describe('autopilot', () => {
  it('reads, replaces with check-and-set, and merges updates', async () => {
    const { data: before } = await operator.autopilotConfiguration(client);
    expect(before).toMatchObject({ CleanupDeadServers: true, LastContactThreshold: '200ms', MaxTrailingLogs: 250, ServerStabilizationTime: '10s' });

    const stale = await operator.autopilotSet(client, { ...before, MaxTrailingLogs: 1 }, { cas: before.ModifyIndex + 100 });
    expect(stale.data).toBe(false);
    const applied = await operator.autopilotSet(
      client,
      { ...before, CleanupDeadServers: false, LastContactThreshold: 300, ServerStabilizationTime: '15s' },
      { cas: before.ModifyIndex },
    );
    expect(applied.data).toBe(true);
    const { data: after } = await operator.autopilotConfiguration(client);
    expect(after).toMatchObject({ CleanupDeadServers: false, LastContactThreshold: '300ms', ServerStabilizationTime: '15s', MaxTrailingLogs: 250 });

    // a partial write would zero the other fields in Consul: refused
    await expect(operator.autopilotSet(client, { MaxTrailingLogs: 5 } as operator.AutopilotSettings)).rejects.toThrow(/need LastContactThreshold|need CleanupDeadServers/);
    await expect(operator.autopilotSet(client, { ...after, LastContactThreshold: '5 seconds' })).rejects.toSatisfy(isInputError);

    // update merges with what is stored
    expect((await operator.autopilotUpdate(client, { MaxTrailingLogs: 500 })).data).toBe(true);
    const { data: merged } = await operator.autopilotConfiguration(client);
    expect(merged).toMatchObject({ MaxTrailingLogs: 500, CleanupDeadServers: false, LastContactThreshold: '300ms', ServerStabilizationTime: '15s' });
  });

  it('reads the servers’ health (unhealthy, 429, with no servers until autopilot’s first pass)', async () => {
    let { data, meta } = await operator.autopilotHealth(client);
    for (let tries = 0; data.Servers.length === 0 && tries < 80; tries++) {
      expect(meta.status).toBe(429);
      expect(data.Healthy).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 250));
      ({ data, meta } = await operator.autopilotHealth(client));
    }
    expect(meta.status).toBe(200);
    expect(data.Healthy).toBe(true);
    expect(data.FailureTolerance).toBe(0);
    expect(data.Servers[0]).toMatchObject({ Name: 'operator-test', Leader: true, Voter: true, Healthy: true, Version: '1.8.7' });
  });
});

describe('keyring', () => {
  it('lists, installs, switches and removes gossip keys', async () => {
    const { data } = await operator.keyringList(client);
    expect(data.map((pool) => pool.WAN).sort()).toEqual([false, true]);
    for (const pool of data) {
      expect(pool.Keys).toEqual({ [key1]: 1 });
      expect(pool.PrimaryKeys).toEqual({ [key1]: 1 });
      expect(pool.Datacenter).toBe('dc1');
    }
    const local = await operator.keyringList(client, { localOnly: true });
    expect(local.data.map((pool) => pool.WAN)).toEqual([false]);

    await operator.keyringInstall(client, key2);
    expect((await operator.keyringList(client)).data[0]!.Keys).toEqual({ [key1]: 1, [key2]: 1 });
    await operator.keyringUse(client, key2, { relayFactor: 1 });
    expect((await operator.keyringList(client)).data.every((pool) => pool.PrimaryKeys?.[key2] === 1)).toBe(true);
    await expect(operator.keyringDelete(client, key2)).rejects.toThrow(/Removing the primary key is not allowed/);
    await operator.keyringDelete(client, key1);
    expect((await operator.keyringList(client)).data.every((pool) => Object.keys(pool.Keys).join() === key2)).toBe(true);
  });

  it('reports an agent without gossip encryption as a server error', async () => {
    await expect(operator.keyringList(testClient())).rejects.toThrow(/Keyring is empty \(encryption not enabled\)/);
  });

  it('refuses malformed keys and bad relay factors before sending', async () => {
    await expect(operator.keyringInstall(client, 'abc')).rejects.toSatisfy(isInputError);
    await expect(operator.keyringInstall(client, randomBytes(20).toString('base64'))).rejects.toThrow(/16, 24 or 32 bytes/);
    await expect(operator.keyringList(client, { relayFactor: 6 })).rejects.toSatisfy(isInputError);
  });
});

describe('operator facade', () => {
  it('binds raft, autopilot and keyring groups', async () => {
    const consul = new Consul(client);
    expect((await consul.operator.raft.configuration()).data.Servers).toHaveLength(1);
    expect((await consul.operator.autopilot.health()).data.Healthy).toBe(true);
    expect((await consul.operator.autopilot.configuration()).data.MaxTrailingLogs).toBe(500);
    expect((await consul.operator.keyring.list()).data).toHaveLength(2);
  });
});

describe('autopilot health when unhealthy (contract test from Consul’s documented response, not run against 1.8.7)', () => {
  const server = useMsw();
  it('returns the report as data when Consul answers 429', async () => {
    const body = {
      Healthy: false,
      FailureTolerance: 0,
      Servers: [
        { ID: 'e349749b', Name: 'node1', Address: '127.0.0.1:8300', SerfStatus: 'failed', Version: '1.8.7', Leader: false,
          LastContact: '2.2s', LastTerm: 2, LastIndex: 46, Healthy: false, Voter: true, StableSince: '2017-03-06T22:07:51Z' },
      ],
    };
    server.use(http.get('http://consul.test:8500/v1/operator/autopilot/health', () => HttpResponse.json(body, { status: 429 })));
    const mocked = createClient({ address: 'http://consul.test:8500', retry: 0 });
    const { data, meta } = await operator.autopilotHealth(mocked);
    expect(meta.status).toBe(429);
    expect(data.Healthy).toBe(false);
    expect(data.Servers[0]!.SerfStatus).toBe('failed');
  });
});
