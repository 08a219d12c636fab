// The Consul CLI commands consulate carries (issue 14): members, catalog services/nodes, event fire/list,
// kv get --detailed and kv ls --separator, snapshot inspect, watch --type nodes — against the real agent,
// and where consul 1.8.7 has the same command, compared with its output byte for byte.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deregister, register } from '../../src/endpoints/catalog.ts';
import { list as eventList } from '../../src/endpoints/event.ts';
import { acquireLock, set } from '../../src/endpoints/kv.ts';
import { create as createSession, destroy as destroySession } from '../../src/endpoints/session.ts';
import { saveBytes } from '../../src/endpoints/snapshot.ts';
import { testClient, uniqueName, uniquePrefix } from '../support/client.ts';
import { bashCompletions, cleanup, cli, prepare, start } from './run.ts';

const client = testClient();
const dir = mkdtempSync(join(tmpdir(), 'consulate-cli-consul-commands-'));
beforeAll(prepare);
afterAll(cleanup);

/** Runs consul 1.8.7's own CLI against the test agent: its stdout, stderr and exit code. */
function consul(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(inject('consulBin'), args, { env: { PATH: process.env['PATH'], CONSUL_HTTP_ADDR: inject('consulAddress') }, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('members', () => {
  it('prints the table consul members prints, byte for byte (LAN and --wan)', async () => {
    const [ours, theirs, oursWan, theirsWan] = await Promise.all([cli(['members']), consul(['members']), cli(['members', '--wan']), consul(['members', '-wan'])]);
    expect(ours.code, ours.stderr).toBe(0);
    expect(theirs.code).toBe(0);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.stdout).toMatch(/^Node +Address +Status +Type +Build +Protocol +DC +Segment\n(.*\n)*consulate-test +127\.0\.0\.1:\d+ +alive +server +1\.8\.7 +2 +dc1 +<all>\n/);
    expect(oursWan.code, oursWan.stderr).toBe(0);
    expect(oursWan.stdout).toBe(theirsWan.stdout);
    expect(oursWan.stdout).toMatch(/\nconsulate-test\.dc1 /);
  });

  it('--detailed lists the serf tags, --status filters by a regular expression, --json prints the agent\'s JSON', async () => {
    const [detailed, alive, failed, json] = await Promise.all([
      cli(['members', '--detailed']),
      cli(['members', '--status', 'ali']),
      cli(['members', '--status', 'failed|left']),
      cli(['members', '--json']),
    ]);
    expect(detailed.code, detailed.stderr).toBe(0);
    expect(detailed.stdout).toMatch(/^Node +Address +Status +Tags\nconsulate-test +127\.0\.0\.1:\d+ +alive +\S*\bdc=dc1,\S*\brole=consul,/);
    expect(alive.stdout).toMatch(/\nconsulate-test /);
    // nothing matches: no output, a note, exit 0 (consul members exits 2, which is our usage status)
    expect([failed.code, failed.stdout, failed.stderr]).toEqual([0, '', 'consulate: no members with a status matching "failed|left"\n']);
    const members = JSON.parse(json.stdout) as { Name: string; Status: number; Tags: Record<string, string> }[];
    expect(members).toEqual(expect.arrayContaining([expect.objectContaining({ Name: 'consulate-test', Status: 1, Tags: expect.objectContaining({ role: 'consul', dc: 'dc1' }) })]));
  });

  it('usage errors exit 2 (a bad regular expression, --datacenter, which Consul ignores there); Consul\'s refusal of --segment exits 1', async () => {
    const [badRegexp, datacenter, segment, both] = await Promise.all([
      cli(['members', '--status', '(']),
      cli(['members', '--datacenter', 'dc1']),
      cli(['members', '--segment', 'alpha']),
      cli(['members', '--json', '--detailed']),
    ]);
    expect(badRegexp.code).toBe(2);
    expect(badRegexp.stderr).toMatch(/^consulate: error: --status "\(" is not a valid regular expression/);
    expect(datacenter.code).toBe(2);
    expect(datacenter.stderr).toMatch(/members does not take --datacenter/);
    expect(segment.code).toBe(1);
    expect(segment.stderr).toMatch(/Network segments are not supported in this version of Consul/);
    expect(both.code).toBe(2);
  });
});

describe('catalog', () => {
  const node = uniqueName('cli-catalog-node');
  const service = uniqueName('cli-catalog-svc');
  const marker = uniqueName('m');
  beforeAll(async () => {
    await register(client, {
      Node: node,
      ID: '5a1b2c3d-0000-4000-8000-00000000000e',
      Address: '10.9.8.7',
      NodeMeta: { marker, rack: 'r1' },
      TaggedAddresses: { lan: '10.9.8.7' },
      Service: { Service: service, ID: `${service}-1`, Port: 8080, Tags: ['v2', 'primary'] },
    });
    // a second instance on the same node, leaving the node's ID and metadata as they are
    await register(client, { Node: node, Address: '10.9.8.7', SkipNodeUpdate: true, Service: { Service: service, ID: `${service}-2`, Port: 8081, Tags: ['canary'] } });
  });
  afterAll(async () => {
    await deregister(client, { Node: node });
  });

  it('catalog services: names, --tags, --node and --node-meta as consul catalog services prints them', async () => {
    const runs = await Promise.all([
      [['catalog', 'services', '--node', node], ['catalog', 'services', '-node', node]],
      [['catalog', 'services', '--node', node, '--tags'], ['catalog', 'services', '-node', node, '-tags']],
      [['catalog', 'services', '--node-meta', `marker=${marker}`, '--tags'], ['catalog', 'services', '-node-meta', `marker=${marker}`, '-tags']],
    ].map(async ([ours, theirs]) => [await cli(ours!), await consul(theirs!)] as const));
    for (const [ours, theirs] of runs) {
      expect(ours.code, ours.stderr).toBe(0);
      expect(ours.stdout).toBe(theirs.stdout);
    }
    expect(runs[0]![0].stdout).toBe(`${service}\n`);
    expect(runs[1]![0].stdout).toBe(`${service}      canary,primary,v2\n`);
    expect(runs[2]![0].stdout).toBe(`${service}      canary,primary,v2\n`);
  });

  it('catalog services: --json, a node without the metadata, an unknown node (exit 1), a bad --node-meta (exit 2)', async () => {
    const [json, otherMeta, unknown, bad] = await Promise.all([
      cli(['catalog', 'services', '--node', node, '--json']),
      cli(['catalog', 'services', '--node', node, '--node-meta', 'rack=r2']),
      cli(['catalog', 'services', '--node', `${node}-none`]),
      cli(['catalog', 'services', '--node-meta', 'rack']),
    ]);
    expect(JSON.parse(json.stdout)).toEqual({ [service]: expect.arrayContaining(['v2', 'primary', 'canary']) });
    // Consul ignores ?node-meta on /v1/catalog/node: the node's own metadata is checked instead
    expect([otherMeta.code, otherMeta.stdout, otherMeta.stderr]).toEqual([0, '', 'consulate: no services match the given query\n']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(`consulate: error: the catalog has no node named "${node}-none"\n`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--node-meta takes key=value, got "rack"/);
  });

  it('catalog nodes: the table, --detailed, --service and --node-meta as consul catalog nodes prints them', async () => {
    const runs = await Promise.all([
      [['catalog', 'nodes', '--node-meta', `marker=${marker}`], ['catalog', 'nodes', '-node-meta', `marker=${marker}`]],
      [['catalog', 'nodes', '--node-meta', `marker=${marker}`, '--detailed'], ['catalog', 'nodes', '-node-meta', `marker=${marker}`, '-detailed']],
      [['catalog', 'nodes', '--service', service, '--near', '_agent'], ['catalog', 'nodes', '-service', service, '-near', '_agent']],
    ].map(async ([ours, theirs]) => [await cli(ours!), await consul(theirs!)] as const));
    expect(runs[0]![0].stdout).toMatch(new RegExp(`^Node +ID +Address +DC\\n${node} +5a1b2c3d +10\\.9\\.8\\.7 +dc1\\n$`));
    expect(runs[1]![0].stdout).toMatch(new RegExp(`\\n${node} +5a1b2c3d-0000-4000-8000-00000000000e +10\\.9\\.8\\.7 +dc1 +lan=10\\.9\\.8\\.7 +marker=${marker}, rack=r1\\n$`));
    for (const [ours, theirs] of runs.slice(0, 2)) {
      expect(ours.code, ours.stderr).toBe(0);
      expect(ours.stdout).toBe(theirs.stdout);
    }
    // consul lists a node once per instance of the service; consulate once per node
    const [ours, theirs] = runs[2]!;
    expect(ours.stdout).toMatch(new RegExp(`^Node +ID +Address +DC\\n${node} +5a1b2c3d +10\\.9\\.8\\.7 +dc1\\n$`));
    expect(theirs.stdout.split('\n').filter((line) => line.startsWith(node))).toHaveLength(2);
  });

  it('catalog nodes: --filter, --json, no match (a note, exit 0), a filter Consul refuses (exit 1)', async () => {
    const [filtered, json, none, refused] = await Promise.all([
      cli(['catalog', 'nodes', '--filter', `Meta.marker == "${marker}"`]),
      cli(['catalog', 'nodes', '--node-meta', `marker=${marker}`, '--json']),
      cli(['catalog', 'nodes', '--node-meta', `marker=${marker}-none`]),
      cli(['catalog', 'nodes', '--filter', 'Meta.marker =']),
    ]);
    expect(filtered.stdout).toMatch(new RegExp(`\\n${node} `));
    expect(filtered.stdout.split('\n').filter(Boolean)).toHaveLength(2);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ Node: node, Address: '10.9.8.7', Meta: { marker, rack: 'r1' } })]);
    expect([none.code, none.stdout, none.stderr]).toEqual([0, '', 'consulate: no nodes match the given query\n']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^consulate: error: GET \/v1\/catalog\/nodes failed with 500: Failed to create boolean expression evaluator/);
  });
});

