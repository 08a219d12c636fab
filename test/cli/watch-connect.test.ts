// consulate watch: the Connect and agent-service types (connect_roots, connect_leaf, agent_service),
// against the run's real Consul 1.8.7 agent (a -dev agent: Connect is on).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceDeregister, serviceRegister } from '../../src/endpoints/agent.ts';
import { testClient } from '../support/client.ts';
import { cleanup, cli, prepare, start } from './run.ts';

const client = testClient();
beforeAll(prepare);
afterAll(cleanup);

describe('watch connect_roots / connect_leaf', () => {
  it('prints the CA roots and a service\'s leaf certificate as Consul sends them (--once), and connect_leaf needs --service', async () => {
    const service = `cli-leaf-${process.pid}`;
    const [roots, leaf, missing] = await Promise.all([
      cli(['watch', '--type', 'connect_roots', '--once']),
      cli(['watch', '--type', 'connect_leaf', '--service', service, '--once']),
      cli(['watch', '--type', 'connect_leaf', '--once']),
    ]);
    expect(roots.code, roots.stderr).toBe(0);
    const rootsJson = JSON.parse(roots.stdout) as { ActiveRootID: string; Roots: { ID: string; Active: boolean }[] };
    expect(rootsJson.Roots.find((r) => r.Active)?.ID).toBe(rootsJson.ActiveRootID);
    expect(leaf.code, leaf.stderr).toBe(0);
    const leafJson = JSON.parse(leaf.stdout) as { Service: string; CertPEM: string; PrivateKeyPEM: string };
    expect(leafJson.Service).toBe(service);
    expect(leafJson.CertPEM).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/needs --service/);
  });
});

describe('watch agent_service', () => {
  it('prints the service at start, after a change (blocking on ?hash) and null once it is deregistered', async () => {
    const id = `cli-watch-svc-${process.pid}`;
    await serviceRegister(client, { Name: 'cli-watch-svc', ID: id, Port: 8080 });
    const watcher = start(['watch', '--type', 'agent_service', '--service-id', id]);
    try {
      await watcher.waitFor(/\n/);
      await serviceRegister(client, { Name: 'cli-watch-svc', ID: id, Port: 9090 });
      await watcher.waitFor(/\n.*\n/);
      await serviceDeregister(client, id);
      await watcher.waitFor(/\n.*\n.*\n/);
    } finally {
      watcher.kill('SIGINT');
    }
    const result = await watcher.done;
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { ID: string; Port: number } | null);
    expect(lines.map((s) => (s === null ? null : `${s.ID}:${s.Port}`))).toEqual([`${id}:8080`, `${id}:9090`, null]);
  }, 60_000);

  it('needs --service-id, and a missing service prints null (--once)', async () => {
    const [missingFlag, none] = await Promise.all([
      cli(['watch', '--type', 'agent_service', '--once']),
      cli(['watch', '--type', 'agent_service', '--service-id', `cli-none-${process.pid}`, '--once']),
    ]);
    expect(missingFlag.code).toBe(2);
    expect(missingFlag.stderr).toMatch(/needs --service-id/);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe('null\n');
  });
});
