// The self-registration lifecycle (recipes/registration.ts, node/self-register.ts) against real agents: the heartbeat
// keeps a 2 s TTL check passing, a restarted agent (which forgot the registration) gets it back, unhealthy(error)
// turns the check critical with the error's message, and a child process (Node, Bun) deregisters on SIGTERM/SIGINT
// and exits the way it would have.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { serviceRegistration } from '../../src/recipes/registration.ts';
import { createClient, isInputError, isNetworkError } from '../../src/index.ts';
import { startAgent } from '../support/agent.mjs';
import type { Agent } from '../support/agent.mjs';
import { raw, testClient, uniqueName } from '../support/client.ts';
import { eventually, rejection } from '../support/async.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface CheckState {
  Status: string;
  Output: string;
  Type?: string;
}

/** The agent's view of a check (undefined when it has none), read without the code under test. */
async function checkOf(id: string, address?: string): Promise<CheckState | undefined> {
  const response = address === undefined ? await raw('/v1/agent/checks') : await fetch(`${address}/v1/agent/checks`);
  const checks = (await response.json()) as Record<string, CheckState>;
  return checks[id];
}
async function hasService(id: string, address?: string): Promise<boolean> {
  const path = `/v1/agent/service/${encodeURIComponent(id)}`;
  const response = address === undefined ? await raw(path) : await fetch(`${address}${path}`);
  return response.status === 200;
}