describe('event', () => {
  /** The events of that name the agent lists, once it has received `count` of them (delivery is asynchronous). */
  async function received(name: string, count: number): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if ((await eventList(client, { name })).data.length >= count) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`event ${name} not received`);
  }

  it('fires events (payload as an argument, from stdin as bytes) and lists them as a table and as JSON', async () => {
    const name = uniqueName('cli-event');
    const text = await cli(['event', 'fire', name, 'hello world', '--node', 'consulate-.*']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n$/);
    const binary = await cli(['event', 'fire', name, '-', '--json'], { input: Buffer.from([0xff, 0x00, 0x0a]) });
    expect(binary.code, binary.stderr).toBe(0);
    const fired = JSON.parse(binary.stdout) as { ID: string; Name: string; Payload: string };
    expect(fired).toMatchObject({ Name: name, Payload: '/wAK' });
    await received(name, 2);
    const [table, json, none] = await Promise.all([
      cli(['event', 'list', '--name', name]),
      cli(['event', 'list', '--name', name, '--json']),
      cli(['event', 'list', '--name', `${name}-none`]),
    ]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(
      new RegExp(`^ID +Name +LTime +Payload\\n${text.stdout.trim()} +${name} +\\d+ +hello world\\n${fired.ID} +${name} +\\d+ +\\(3 bytes, not UTF-8: see --json\\)\\n$`),
    );
    const events = JSON.parse(json.stdout) as { ID: string; Payload: string | null; NodeFilter: string }[];
    expect(events.map((e) => [e.ID, e.Payload, e.NodeFilter])).toEqual([
      [text.stdout.trim(), Buffer.from('hello world').toString('base64'), 'consulate-.*'],
      [fired.ID, '/wAK', ''],
    ]);
    expect([none.code, none.stdout, none.stderr]).toEqual([0, '', `consulate: no events named "${name}-none"\n`]);
  });

  it('refuses --tag without --service and event list --datacenter (exit 2); a filter Consul refuses exits 1', async () => {
    const [tag, datacenter, regexp] = await Promise.all([
      cli(['event', 'fire', 'x', '--tag', 'v1']),
      cli(['event', 'list', '--datacenter', 'dc1']),
      cli(['event', 'fire', uniqueName('cli-event-bad'), '--service', '(']),
    ]);
    expect(tag.code).toBe(2);
    expect(datacenter.code).toBe(2);
    expect(regexp.code).toBe(1);
    expect(regexp.stderr).toMatch(/Invalid service filter: error parsing regexp/);
  });
});

