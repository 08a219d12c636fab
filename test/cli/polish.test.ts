// What a newcomer from the Python consulate ran into on a first try of the CLI (issue 10, second pass):
// each case drives the CLI against the real test agent (or, for completion, the generated bash script in
// a real bash) and checks what the user sees.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { getBytes, set } from '../../src/endpoints/kv.ts';
import { testClient, uniquePrefix } from '../support/client.ts';
import { bashCompletions, cli, cliTestDirectory, onTerminal } from './run.ts';

const client = testClient();
const dir = cliTestDirectory('polish');

/** Writes keys under `prefix` ("app/"): `{ a: 'va' }` → app/a = "va". */
async function seed(prefix: string, values: Record<string, string | Uint8Array>): Promise<void> {
  for (const [key, value] of Object.entries(values)) await set(client, `${prefix}${key}`, value);
}

async function keysUnder(prefix: string): Promise<string> {
  const result = await cli(['kv', 'ls', prefix]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

describe('kv backup / restore habits', () => {
  it('restoring an export backup of "app" under another prefix is refused with the way to copy (also --dry-run, --prune)', async () => {
    const app = uniquePrefix('polish-app');
    const copy = uniquePrefix('polish-copy').slice(0, -1);
    await seed(app, { a: 'va', b: 'vb', c: 'vc' });
    const file = join(dir, 'export.json');
    const backup = await cli(['kv', 'backup', app.slice(0, -1), '-f', file]);
    expect(backup.code, backup.stderr).toBe(0);
    for (const extra of [[], ['--dry-run'], ['--prune', '--force']]) {
      const result = await cli(['kv', 'restore', copy, '-f', file, ...extra]);
      expect(result.code, `${extra.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(`all 3 entries of the backup are outside the prefix ${JSON.stringify(copy)}: nothing was restored`);
      expect(result.stderr).toContain('absolute keys');
      expect(result.stderr).toContain(`consulate kv cp SOURCE ${copy}`);
      expect(result.stderr).toContain('--format consulate');
      expect(result.stderr).not.toMatch(/restored 0 keys/);
    }
    expect(await keysUnder(copy)).toBe('');
    // some entries inside the prefix: a normal restore that reports the others
    writeFileSync(join(dir, 'mixed.json'), JSON.stringify([{ key: `${copy}/x`, flags: 0, value: 'eA==' }, { key: 'elsewhere/y', flags: 0, value: 'eQ==' }]));
    const mixed = await cli(['kv', 'restore', copy, '-f', join(dir, 'mixed.json')]);
    expect(mixed.code, mixed.stderr).toBe(0);
    expect(mixed.stderr).toMatch(/restored 1 key in .*, 1 outside the prefix ignored/);
  });

  it('the original\'s cron line "kv backup -b -f F" writes base64 triples, which "kv restore -b" reads back', async () => {
    const app = uniquePrefix('polish-b64');
    const copy = uniquePrefix('polish-b64-copy').slice(0, -1);
    await seed(app, { text: 'hello', bin: new Uint8Array([0, 255, 10]) });
    const file = join(dir, 'b64.json');
    const backup = await cli(['kv', 'backup', app.slice(0, -1), '-b', '-f', file]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([['bin', 0, 'AP8K'], ['text', 0, 'aGVsbG8=']]);
    const restore = await cli(['kv', 'restore', copy, '-b', '-f', file]);
    expect(restore.code, restore.stderr).toBe(0);
    expect((await getBytes(client, `${copy}/bin`)).data).toEqual(new Uint8Array([0, 255, 10]));
    // -b with another format given explicitly is still a usage error that says what -b is for
    const api = await cli(['kv', 'backup', app, '-b', '--format', 'api']);
    expect(api.code).toBe(2);
    expect(api.stderr).toContain('-b/--base64 applies to --format consulate');
  });

  it('-b on an export file says -b is for consulate triples (not "expected a [key, flags, value] array")', async () => {
    writeFileSync(join(dir, 'plain-export.json'), JSON.stringify([{ key: 'polish-b/x', flags: 0, value: 'eA==' }]));
    const result = await cli(['kv', 'restore', 'polish-b', '-b', '-f', join(dir, 'plain-export.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('-b/--base64 and --text apply to --format consulate (triples)');
    expect(result.stderr).toContain('consul kv export entries');
  });

  it('a two-element row is refused, naming the entry', async () => {
    const p = uniquePrefix('polish-row').slice(0, -1);
    const result = await cli(['kv', 'restore', p, '--text'], { input: '[["a",0]]' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('entry 0: expected a [key, flags, value] array (3 elements), got 2 elements');
    expect(await keysUnder(p)).toBe('');
  });

  it('a binary value that the text format cannot hold is named by its Consul key, not its key relative to the prefix', async () => {
    const app = uniquePrefix('polish-binary');
    await set(client, `${app}z`, new Uint8Array([0xff, 0xfe]));
    const result = await cli(['kv', 'backup', app.slice(0, -1), '--format', 'consulate']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`key ${JSON.stringify(`${app}z`)} holds a binary value`);
  });

  it('one key is "1 key": restore, dry run and backup', async () => {
    const p = uniquePrefix('polish-plural').slice(0, -1);
    const input = JSON.stringify([{ key: `${p}/one`, flags: 0, value: 'MQ==' }]);
    const dry = await cli(['kv', 'restore', p, '--dry-run'], { input });
    expect(dry.stderr).toContain('would write 1 key');
    expect(dry.stderr).not.toContain('1 keys');
    const restore = await cli(['kv', 'restore', p], { input });
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toMatch(/restored 1 key in /);
    const backup = await cli(['kv', 'backup', p, '-f', join(dir, 'one.json')]);
    expect(backup.stderr).toContain('backed up 1 key to');
  });

  it('a streamed restore\'s progress bar does not start at "100% | 0/0"', async () => {
    const p = uniquePrefix('polish-bar').slice(0, -1);
    const file = join(dir, 'bar.json');
    writeFileSync(file, JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ key: `${p}/${i}`, flags: 0, value: '' }))));
    const { shown } = await onTerminal(['kv', 'restore', p, '-f', file]);
    expect(shown).toMatch(/restore \[=+\] 100% \| 20\/20/);
    expect(shown).not.toContain('0/0');
  });
});

describe('kv get -n', () => {
  it('prints a value\'s exact bytes with -n; without it, the newline follows (as consul kv get)', async () => {
    const key = `${uniquePrefix('polish-get')}v`;
    await set(client, key, '0123456789abcdef');
    const [plain, exact, recurse] = await Promise.all([cli(['kv', 'get', key]), cli(['kv', 'get', '-n', key]), cli(['kv', 'get', '-n', '-r', key])]);
    expect(plain.stdoutBytes.length).toBe(17);
    expect(exact.code, exact.stderr).toBe(0);
    expect(exact.stdoutBytes.toString('latin1')).toBe('0123456789abcdef');
    expect(recurse.code).toBe(2);
    expect(recurse.stderr).toContain('-n/--no-newline applies to a single value');
  });
});

describe('help', () => {
  it('"help kv backup" shows kv backup\'s help; "kv help backup" too', async () => {
    const [top, nested] = await Promise.all([cli(['help', 'kv', 'backup']), cli(['kv', 'help', 'backup'])]);
    for (const result of [top, nested]) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^Usage: consulate kv backup /);
    }
  });

  it('"help nonexist" is a usage error naming the command, without the whole help', async () => {
    const [unknown, nested] = await Promise.all([cli(['help', 'nonexist']), cli(['help', 'kv', 'nope'])]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain('unknown command "nonexist" (see "consulate --help")');
    expect(nested.code).toBe(2);
    expect(nested.stderr).toContain('unknown command "kv nope" (see "consulate kv --help")');
  });

  it('lock --help says the options go before the lock prefix', async () => {
    const [lock, runOnce] = await Promise.all([cli(['lock', '--help']), cli(['run_once', '--help'])]);
    expect(lock.stdout.replace(/\s+/g, ' ')).toContain('options go before PREFIX');
    expect(runOnce.stdout.replace(/\s+/g, ' ')).toContain('options go before LOCK');
  });
});

describe('completion bash', () => {
  let script: string;
  beforeAll(async () => {
    const result = await cli(['completion', 'bash']);
    expect(result.code, result.stderr).toBe(0);
    script = join(dir, 'consulate.bash');
    writeFileSync(script, result.stdout);
  });

  const complete = (...words: string[]): string[] => bashCompletions(script, dir, words);

  it('"help <TAB>" offers the commands, not the programs on PATH', () => {
    const top = complete('help', '');
    expect(top).toEqual(expect.arrayContaining(['kv', 'acl', 'register', 'completion']));
    expect(top).not.toContain('bash');
    expect(top).not.toContain('help');
    expect(complete('help', 'sn')).toEqual(['snapshot']);
    expect(complete('kv', 'help', 're')).toEqual(['restore']);
  });

  it('"completion <TAB>" offers the shells; "register NAME <TAB>" the original\'s check words', () => {
    expect(complete('completion', '')).toEqual(['bash', 'zsh']);
    expect(complete('register', 'web', '')).toEqual(['check', 'httpcheck', 'ttl', 'no-check']);
    expect(complete('register', 'web', 'h')).toEqual(['httpcheck']);
    // the check's INTERVAL is free text
    expect(complete('register', 'web', 'ttl', '')).toEqual([]);
  });
});

describe('connection flag errors', () => {
  const cert = join(dir, 'client.pem');
  beforeAll(() => writeFileSync(cert, 'not used: the pair is checked first'));

  it('a client certificate without its key (or the reverse) is a usage error naming the flags', async () => {
    const [certOnly, keyOnly, envCert, envKey] = await Promise.all([
      cli(['kv', 'ls', '--client-cert', cert]),
      cli(['kv', 'ls', '--client-key', cert]),
      cli(['kv', 'ls'], { env: { CONSUL_CLIENT_CERT: cert } }),
      cli(['kv', 'ls'], { env: { CONSUL_CLIENT_KEY: cert } }),
    ]);
    for (const result of [certOnly, keyOnly, envCert, envKey]) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).not.toContain('invalid consulate config');
    }
    expect(certOnly.stderr).toContain('--client-cert is given but no client key: add --client-key FILE (or set CONSUL_CLIENT_KEY)');
    expect(keyOnly.stderr).toContain('--client-key is given but no client certificate: add --client-cert FILE (or set CONSUL_CLIENT_CERT)');
    expect(keyOnly.stderr).not.toContain('needs its key');
    expect(envCert.stderr).toContain('CONSUL_CLIENT_CERT is given but no client key');
    expect(envKey.stderr).toContain('CONSUL_CLIENT_KEY is given but no client certificate');
  });

  it('--api-scheme http+unix (the original\'s) says to use --addr unix://', async () => {
    const result = await cli(['kv', 'ls', '--api-scheme', 'http+unix']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('give --addr unix:///path/to/consul.sock instead');
  });

  it('no note about CONSUL_RPC_ADDR when it names the same address as CONSUL_HTTP_ADDR', async () => {
    const hostPort = inject('consulAddress').replace(/^http:\/\//, '');
    const [same, other] = await Promise.all([
      cli(['kv', 'ls', 'polish-none'], { env: { CONSUL_HTTP_ADDR: hostPort, CONSUL_RPC_ADDR: `http://${hostPort}` } }),
      cli(['kv', 'ls', 'polish-none'], { env: { CONSUL_HTTP_ADDR: hostPort, CONSUL_RPC_ADDR: 'http://127.0.0.2:1' } }),
    ]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toBe('');
    expect(other.code, other.stderr).toBe(0);
    expect(other.stderr).toContain('note: CONSUL_RPC_ADDR (http://127.0.0.2:1) is ignored');
  });

  it('reads CONSUL_HTTP_SSL as fromEnv does (Go\'s ParseBool: T is true) when comparing the two addresses', async () => {
    // the agent speaks plain HTTP, so the https request fails: only the note matters here
    const result = await cli(['kv', 'ls', 'polish-none'], { env: { CONSUL_HTTP_ADDR: '127.0.0.1:3', CONSUL_HTTP_SSL: 'T', CONSUL_RPC_ADDR: 'https://127.0.0.1:3' } });
    expect(result.stderr).not.toContain('note: CONSUL_RPC_ADDR');
  });
});

describe('lock and acl messages', () => {
  it('a command written as one word with options after it: "no such program", and how to fix it', async () => {
    const result = await cli(['lock', uniquePrefix('polish-lock'), 'echo x', '--try', '0']);
    expect(result.code).toBe(127);
    expect(result.stderr).toContain('cannot run "echo x": no such program (a single argument runs through /bin/sh; several run directly; use --shell');
    expect(result.stderr).toContain('give consulate\'s options before the command');
    expect(result.stderr).not.toContain('ENOENT');
  });

  it('acl restore of empty input says the input is empty; acl backup on an agent without ACLs explains', async () => {
    const [empty, backup] = await Promise.all([cli(['acl', 'restore'], { input: '' }), cli(['acl', 'backup'])]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('the input is empty');
    expect(empty.stderr).not.toContain('Unexpected end of JSON input');
    // the test agent runs without ACLs
    expect(backup.code).toBe(1);
    expect(backup.stderr).toContain('this cluster has ACLs disabled');
    expect(backup.stderr).toContain('there are no ACLs to back up');
    expect(backup.stdout).toBe('');
  });
});
