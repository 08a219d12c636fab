// The TLS flags against an HTTPS agent with verify_incoming (certificates made with `consul tls`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Agent } from '../support/agent.mjs';
import { startAgent } from '../support/agent.mjs';
import { cleanup, cli, prepare } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'consulate-cli-tls-'));
const pem = (name: string): string => join(dir, name);
const ca = pem('consul-agent-ca.pem');
const cert = pem('dc1-client-consul-0.pem');
const key = pem('dc1-client-consul-0-key.pem');
let agent: Agent;
let https: string;

beforeAll(async () => {
  await prepare();
  for (const args of [['tls', 'ca', 'create'], ['tls', 'cert', 'create', '-server', '-dc', 'dc1'], ['tls', 'cert', 'create', '-client', '-dc', 'dc1']]) {
    execFileSync(inject('consulBin'), args, { cwd: dir, stdio: 'pipe' });
  }
  agent = await startAgent({
    name: 'consulate-cli-tls',
    https: { caFile: ca, certFile: pem('dc1-server-consul-0.pem'), keyFile: pem('dc1-server-consul-0-key.pem'), verifyIncoming: true },
  });
  https = `https://127.0.0.1:${agent.httpsPort}`;
});

afterAll(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
  cleanup();
});

describe('TLS flags', () => {
  it('--ca-file/--client-cert/--client-key/--tls-server-name, CONSUL_* variables and --insecure work; no client certificate fails', async () => {
    const flags = ['--ca-file', ca, '--client-cert', cert, '--client-key', key];
    // the write first, then the reads in parallel (a read racing the write could see nothing)
    const set = await cli(['kv', 'set', 'tls/k', 'over tls', '--addr', https, ...flags], { address: null });
    expect(set.code, set.stderr).toBe(0);
    const [viaEnv, insecure, serverName, noCert] = await Promise.all([
      cli(['kv', 'ls', 'tls'], { address: https, env: { CONSUL_CACERT: ca, CONSUL_CLIENT_CERT: cert, CONSUL_CLIENT_KEY: key } }),
      cli(['kv', 'ls', 'tls', '--addr', https, '--insecure', '--client-cert', cert, '--client-key', key], { address: null }),
      cli(['kv', 'ls', 'tls', '--addr', `https://localhost:${agent.httpsPort}`, '--tls-server-name', 'server.dc1.consul', ...flags], { address: null }),
      cli(['kv', 'ls', 'tls', '--addr', https, '--ca-file', ca], { address: null }),
    ]);
    for (const run of [viaEnv, insecure, serverName]) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe('tls/k\n');
    }
    expect(noCert.code).toBe(1);
    expect(noCert.stderr.trim().split('\n')).toHaveLength(1);
    expect(noCert.stderr).toMatch(/^consulate: error: /);
    // the hint names the CLI's flags (and the variables), not the SDK's tls.cert/certFile
    expect(noCert.stderr).toMatch(/--client-cert and --client-key \(CONSUL_CLIENT_CERT, CONSUL_CLIENT_KEY\)/);
    expect(noCert.stderr).not.toMatch(/tls\.|certFile/);
  });
});