describe('kv get --detailed, kv ls --separator', () => {
  it('prints records as consul kv get -detailed does (a held key\'s Session, uint64 flags), one and recursive', async () => {
    const p = uniquePrefix('cli-kv-detailed');
    await set(client, `${p}a`, 'alpha', { flags: 18446744073709551615n });
    await set(client, `${p}b/c`, 'gamma');
    const { data: session } = await createSession(client, { Name: 'cli-kv-detailed', TTL: '30s' });
    try {
      expect((await acquireLock(client, `${p}b/held`, session, { value: 'held' })).data).toBe(true);
      const runs = await Promise.all([
        [['kv', 'get', '--detailed', `${p}a`], ['kv', 'get', '-detailed', `${p}a`]],
        [['kv', 'get', '--detailed', `${p}b/held`], ['kv', 'get', '-detailed', `${p}b/held`]],
        [['kv', 'get', '-r', '--detailed', p], ['kv', 'get', '-recurse', '-detailed', p]],
      ].map(async ([ours, theirs]) => [await cli(ours!), await consul(theirs!)] as const));
      for (const [ours, theirs] of runs) {
        expect(ours.code, ours.stderr).toBe(0);
        expect(ours.stdout).toBe(theirs.stdout);
      }
      expect(runs[0]![0].stdout).toMatch(/^CreateIndex {6}\d+\nFlags {12}18446744073709551615\nKey {14}\S+a\nLockIndex {8}0\nModifyIndex {6}\d+\nSession {10}-\nValue {12}alpha\n$/);
      expect(runs[1]![0].stdout).toContain(`\nLockIndex        1\n`);
      expect(runs[1]![0].stdout).toContain(`\nSession          ${session}\n`);
      expect(runs[2]![0].stdout.split('\n\n')).toHaveLength(3);
    } finally {
      await destroySession(client, session);
    }
  });

  it('a binary value goes to a pipe exactly; a missing key exits 1; --trim with --detailed is a usage error', async () => {
    const p = uniquePrefix('cli-kv-detailed-bin');
    const bytes = Buffer.from([0x00, 0xff, 0x1b, 0x0a]);
    await set(client, `${p}bin`, new Uint8Array(bytes));
    const [bin, missing, trim] = await Promise.all([
      cli(['kv', 'get', '--detailed', `${p}bin`]),
      cli(['kv', 'get', '--detailed', `${p}none`]),
      cli(['kv', 'get', '-r', '--detailed', '-t', '1', p]),
    ]);
    expect(bin.stdoutBytes.subarray(bin.stdoutBytes.indexOf('Value') + 17)).toEqual(Buffer.concat([bytes, Buffer.from('\n')]));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`consulate: error: key "${p}none" not found\n`);
    expect(trim.code).toBe(2);
  });

  it('kv ls --separator lists one level like consul kv get -keys -separator, keeping the folder rule', async () => {
    const p = uniquePrefix('cli-kv-separator');
    const folder = p.slice(0, -1);
    await Promise.all([set(client, folder, 'the folder key itself'), set(client, `${p}a`, '1'), set(client, `${p}sub/x`, '2'), set(client, `${p}sub/y/z`, '3'), set(client, `${folder}-other`, 'not under it')]);
    const [slash, theirs, noSlash, byC, long, empty] = await Promise.all([
      cli(['kv', 'ls', '--separator', '/', p]),
      consul(['kv', 'get', '-keys', '-separator', '/', p]),
      cli(['kv', 'ls', '--separator', '/', folder]),
      cli(['kv', 'ls', '--separator', 'x', p]),
      cli(['kv', 'ls', '-l', '--separator', '/', p]),
      cli(['kv', 'ls', '--separator', '', p]),
    ]);
    expect(slash.code, slash.stderr).toBe(0);
    expect(slash.stdout).toBe(`${p}a\n${p}sub/\n`);
    expect(slash.stdout).toBe(theirs.stdout);
    // the folder rule: "PREFIX" covers the key PREFIX itself and PREFIX/…, never PREFIX-other
    expect(noSlash.stdout).toBe(`${folder}\n${p}a\n${p}sub/\n`);
    expect(byC.stdout).toBe(`${p}a\n${p}sub/x\n${p}sub/y/z\n`);
    expect([long.code, empty.code]).toEqual([2, 2]);
  });
});