describe('serviceRegistration', () => {
  it('keeps a 2 s TTL check passing for several TTLs, then deregisters on stop', async () => {
    const name = uniqueName('reg');
    const registration = serviceRegistration(testClient(), { Name: name, Port: 8080, Check: { TTL: '2s' } }, { note: 'alive' });
    cleanups.push(() => registration.stop().catch(() => undefined));
    expect(registration.serviceId).toBe(name);
    expect(registration.checkId).toBe(`service:${name}`);
    await registration.ready();
    const started = Date.now();
    const seen: string[] = [];
    while (Date.now() - started < 7000) {
      const check = await checkOf(registration.checkId);
      seen.push(`${check?.Status}:${check?.Output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    console.log(`heartbeat: ${seen.length} samples over ${((Date.now() - started) / 1000).toFixed(1)} s (${((Date.now() - started) / 2000).toFixed(1)} TTLs), ${seen.filter((s) => s === 'passing:alive').length} passing`);
    expect(new Set(seen)).toEqual(new Set(['passing:alive']));
    expect(registration.registrations).toBe(1);
    await registration.stop();
    expect(await hasService(name)).toBe(false);
    expect(await checkOf(registration.checkId)).toBeUndefined();
  });

  it('turns the check critical with the error, keeps it so across heartbeats, and passing again on healthy()', async () => {
    const name = uniqueName('reg-health');
    const registration = serviceRegistration(testClient(), { Name: name, ID: `${name}-1`, Checks: [{ Name: 'http', HTTP: 'http://127.0.0.1:1/', Interval: '30s' }, { TTL: '2s' }] }, { heartbeat: 300 });
    cleanups.push(() => registration.stop().catch(() => undefined));
    expect(registration.checkId).toBe(`service:${name}-1:2`); // Consul's numbering among several checks
    await registration.ready();
    expect((await checkOf(registration.checkId))?.Status).toBe('passing');
    await registration.unhealthy(new Error('database unreachable: connect ECONNREFUSED 10.0.0.9:5432'));
    expect(await checkOf(registration.checkId)).toMatchObject({ Status: 'critical', Output: 'database unreachable: connect ECONNREFUSED 10.0.0.9:5432' });
    await new Promise((resolve) => setTimeout(resolve, 1000)); // three heartbeats later
    expect(await checkOf(registration.checkId)).toMatchObject({ Status: 'critical', Output: 'database unreachable: connect ECONNREFUSED 10.0.0.9:5432' });
    await registration.healthy('recovered');
    expect(await checkOf(registration.checkId)).toMatchObject({ Status: 'passing', Output: 'recovered' });
  });

  it('registers again after the agent restarted and forgot it', async () => {
    const first: Agent = await startAgent({ name: 'reg-restart' });
    let agent: Agent | undefined = first;
    cleanups.push(() => agent?.stop() ?? Promise.resolve());
    const name = uniqueName('reg-restart');
    const errors: unknown[] = [];
    const registered: number[] = [];
    const client = createClient({ address: first.address, timeout: 2000, retry: 0 });
    const registration = serviceRegistration(client, { Name: name, Port: 8080, Check: { TTL: '2s' } }, {
      onError: (error) => errors.push(error),
      onRegister: ({ count }) => registered.push(count),
    });
    cleanups.push(() => registration.stop().catch(() => undefined));
    await registration.ready();
    expect(await checkOf(registration.checkId, first.address)).toMatchObject({ Status: 'passing' });

    const down = Date.now();
    await first.stop();
    agent = undefined;
    await eventually(async () => expect(errors.length).toBeGreaterThan(0));
    expect(isNetworkError(errors[0])).toBe(true);
    agent = await startAgent({ name: 'reg-restart', httpPort: first.httpPort });
    const up = Date.now();
    expect(await hasService(name, agent.address)).toBe(false); // the new agent knows nothing of it
    await eventually(async () => expect(await checkOf(registration.checkId, agent!.address)).toMatchObject({ Status: 'passing' }));
    const back = Date.now();
    console.log(`agent restart: down ${((up - down) / 1000).toFixed(1)} s, ${errors.length} failed heartbeats reported, re-registered ${back - up} ms after the agent was up`);
    expect(registered).toEqual([1, 2]);
    expect(registration.registrations).toBe(2);
    expect(registration.lastError).toBeUndefined();
    await registration.stop();
    expect(await hasService(name, agent.address)).toBe(false);
  });

  it('refuses a definition it cannot keep alive, at once', () => {
    const client = testClient();
    expect(() => serviceRegistration(client, { Name: 'web', Port: 1 })).toThrow(/needs a TTL check/);
    expect(() => serviceRegistration(client, { Name: 'web', Check: { TTL: '2s' } }, { heartbeat: '2s' })).toThrow(/heartbeat must be positive and shorter/);
    let error: unknown;
    try {
      serviceRegistration(client, { Name: 'web', Check: { TTL: 'soon' } });
    } catch (caught) {
      error = caught;
    }
    expect(isInputError(error), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/TTL/);
  });

  it('ends with the error Consul gave for a definition it refused', async () => {
    const registration = serviceRegistration(testClient(), { Name: uniqueName('reg-bad'), Port: 70000, Check: { TTL: '2s' } });
    const error = await rejection(registration.ready());
    expect(isInputError(error)).toBe(true);
    expect((error as Error).message).toMatch(/Port/);
    await registration.stop();
  });
});

describe('selfRegistration (consulate/node): signals', () => {
  const child = fileURLToPath(new URL('../support/self-register-child.ts', import.meta.url));

  const bun = fileURLToPath(new URL('../../node_modules/.bin/bun', import.meta.url));

  async function runChild(mode: 'handler' | 'default', signal: NodeJS.Signals, runtime: 'node' | 'bun' = 'node'): Promise<{ code: number | null; signal: NodeJS.Signals | null; id: string; stderr: string }> {
    const name = uniqueName('self-reg');
    const id = `${name}-${mode}`;
    const args = [child, inject('consulAddress'), name, id, mode];
    const proc = runtime === 'node' ? spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(bun, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, sig) => resolve({ code, signal: sig })));
    await eventually(async () => expect(stdout, stderr).toContain(`ready ${id} service:${id}`), 20_000);
    expect((await checkOf(`service:${id}`))?.Status).toBe('passing');
    proc.kill(signal);
    return { ...(await exited), id, stderr };
  }

  it('deregisters on SIGTERM and lets the app exit by itself (code 0) when it handles the signal', async () => {
    const { code, signal, id, stderr } = await runChild('handler', 'SIGTERM');
    expect({ code, signal }, stderr).toEqual({ code: 0, signal: null });
    expect(await hasService(id)).toBe(false);
  });

  it('does the same on Bun (its process has the same signal events)', async () => {
    const handled = await runChild('handler', 'SIGTERM', 'bun');
    expect({ code: handled.code, signal: handled.signal }, handled.stderr).toEqual({ code: 0, signal: null });
    expect(await hasService(handled.id)).toBe(false);
    const unhandled = await runChild('default', 'SIGINT', 'bun');
    expect({ code: unhandled.code, signal: unhandled.signal }, unhandled.stderr).toEqual({ code: null, signal: 'SIGINT' });
    expect(await hasService(unhandled.id)).toBe(false);
  });

  it('deregisters on SIGINT and then ends the process by that signal when nothing else handles it', async () => {
    const { code, signal, id, stderr } = await runChild('default', 'SIGINT');
    expect({ code, signal }, stderr).toEqual({ code: null, signal: 'SIGINT' });
    expect(await hasService(id)).toBe(false);
  });
});
