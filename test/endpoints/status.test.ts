// Raft status against a real Consul agent (a single-server -dev cluster: it is its own leader).
import { describe, expect, it } from 'vitest';
import * as agent from '../../src/endpoints/agent.ts';
import * as status from '../../src/endpoints/status.ts';
import { Consul } from '../../src/index.ts';
import { testClient } from '../support/client.ts';

const client = testClient();

describe('status', () => {
  it('leader() is the server address (ip:port) of the agent itself', async () => {
    const { data, meta } = await status.leader(client);
    expect(data).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(meta.status).toBe(200);
    const { data: me } = await agent.members(client);
    expect(data).toBe(`127.0.0.1:${me[0]!.Tags['port']}`); // the server RPC port, from the serf tags
  });

  it('peers() lists the Raft peers: just the leader here', async () => {
    const { data: peers } = await status.peers(client);
    const { data: leader } = await status.leader(client);
    expect(peers).toEqual([leader]);
  });

  it('the Consul facade binds status', async () => {
    const consul = new Consul(client);
    const { data: leader } = await consul.status.leader();
    expect((await consul.status.peers()).data).toContain(leader);
  });
});
