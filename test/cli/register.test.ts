// `consulate register` with the original consulate's positional check syntax
// (register NAME [-a ADDR] [-p PORT] [-s ID] [-t TAGS] {check INTERVAL PATH | httpcheck INTERVAL URL | ttl SECONDS | no-check}),
// against an agent that runs script checks. Consul 1.8.7 answers `"Definition": {}` for every check on
// /v1/agent/checks, so the definition is checked twice: as the CLI builds it (the exact JSON it sends), and
// by what the agent does with it (the check's type, the URL it polls, the script's output through a shell).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitionFrom, positionalCheck } from '../../src/cli/services.ts';
import { checkList, serviceRead } from '../../src/endpoints/agent.ts';
import { createClient } from '../../src/index.ts';
import type { Client } from '../../src/index.ts';
import type { Agent } from '../support/agent.mjs';
import { startAgent } from '../support/agent.mjs';
import { cleanup, cli, prepare } from './run.ts';

let agent: Agent;
let client: Client;
const hits: { url: string; agent: string }[] = [];
const health = createServer((request, response) => {
  hits.push({ url: request.url ?? '', agent: String(request.headers['user-agent']) });
  response.end('ok');
});
let healthUrl: string;

beforeAll(async () => {
  await prepare();
  agent = await startAgent({ name: 'consulate-cli-register', hcl: 'enable_script_checks = true' });
  client = createClient({ address: agent.address });
  await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
  healthUrl = `http://127.0.0.1:${(health.address() as AddressInfo).port}/health`;
});

afterAll(async () => {
  await agent?.stop();
  health.close();
  cleanup();
});

const run = (args: string[]) => cli(args, { address: agent.address });
const noFlags = { meta: [] };

async function waitFor<T>(read: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not reached in 10 s');
}

describe('register NAME … {check|httpcheck|ttl|no-check} (the original\'s syntax)', () => {
  it('builds the check the original sends: intervals and TTL in seconds, a script run by a shell', () => {
    expect(definitionFrom('web', positionalCheck(['httpcheck', '15', 'http://h/health'], noFlags)).Check).toEqual({ Interval: '15s', HTTP: 'http://h/health' });
    expect(definitionFrom('job', positionalCheck(['check', '20', '/usr/local/bin/probe --fast'], noFlags)).Check).toEqual({
      Interval: '20s',
      Args: ['/bin/sh', '-c', '/usr/local/bin/probe --fast'],
    });
    expect(definitionFrom('tt', positionalCheck(['ttl', '30'], noFlags)).Check).toEqual({ TTL: '30s' });
    expect(definitionFrom('nn', positionalCheck(['no-check'], noFlags)).Check).toBeUndefined();
  });

  it('registers each kind with the agent, which runs it', async () => {
    const [web, job, ttl, none] = await Promise.all([
      run(['register', 'web', '-s', 'web-1', '-a', '127.0.0.1', '-p', '8080', '-t', 'a,b', 'httpcheck', '1', healthUrl]),
      run(['register', 'job', '-s', 'job-1', 'check', '1', 'echo first; echo second']),
      // options after the check words work too (argparse wanted them before)
      run(['register', 'beat', 'ttl', '30', '--service-id', 'beat-1']),
      run(['register', 'plain', '-s', 'plain-1', '-p', '9', 'no-check']),
    ]);
    for (const result of [web, job, ttl, none]) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
    }
    expect((await serviceRead(client, 'web-1')).data).toMatchObject({ Service: 'web', Address: '127.0.0.1', Port: 8080, Tags: ['a', 'b'] });
    expect((await serviceRead(client, 'plain-1')).data).toMatchObject({ Service: 'plain', Port: 9 });
    const checks = (await checkList(client)).data;
    expect(checks['service:web-1']).toMatchObject({ Type: 'http', ServiceID: 'web-1' });
    expect(checks['service:job-1']).toMatchObject({ Type: 'script', ServiceID: 'job-1' });
    expect(checks['service:beat-1']).toMatchObject({ Type: 'ttl', ServiceID: 'beat-1', Status: 'critical' });
    expect(Object.values(checks).filter((c) => c.ServiceID === 'plain-1')).toEqual([]);
    // the agent polls the URL, and runs the script through a shell (two commands, two lines)
    await waitFor(async () => hits.find((h) => h.url === '/health'));
    expect(hits[0]!.agent).toMatch(/Consul Health Check/);
    const output = await waitFor(async () => (await checkList(client)).data['service:job-1']?.Output || undefined);
    expect(output.trim()).toBe('first\nsecond');
  });

  it('refuses malformed checks and a check given both ways (exit 2, nothing registered)', async () => {
    const results = await Promise.all([
      run(['register', 'bad-1', 'ttl', '30s']),
      run(['register', 'bad-2', 'httpcheck', 'http://h/']),
      run(['register', 'bad-3', 'frob', '1']),
      run(['register', 'bad-4', 'ttl', '30', '--http', 'http://h/']),
      run(['register', 'bad-5', '-s', 'x', '--id', 'y']),
    ]);
    for (const result of results) expect(result.code, result.stderr).toBe(2);
    expect(results[0]!.stderr).toMatch(/SECONDS is a whole number of seconds/);
    expect(results[1]!.stderr).toMatch(/httpcheck INTERVAL URL/);
    expect(results[2]!.stderr).toMatch(/unknown check "frob".*check INTERVAL PATH \| httpcheck INTERVAL URL \| ttl SECONDS \| no-check/);
    expect(results[3]!.stderr).toMatch(/one check kind/);
    expect(results[4]!.stderr).toMatch(/-s\/--service-id or --id/);
    for (const id of ['bad-1', 'bad-2', 'bad-3', 'bad-4', 'x', 'y']) expect((await serviceRead(client, id)).data).toBeUndefined();
  });
});