describe('snapshot inspect', () => {
  it('verifies a snapshot offline and prints meta.json as consul snapshot inspect does; --json and stdin too', async () => {
    const { data: bytes } = await saveBytes(client);
    const file = join(dir, 'inspect.snap');
    writeFileSync(file, bytes);
    const [ours, theirs, json] = await Promise.all([
      // no agent needed: the address is unreachable
      cli(['snapshot', 'inspect', file], { address: 'http://127.0.0.1:1' }),
      consul(['snapshot', 'inspect', file]),
      cli(['snapshot', 'inspect', '-', '--json'], { input: Buffer.from(bytes) }),
    ]);
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stdout).toMatch(/^ID {11}\d+-\d+-\d+\nSize {9}\d+\nIndex {8}\d+\nTerm {9}\d+\nVersion {6}1\n$/);
    // consul 1.8.7 ends with an empty line more (its UI adds a newline to text that has one)
    expect(`${ours.stdout}\n`).toBe(theirs.stdout);
    const meta = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(Object.keys(meta)).toEqual(['ID', 'Size', 'Index', 'Term', 'Version']);
    expect(ours.stdout).toContain(`\nIndex        ${String(meta['Index'])}\n`);
  });

  it('a damaged archive exits 1 naming the file', async () => {
    const file = join(dir, 'damaged.snap');
    writeFileSync(file, 'not a snapshot');
    const result = await cli(['snapshot', 'inspect', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^consulate: error: .*damaged\.snap: not a valid snapshot/);
  });
});

