// consulate register/deregister/services, watch, snapshot, connection flags, help and usage errors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createProgram } from '../../src/cli/main.ts';
import { createClient } from '../../src/index.ts';
import { serviceRead } from '../../src/endpoints/agent.ts';
import { getBytes, set } from '../../src/endpoints/kv.ts';
import { verify } from '../../src/endpoints/snapshot.ts';
import { startAgent } from '../support/agent.mjs';
import { startMisbehavingServer } from '../support/misbehaving-server.mjs';
import { testClient, uniquePrefix } from '../support/client.ts';
import { cleanup, cli, prepare, start } from './run.ts';

const client = testClient();
const dir = mkdtempSync(join(tmpdir(), 'consulate-cli-misc-'));
beforeAll(prepare);
afterAll(cleanup);

describe('register / deregister / services', () => {
  it('registers a service with tags, meta and a check, lists it, and deregisters it', async () => {
    const id = `cli-web-${process.pid}`;
    const reg = await cli(['register', 'cli-web', '--id', id, '--address', '10.1.2.3', '--port', '8080', '--tags', 'a,b', '--meta', 'team=core', '--meta', 'tier=1', '--ttl', '30']);
    expect(reg.code, reg.stderr).toBe(0);
    const registered = (await serviceRead(client, id)).data!;
    expect(registered).toMatchObject({ Service: 'cli-web', Address: '10.1.2.3', Port: 8080, Tags: ['a', 'b'], Meta: { team: 'core', tier: '1' } });
    const [table, json] = await Promise.all([cli(['services']), cli(['services', '--json'])]);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+ADDRESS\s+PORT\s+TAGS$/);
    expect(table.stdout).toMatch(new RegExp(`${id}\\s+cli-web\\s+10\\.1\\.2\\.3\\s+8080\\s+a,b`));
    expect((JSON.parse(json.stdout) as Record<string, { Service: string }>)[id]?.Service).toBe('cli-web');
    const dereg = await cli(['deregister', id]);
    expect(dereg.code, dereg.stderr).toBe(0);
    expect((await serviceRead(client, id)).data).toBeUndefined();
  });

  it('fails: unknown service id exits 1, conflicting check flags exit 2, a check Consul rejects exits 1', async () => {
    const [unknown, conflict, rejected] = await Promise.all([
      cli(['deregister', 'no-such-service-id']),
      cli(['register', 'x', '--ttl', '10s', '--http', 'http://localhost/']),
      cli(['register', 'cli-script', '--script', 'true']),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('consulate: error: the agent has no service with id "no-such-service-id"\n');
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toMatch(/one check kind/);
    // script checks need enable_script_checks, which the test agent does not have
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/^consulate: error: .*(script|Scripts)/i);
  });
});

describe('watch', () => {
  it('prints a JSON line at start and after each change, and ends on SIGINT with 0', async () => {
    const p = uniquePrefix('cli-watch');
    await set(client, `${p}a`, 'one');
    const watcher = start(['watch', '--type', 'keyprefix', '--prefix', p]);
    await watcher.waitFor(/\n/);
    await set(client, `${p}b`, 'two', { flags: 18446744073709551615n });
    await watcher.waitFor(/\n.*\n/);
    watcher.kill('SIGINT');
    const result = await watcher.done;
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect((JSON.parse(lines[0]!) as { Key: string }[]).map((r) => r.Key)).toEqual([`${p}a`]);
    expect(lines[1]).toContain('"Flags":18446744073709551615');
    expect(lines[1]).toContain(`"Value":"${Buffer.from('two').toString('base64')}"`);
  });

  it('runs a handler with the JSON on stdin (--once), and needs the type\'s argument', async () => {
    const p = uniquePrefix('cli-watch-handler');
    await set(client, `${p}k`, 'value');
    const [handled, missing, services, events] = await Promise.all([
      cli(['watch', '--type', 'key', '--key', `${p}k`, '--once', '--', 'sh', '-c', 'read line; echo "handler got $line"']),
      cli(['watch', '--type', 'key']),
      cli(['watch', '--type', 'services', '--once']),
      cli(['watch', '--type', 'event', '--name', `cli-none-${process.pid}`, '--once']),
    ]);
    expect(JSON.parse(services.stdout)).toHaveProperty('consul');
    expect(events.stdout).toBe('[]\n');
    expect(handled.code, handled.stderr).toBe(0);
    expect(handled.stdout).toMatch(new RegExp(`^handler got \\{.*"Key":"${p}k".*"Value":"${Buffer.from('value').toString('base64')}"`));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/needs --key/);
  });
});

