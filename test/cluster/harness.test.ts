// The harness itself: the shared cluster is healthy, agents can be killed, found and restarted.
import { afterEach, expect, inject, test } from 'vitest';
import { heal, isRunning, kill, leader, restart, waitHealthy } from '../support/cluster.mjs';

const cluster = inject('cluster');

afterEach(() => heal(cluster));

test('the cluster has 3 dc1 servers, 2 clients and a dc2 server on their own addresses', async () => {
  const all = [...cluster.servers, ...cluster.clients, cluster.dc2];
  expect(new Set(all.map((a) => a.ip)).size).toBe(6);
  expect(all.map((a) => a.dc)).toEqual(['dc1', 'dc1', 'dc1', 'dc1', 'dc1', 'dc2']);
  const members = (await (await fetch(`${cluster.clients[0]!.address}/v1/agent/members`)).json()) as { Name: string; Status: number }[];
  expect(members.map((m) => m.Name).sort()).toEqual(['c1', 'c2', 's1', 's2', 's3']);
  const dcs = (await (await fetch(`${cluster.clients[0]!.address}/v1/catalog/datacenters`)).json()) as string[];
  expect(dcs.sort()).toEqual(['dc1', 'dc2']);
  expect(await leader(cluster)).toBeDefined();
});

test('a killed client agent comes back with its identity', async () => {
  const client = cluster.clients[1]!;
  await kill(client);
  expect(isRunning(client)).toBe(false);
  await restart(client);
  await waitHealthy(cluster);
  const self = (await (await fetch(`${client.address}/v1/agent/self`)).json()) as { Config: { NodeName: string } };
  expect(self.Config.NodeName).toBe(client.name);
});