describe('watch --type nodes', () => {
  it('prints the catalog\'s nodes, then again when a node is registered', async () => {
    const node = uniqueName('cli-watch-node');
    const watcher = start(['watch', '--type', 'nodes']);
    try {
      await watcher.waitFor(/\n/);
      const first = JSON.parse(watcher.output().stdout.split('\n')[0]!) as { Node: string }[];
      expect(first.map((n) => n.Node)).toContain('consulate-test');
      await register(client, { Node: node, Address: '10.1.1.1' });
      await watcher.waitFor(new RegExp(`"Node":"${node}"`));
    } finally {
      watcher.kill('SIGINT');
      await deregister(client, { Node: node });
    }
    expect((await watcher.done).code).toBe(0);
  });
});

describe('completion of the new commands', () => {
  it('offers them, their options and their choices (the script is built from the command tree)', async () => {
    const result = await cli(['completion', 'bash']);
    const script = join(dir, 'consulate.bash');
    writeFileSync(script, result.stdout);
    const complete = (...words: string[]): string[] => bashCompletions(script, dir, words);
    expect(complete('')).toEqual(expect.arrayContaining(['members', 'catalog', 'event']));
    expect(complete('catalog', '')).toEqual(['services', 'nodes', 'help']);
    expect(complete('event', '')).toEqual(['fire', 'list', 'help']);
    expect(complete('snapshot', 'i')).toEqual(['inspect']);
    expect(complete('members', '--st')).toEqual(['--status']);
    expect(complete('catalog', 'nodes', '--node')).toEqual(['--node-meta']);
    expect(complete('kv', 'get', '--det')).toEqual(['--detailed']);
    expect(complete('kv', 'ls', '--sep')).toEqual(['--separator']);
    expect(complete('lock', '--no-')).toEqual(['--no-shell']);
    expect(complete('lock', '--pa')).toEqual(['--pass-stdin']);
    expect(complete('lock', '--mon')).toEqual(['--monitor-retry']);
    expect(complete('watch', '--type', 'n')).toEqual(['nodes']);
  });
});