describe('watch failures', () => {
  it('--once against an unreachable agent does one read and exits 1 with the reason', async () => {
    const result = await cli(['watch', '--type', 'key', '--key', 'k', '--once'], { address: 'http://127.0.0.1:1' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(/retrying/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^consulate: error: .*(127\.0\.0\.1:1|ECONNREFUSED)/);
  });

  it('a key watch answered by a foreign 404 page exits 1 (not "missing"); a real missing key prints null', async () => {
    const proxy = await startMisbehavingServer('foreign-404');
    try {
      const foreign = await cli(['watch', '--type', 'key', '--key', 'k', '--once'], { address: proxy.address });
      expect(foreign.code).toBe(1);
      expect(foreign.stdout).toBe('');
      expect(foreign.stderr).toMatch(/not answering like Consul/);
      const prefix = await cli(['watch', '--type', 'keyprefix', '--prefix', 'k/', '--once'], { address: proxy.address });
      expect(prefix.code).toBe(1);
      const services = await cli(['watch', '--type', 'services', '--once'], { address: proxy.address });
      expect(services.code).toBe(1);
    } finally {
      await proxy.close();
    }
    const real = await cli(['watch', '--type', 'key', '--key', `${uniquePrefix('cli-watch-missing')}none`, '--once']);
    expect(real.code).toBe(0);
    expect(real.stdout.trim()).toBe('null');
  });

  it('a watch answered 403 exits 1 with Consul\'s reason instead of retrying; transient failures are retried with a warning', async () => {
    // two transient failures (500s, which the client itself does not retry), then 403 as Consul 1.8.7 answers a denied read
    await using server = await startMisbehavingServer((_request, n) =>
      n < 2 ? { mode: 'respond', status: 500, headers: { 'Content-Type': 'text/plain' }, body: 'rpc error: No cluster leader' }
        : { mode: 'respond', status: 403, statusText: 'Forbidden', headers: { 'Content-Type': 'text/plain' }, body: 'Permission denied' });
    const result = await cli(['watch', '--type', 'keyprefix', '--prefix', 'p'], { address: server.address });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines.filter((line) => /attempt [12]\), retrying: .*No cluster leader/.test(line))).toHaveLength(2);
    expect(lines.at(-1)).toMatch(/^consulate: error: .*Permission denied/);
    expect(server.requests).toHaveLength(3);
  });
});

describe('snapshot', () => {
  it('saves a verified snapshot and restores it; a damaged file is refused (exit 1)', async () => {
    // a separate agent: restoring a snapshot rewinds the whole state
    const agent = await startAgent({ name: 'consulate-cli-snap' });
    try {
      const own = createClient({ address: agent.address });
      await set(own, 'snap/key', 'before');
      const file = join(dir, 'backup.snap');
      const save = await cli(['snapshot', 'save', file], { address: agent.address });
      expect(save.code, save.stderr).toBe(0);
      expect(save.stderr).toMatch(/saved and verified snapshot at raft index \d+/);
      await verify(readFileSync(file));
      await set(own, 'snap/key', 'after');
      const restore = await cli(['snapshot', 'restore', file], { address: agent.address });
      expect(restore.code, restore.stderr).toBe(0);
      expect(Buffer.from((await getBytes(own, 'snap/key')).data!).toString()).toBe('before');
      const damaged = join(dir, 'damaged.snap');
      const bytes = readFileSync(file);
      writeFileSync(damaged, bytes.subarray(0, bytes.length >> 1));
      const refused = await cli(['snapshot', 'restore', damaged], { address: agent.address });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^consulate: error: .*damaged\.snap: not a valid snapshot/);
      // an unwritable destination fails (exit 1, one line) before the snapshot is requested — never a silent 0
      const unwritable = await cli(['snapshot', 'save', join(dir, 'missing-dir', 'x.snap')], { address: agent.address });
      expect(unwritable.code).toBe(1);
      expect(unwritable.stderr).toMatch(/^consulate: error: .*ENOENT/);
    } finally {
      await agent.stop();
    }
  });
});

