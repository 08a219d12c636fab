// consulate register/deregister/services, watch, snapshot, connection flags, help and usage errors.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { COMMAND_GROUPS, createProgram } from '../../src/cli/main.ts';
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
    // --id: the earlier spelling of -s/--service-id, still accepted
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

  it('services -i N prints the agent\'s services as JSON indented by N (the original\'s flag)', async () => {
    const id = `cli-indent-${process.pid}`;
    const reg = await cli(['register', 'cli-indent', '-s', id, '-p', '81', 'no-check']);
    expect(reg.code, reg.stderr).toBe(0);
    const [four, zero, bad] = await Promise.all([cli(['services', '-i', '4']), cli(['services', '--indent', '0']), cli(['services', '-i', 'x'])]);
    expect(four.code, four.stderr).toBe(0);
    expect(four.stdout).toMatch(new RegExp(`^\\{\\n {4}"${id}": \\{\\n {8}"ID": "${id}",`, 'm'));
    expect((JSON.parse(four.stdout) as Record<string, { Port: number }>)[id]?.Port).toBe(81);
    expect(zero.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(zero.stdout)).toEqual(JSON.parse(four.stdout));
    expect(bad.code).toBe(2);
    await cli(['deregister', id]);
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
      // in the CLI's terms: the path in front of /v1 goes in --addr (there is no pathPrefix flag)
      expect(foreign.stderr).toMatch(/check --addr \(and any path in front of \/v1 in it\)/);
      expect(foreign.stderr).not.toMatch(/pathPrefix/);
      const write = await cli(['kv', 'set', 'k', 'v'], { address: proxy.address });
      expect(write.code).toBe(1);
      expect(write.stderr).toMatch(/which Consul never sends: a server that is not Consul \(check --addr \(and any path in front of \/v1 in it\)\)/);
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

  it('CONSUL_RPC_ADDR as the original reads it (http://host:port, and a bare host:port); CONSUL_HTTP_ADDR and flags win', async () => {
    const p = uniquePrefix('cli-rpc');
    await set(client, `${p}k`, 'via rpc addr');
    const url = new URL(inject('consulAddress'));
    const dead = 'http://127.0.0.1:1';
    const [viaUrl, viaBare, httpWins, flagWins, apiPartFromRpc, bad] = await Promise.all([
      cli(['kv', 'get', `${p}k`], { address: null, env: { CONSUL_RPC_ADDR: `http://${url.host}` } }),
      cli(['kv', 'get', `${p}k`], { address: null, env: { CONSUL_RPC_ADDR: url.host } }),
      cli(['kv', 'get', `${p}k`], { address: url.origin, env: { CONSUL_RPC_ADDR: dead } }),
      cli(['kv', 'get', `${p}k`, '--addr', url.host], { address: null, env: { CONSUL_RPC_ADDR: dead } }),
      // as in the original, CONSUL_RPC_ADDR supplies the parts --api-* do not give (here the port)
      cli(['--api-host', url.hostname, 'kv', 'get', `${p}k`], { address: null, env: { CONSUL_RPC_ADDR: `http://nowhere.invalid:${url.port}` } }),
      cli(['kv', 'get', `${p}k`], { address: null, env: { CONSUL_RPC_ADDR: 'ftp://x:1' } }),
    ]);
    for (const result of [viaUrl, viaBare, httpWins, flagWins, apiPartFromRpc]) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe('via rpc addr\n');
    }
    expect(viaUrl.stderr).toBe('');
    expect(httpWins.stderr).toMatch(/CONSUL_RPC_ADDR \(http:\/\/127\.0\.0\.1:1\) is ignored: CONSUL_HTTP_ADDR .* is set/);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^consulate: error: CONSUL_RPC_ADDR "ftp:\/\/x:1": unsupported scheme/);
  });

  it('errors name the CLI\'s flags, not the SDK\'s option names', async () => {
    const [tokenFile, caFile, certWithoutKey] = await Promise.all([
      cli(['kv', 'ls', '--token-file', '/nonexistent/token']),
      cli(['kv', 'ls', '--ca-file', '/nonexistent/ca.pem']),
      cli(['kv', 'ls', '--client-cert', '/nonexistent/cert.pem']),
    ]);
    expect(tokenFile.code).toBe(1);
    expect(tokenFile.stderr).toBe('consulate: error: --token-file: cannot read token file "/nonexistent/token" (ENOENT)\n');
    expect(caFile.stderr).toBe('consulate: error: --ca-file: cannot read "/nonexistent/ca.pem" (ENOENT)\n');
    // the missing key is a usage error found before any file is read (polish.test.ts has the others)
    expect(certWithoutKey.stderr).toMatch(/^consulate: error: --client-cert is given but no client key: add --client-key/);
    for (const result of [tokenFile, caFile, certWithoutKey]) expect(result.stderr).not.toMatch(/tokenFile|tls\.|invalid consulate config/);
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
  it('a command group built alone (as `consulate kv get K` builds it) has the same commands and help as in the whole tree', () => {
    const names = (command: Command): string[] => command.commands.flatMap((c) => [c.name(), ...c.aliases()]).filter((n) => n !== 'help' && n !== 'connection');
    const helpTexts = (command: Command, path: string[] = []): [string, string][] =>
      command.commands.flatMap((c) => [[[...path, c.name()].join(' '), c.helpInformation()] as [string, string], ...helpTexts(c, [...path, c.name()])]);
    const full = createProgram();
    // every top-level command but completion (which walks the whole tree) belongs to exactly one group
    expect(names(full)).toEqual([...COMMAND_GROUPS.flatMap((group) => group.names), 'completion']);
    const fullHelp = new Map(helpTexts(full));
    for (const group of COMMAND_GROUPS) {
      const alone = createProgram({ exitCode: 0 }, group);
      expect(names(alone)).toEqual(group.names);
      for (const [path, text] of helpTexts(alone)) {
        if (path === 'connection' || path === 'help') continue;
        expect(text, path).toBe(fullHelp.get(path));
      }
    }
  });

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
      expect(command.helpInformation()).toMatch(/^Usage: /);
      // the help topic, the completion script and snapshot inspect (an offline file check) never connect
      if (command.name() === 'connection' || command.name() === 'completion') continue;
      if (command.name() === 'inspect' && command.parent?.name() === 'snapshot') continue;
      const flags = command.options.map((o) => o.long);
      for (const flag of ['--addr', '--token', '--token-file', '--datacenter', '--namespace', '--ca-file', '--ca-path', '--client-cert', '--client-key', '--tls-server-name', '--insecure', '--api-scheme', '--api-host', '--api-port']) {
        expect(flags, `${command.name()} ${flag}`).toContain(flag);
      }
    }
  });

  it('lists the connection flags once, after the commands, and in "help connection"; a command\'s help points there', async () => {
    const [root, sub, topic, registerHelp] = await Promise.all([
      cli(['--help']),
      cli(['kv', 'restore', '--help']),
      cli(['help', 'connection']),
      cli(['register', '--help']),
    ]);
    for (const result of [root, sub, topic, registerHelp]) expect(result.code, result.stderr).toBe(0);
    const count = (text: string, flag: string): number => text.split(flag).length - 1;
    expect(count(root.stdout, '--tls-server-name <name>')).toBe(1);
    expect(root.stdout.indexOf('Commands:')).toBeLessThan(root.stdout.indexOf('Connection (every command takes these'));
    expect(root.stdout).toMatch(/-V, --version/);
    // a subcommand's help: its own options, and one line about the connection flags
    expect(sub.stdout).toMatch(/--no-replace/);
    expect(sub.stdout).not.toMatch(/--api-host/);
    expect(sub.stdout).toMatch(/Connection: .*consulate help connection/s);
    expect(count(topic.stdout, '--client-cert <file>')).toBe(1);
    expect(topic.stdout).toMatch(/^Usage: consulate \[connection options\] <command>/);
    expect(topic.stdout).toMatch(/CONSUL_RPC_ADDR/);
    expect(registerHelp.stdout).toMatch(/check INTERVAL PATH \| httpcheck INTERVAL URL \| ttl SECONDS \| no-check/);
    expect(registerHelp.stdout).toMatch(/-s, --service-id <id>/);
    // help asked for exits 0; a group without its subcommand is a usage error (help on stderr, exit 2)
    const [helpKv, kvAlone] = await Promise.all([cli(['help', 'kv']), cli(['kv'])]);
    expect(helpKv.code).toBe(0);
    expect(helpKv.stdout).toMatch(/^Usage: consulate kv/);
    expect(kvAlone.code).toBe(2);
    expect(kvAlone.stderr).toMatch(/^Usage: consulate kv/);
  });

  it('--version prints the package version (the original\'s --version)', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const [long, short] = await Promise.all([cli(['--version']), cli(['-V'])]);
    expect(long.code).toBe(0);
    expect(long.stdout).toBe(`${version}\n`);
    expect(short.stdout).toBe(`${version}\n`);
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
    expect(unknown.code).toBe(2);
    expect(missing.code).toBe(2);
  });
});