describe('connection flags', () => {
  it('--addr and consulate\'s --api-scheme/--api-host/--api-port override CONSUL_HTTP_ADDR', async () => {
    const p = uniquePrefix('cli-conn');
    await set(client, `${p}k`, 'reachable');
    const url = new URL(inject('consulAddress'));
    const [viaAddr, viaApi, unreachable, both] = await Promise.all([
      cli(['kv', 'get', `${p}k`, '--addr', url.host], { address: 'http://127.0.0.1:1' }),
      cli(['--api-host', url.hostname, '--api-port', url.port, 'kv', 'get', `${p}k`], { address: 'http://127.0.0.1:1' }),
      cli(['kv', 'get', `${p}k`], { address: 'http://127.0.0.1:1' }),
      cli(['kv', 'get', `${p}k`, '--addr', url.host, '--api-port', url.port]),
    ]);
    expect(viaAddr.stdout).toBe('reachable\n');
    expect(viaApi.stdout).toBe('reachable\n');
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
    expect(unreachable.stderr).toMatch(/^consulate: error: .*127\.0\.0\.1:1|ECONNREFUSED/);
    expect(both.code).toBe(2);
    // without --api-scheme, CONSUL_HTTP_SSL=true means https (as with --addr): the plain port then refuses it
    const ssl = await cli(['--api-host', url.hostname, '--api-port', url.port, 'kv', 'get', `${p}k`], {
      address: null,
      env: { CONSUL_HTTP_SSL: 'true' },
    });
    expect(ssl.code).toBe(1);
    expect(ssl.stdout).toBe('');
  });

  it('--datacenter and the TLS flags reach the client', async () => {
    const [dc1, other, ca] = await Promise.all([
      cli(['kv', 'ls', 'cli-no-such-prefix', '--datacenter', 'dc1']),
      cli(['kv', 'ls', '--datacenter', 'nowhere']),
      cli(['kv', 'ls', '--ca-file', '/nonexistent/ca.pem']),
    ]);
    expect(dc1.code, dc1.stderr).toBe(0);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^consulate: error: .*No path to datacenter/);
    expect(ca.code).toBe(1);
    expect(ca.stderr).toMatch(/^consulate: error: .*\/nonexistent\/ca\.pem/);
  });

  it('--datacenter is refused (exit 2, nothing done) by commands Consul does not route by datacenter', async () => {
    const name = uniquePrefix('cli-dc-local').replace(/[/]/g, '-').replace(/-$/, '');
    const [register, deregister, services, catalog] = await Promise.all([
      cli(['register', name, '--datacenter', 'dc2']),
      cli(['deregister', name, '--datacenter', 'dc2']),
      cli(['services', '--datacenter', 'dc2']),
      cli(['services', '--catalog', '--json', '--datacenter', 'dc1']),
    ]);
    for (const result of [register, deregister, services]) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/does not take --datacenter/);
    }
    expect(catalog.code, catalog.stderr).toBe(0);
    const { data } = await serviceRead(createClient({ address: inject('consulAddress') }), name);
    expect(data).toBeUndefined();
  });
});

describe('help and usage', () => {
  it('every command has --help and the connection flags', () => {
    const program = createProgram();
    const all: Command[] = [];
    const walk = (command: Command): void => {
      all.push(command);
      command.commands.forEach(walk);
    };
    walk(program);
    expect(all.length).toBeGreaterThan(20);
    for (const command of all) {
      const flags = command.options.map((o) => o.long);
      for (const flag of ['--addr', '--token', '--token-file', '--datacenter', '--namespace', '--ca-file', '--ca-path', '--client-cert', '--client-key', '--tls-server-name', '--insecure', '--api-scheme', '--api-host', '--api-port']) {
        expect(flags, `${command.name()} ${flag}`).toContain(flag);
      }
      expect(command.helpInformation()).toMatch(/^Usage: /);
    }
  });

  it('--help exits 0 with usage on stdout; unknown commands and missing arguments exit 2', async () => {
    const [help, sub, unknown, missing] = await Promise.all([
      cli(['--help']),
      cli(['kv', 'restore', '--help']),
      cli(['frobnicate']),
      cli(['run_once']),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: consulate/);
    expect(help.stdout).toMatch(/run_once/);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/--no-replace/);
    expect(sub.stdout).toMatch(/--api-host/);
    expect(unknown.code).toBe(2);
    expect(missing.code).toBe(2);
  });
});
