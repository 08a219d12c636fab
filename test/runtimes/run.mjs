#!/usr/bin/env node
// The runtime matrix: starts a throwaway Consul agent, runs the runtime-neutral suite (test/runtimes/suite.ts:
// the main entry and the recipe subpaths consulate/discovery, /registration, /live-config, /election, /kv-sync)
// under Node, Deno and Bun from source and from the built package (each subpath's file as jsr.json and
// package.json export it), in Cloudflare's workerd and Vercel's edge runtime from both (test/runtimes/edge.mjs),
// in headless Chromium from both (test/runtimes/browser.mjs, which also checks the CORS
// proxy and the dashboard example), and runs the Deno/Bun/Node examples against the agent (node-service
// against a second agent on a Unix socket). Prints one summary line per runtime and, last,
// `N passed, N failed, N skipped` (tests summed over runtimes; a runtime that cannot run counts 1).
//
//   npm run build && node test/runtimes/run.mjs [deno] [bun] [workerd] [edge-runtime] [browser] [node]   (default: all)
//
// With CI=true a missing runtime (deno, bun, workerd, @edge-runtime/vm, chromium) or a missing dist/ FAILS; locally it is skipped
// with the reason. CONSUL_HTTP_ADDR reuses a running agent instead of starting one. Exits 1 on failure.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startAgent } from '../support/agent.mjs';
import { findChromium } from './browser.mjs';
import { edgeRuntimeVersion, workerdVersion } from './edge.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const CI = process.env.CI === 'true' || process.env.CI === '1';
const MARKER = '@@consulate-runtime-result ';
const RUN_TIMEOUT = 300_000; // per runtime process
const bin = (name) => join(root, 'node_modules/.bin', name);
const env = { ...process.env, DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', DO_NOT_TRACK: '1', NO_COLOR: '1' };

/** First working binary among candidates → [path, version] or [undefined, reason]. */
function probe(candidates, args = ['--version']) {
  const reasons = [];
  for (const candidate of candidates.filter(Boolean)) {
    const r = spawnSync(candidate, args, { encoding: 'utf8', env, timeout: 30_000 });
    if (r.status === 0) return [candidate, r.stdout.trim().split('\n')[0]];
    reasons.push(`${candidate}: ${r.error?.code ?? `exit ${r.status}`}`);
  }
  return [undefined, reasons.join('; ') || 'not found'];
}

const DENO_FLAGS = ['run', '--node-modules-dir=manual', '--cached-only', '--no-prompt', '--allow-net', '--allow-env', '--allow-read'];

/** Runs a command, streaming its output indented; resolves with { code, out, ms }. */
function runProcess(cmd, args, extraEnv, { quiet = false, timeout = RUN_TIMEOUT } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let partial = '';
    const onData = (chunk) => {
      out += chunk;
      if (quiet) return;
      const text = partial + chunk;
      const lines = text.split('\n');
      partial = lines.pop();
      for (const line of lines) if (!line.startsWith(MARKER)) console.log(`    ${line}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      out += `\n(killed after ${timeout / 1000} s)`;
      child.kill('SIGKILL');
    }, timeout);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (partial && !quiet && !partial.startsWith(MARKER)) console.log(`    ${partial}`);
      resolve({ code: code ?? (signal ? 1 : 0), out, ms: Date.now() - started });
    });
  });
}

/**
 * Reads the suite's result marker (or a failure when there is none). In CI a skipped suite test (a
 * facade group missing from the build, e.g. a stale dist/) is a failure.
 */
function resultOf({ code, out }) {
  const line = out.split('\n').reverse().find((l) => l.startsWith(MARKER));
  if (!line) return { passed: 0, failed: 1, skipped: 0, failures: [`no result (exit ${code}): ${out.trim().split('\n').slice(-3).join(' | ')}`] };
  const result = JSON.parse(line.slice(MARKER.length));
  if (CI && result.skipped > 0) {
    result.failures.push(`${result.skipped} test(s) skipped in CI (see the skip lines above; rebuild dist/?)`);
    result.failed += result.skipped;
    result.skipped = 0;
  }
  if (code !== 0 && result.failed === 0) {
    result.failed = 1;
    result.failures.push(`exit code ${code}`);
  }
  return result;
}

const rows = [];
const total = { passed: 0, failed: 0, skipped: 0 };
function report(label, result, ms, note = '') {
  total.passed += result.passed;
  total.failed += result.failed;
  total.skipped += result.skipped;
  rows.push({ label, result, ms, note });
  const status = result.failed ? 'FAIL' : result.passed ? 'ok  ' : 'skip';
  console.log(`${status} ${label.padEnd(28)} passed ${result.passed}, failed ${result.failed}, skipped ${result.skipped}${ms ? ` (${(ms / 1000).toFixed(1)} s)` : ''}${note ? ` ${note}` : ''}`);
  for (const f of result.failures ?? []) console.log(`       ✗ ${f}`);
}

/** A runtime that cannot run: fails in CI, is skipped (1 skipped) locally. */
function unavailable(label, reason) {
  if (CI) report(label, { passed: 0, failed: 1, skipped: 0, failures: [`unavailable in CI: ${reason}`] }, 0);
  else report(label, { passed: 0, failed: 0, skipped: 1, failures: [] }, 0, `— skipped: ${reason}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what, fn, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await fn().catch((error) => {
      if (error.fatal) throw error;
      return undefined;
    });
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// ---- examples: each is run against the agent and its effect checked with raw HTTP (not the SDK) -------

/** A long-running example process: its output so far, a way to wait for a line, its exit. */
function startExample(cmd, args, extraEnv) {
  const child = spawn(cmd, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = { child, out: '' };
  child.stdout.on('data', (d) => { proc.out += d; });
  child.stderr.on('data', (d) => { proc.out += d; });
  proc.exited = new Promise((r) => child.on('exit', (code, signal) => r(code ?? `signal ${signal}`)));
  proc.waitForLine = (pattern, what) => waitFor(what, async () => {
    if (pattern.test(proc.out)) return true;
    if (child.exitCode !== null) throw Object.assign(new Error(`exited ${child.exitCode} before ${what}:\n${proc.out}`), { fatal: true });
    return false;
  });
  proc.stop = async (signal = 'SIGTERM') => {
    if (child.exitCode !== null) return child.exitCode;
    child.kill(signal);
    return Promise.race([proc.exited, sleep(15_000).then(() => 'no exit 15 s after SIGTERM')]);
  };
  return proc;
}

const json = async (res) => (res.status === 200 ? res.json() : undefined);
const agentChecks = async (agentUrl) => (await fetch(`${agentUrl}/v1/agent/checks`)).json();

/** examples/bun-script.ts: reads its settings from KV, registers a TTL check, passes it with the configured note, exits. */
async function runBunScriptExample(exe, agentUrl) {
  const file = 'examples/bun-script.ts';
  if (!existsSync(join(root, file))) return { skip: `${file} has not landed` };
  const name = `bun-script-${Date.now().toString(36)}`;
  const put = await fetch(`${agentUrl}/v1/kv/examples/${name}/config`, { method: 'PUT', body: JSON.stringify({ checkName: name, ttl: '30s', note: 'from bun' }) });
  if (!put.ok) throw new Error(`seeding KV failed: ${put.status}`);
  try {
    const r = await runProcess(exe, [file], { CONSUL_HTTP_ADDR: agentUrl, CONSULATE_EXAMPLE_PREFIX: `examples/${name}` }, { timeout: 60_000 });
    if (r.code !== 0) throw new Error(`${file} exited ${r.code}`);
    const check = (await agentChecks(agentUrl))[name];
    if (!check) throw new Error(`check ${name} not registered`);
    if (check.Status !== 'passing' || check.Output !== 'from bun') throw new Error(`check is ${check.Status} with output ${JSON.stringify(check.Output)}`);
  } finally {
    await fetch(`${agentUrl}/v1/agent/check/deregister/${encodeURIComponent(name)}`, { method: 'PUT' });
    await fetch(`${agentUrl}/v1/kv/examples/${name}?recurse`, { method: 'DELETE' });
  }
  return {};
}

/** examples/deno-edge.ts: serves its KV settings (kept current by a watch), keeps a TTL check passing, deregisters on SIGTERM. */
async function runDenoEdgeExample(exe, agentUrl) {
  const file = 'examples/deno-edge.ts';
  if (!existsSync(join(root, file))) return { skip: `${file} has not landed` };
  const name = `deno-edge-${Date.now().toString(36)}`;
  const configUrl = `${agentUrl}/v1/kv/examples/${name}/config`;
  await fetch(configUrl, { method: 'PUT', body: JSON.stringify({ greeting: 'hello', checkName: name, ttl: '30s' }) });
  const port = await freePort();
  const proc = startExample(exe, [...DENO_FLAGS, file], { CONSUL_HTTP_ADDR: agentUrl, CONSULATE_EXAMPLE_PREFIX: `examples/${name}`, PORT: String(port) });
  try {
    await proc.waitForLine(/listening on/, 'the listening line');
    const page = await json(await fetch(`http://127.0.0.1:${port}/`));
    if (page?.greeting !== 'hello') throw new Error(`served ${JSON.stringify(page)}`);
    const check = (await agentChecks(agentUrl))[name];
    if (check?.Status !== 'passing' || check.Output !== 'serving') throw new Error(`check: ${JSON.stringify(check)}`);
    // a change in KV reaches the running handler through its watch
    await fetch(configUrl, { method: 'PUT', body: JSON.stringify({ greeting: 'hello again', checkName: name, ttl: '30s' }) });
    await waitFor('the new greeting', async () => (await json(await fetch(`http://127.0.0.1:${port}/`)))?.greeting === 'hello again');
    const code = await proc.stop();
    if (code !== 0) throw new Error(`exit after SIGTERM: ${code}\n${proc.out}`);
    if ((await agentChecks(agentUrl))[name]) throw new Error('check still registered after SIGTERM');
    return {};
  } catch (error) {
    throw new Error(`${error.message}\n--- example output:\n${proc.out}`);
  } finally {
    if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    await fetch(`${agentUrl}/v1/agent/check/deregister/${encodeURIComponent(name)}`, { method: 'PUT' }).catch(() => {});
    await fetch(`${agentUrl}/v1/kv/examples/${name}?recurse`, { method: 'DELETE' }).catch(() => {});
  }
}

/** Raw HTTP to the agent over its Unix socket (node:http, not the SDK): JSON body or undefined for 404. */
function overSocket(socketPath, method, path) {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ socketPath, method, path, headers: { Host: 'localhost' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => (res.statusCode === 404 ? resolve(undefined) : res.statusCode === 200 ? resolve(body ? JSON.parse(body) : undefined) : reject(new Error(`${method} ${path}: ${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * examples/node-service.ts (via tsx), over consulate/node's Unix-socket transport: two instances register
 * with TTL checks kept passing; the first leads; on its SIGTERM it steps down and deregisters, and the
 * second takes over the leader lock; then the second stops too.
 */
async function runNodeServiceExample() {
  const file = 'examples/node-service.ts';
  if (!existsSync(join(root, file))) return { skip: `${file} has not landed` };
  const dir = mkdtempSync(join(tmpdir(), 'consulate-sock-'));
  const socketPath = join(dir, 'consul.sock');
  const agent = await startAgent({ name: 'consulate-node-example', unixSocket: socketPath });
  const api = (method, path) => overSocket(socketPath, method, path);
  const service = 'consulate-node-example';
  const leaderKey = 'examples/node-service/leader';
  const start = (id) => startExample(process.execPath, ['--import', 'tsx', file], {
    CONSUL_HTTP_ADDR: `unix://${socketPath}`, SERVICE_ID: id, SERVICE_NAME: service, CHECK_TTL: '10s', LEADER_KEY: leaderKey,
  });
  const procs = [];
  try {
    const a = start('node-a');
    procs.push(a);
    await a.waitForLine(/node-a\] is now the leader/, 'node-a to lead');
    const b = start('node-b');
    procs.push(b);
    await b.waitForLine(/node-b\] registered/, 'node-b to register');
    const checks = await api('GET', `/v1/health/checks/${service}`);
    const status = Object.fromEntries(checks.map((c) => [c.ServiceID, c.Status]));
    await waitFor('both checks passing', async () => {
      const now = await api('GET', `/v1/health/checks/${service}`);
      return now.length === 2 && now.every((c) => c.Status === 'passing');
    }).catch(() => { throw new Error(`checks: ${JSON.stringify(status)}`); });
    const held = await api('GET', `/v1/kv/${leaderKey}`);
    if (atob(held?.[0]?.Value ?? '') !== 'node-a') throw new Error(`leader key holds ${JSON.stringify(held)}`);
    if (/node-b\] is now the leader/.test(b.out)) throw new Error('two leaders');
    const codeA = await a.stop();
    if (codeA !== 0) throw new Error(`node-a exit after SIGTERM: ${codeA}`);
    if ((await api('GET', '/v1/agent/services'))['node-a']) throw new Error('node-a still registered after SIGTERM');
    await b.waitForLine(/node-b\] is now the leader/, 'node-b to take over');
    const codeB = await b.stop();
    if (codeB !== 0) throw new Error(`node-b exit after SIGTERM: ${codeB}`);
    if (Object.keys(await api('GET', '/v1/agent/services')).length) throw new Error('services left after both stopped');
    if ((await api('GET', `/v1/kv/${leaderKey}`))?.[0]?.Session) throw new Error('leader lock still held after both stopped');
    return {};
  } catch (error) {
    throw new Error(`${error.message}\n--- example output:\n${procs.map((p) => p.out).join('\n')}`);
  } finally {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function exampleRow(label, fn) {
  const started = Date.now();
  try {
    const { skip } = await fn();
    if (skip) {
      if (CI) report(label, { passed: 0, failed: 1, skipped: 0, failures: [skip] }, 0);
      else report(label, { passed: 0, failed: 0, skipped: 1, failures: [] }, 0, `— skipped: ${skip}`);
    } else report(label, { passed: 1, failed: 0, skipped: 0, failures: [] }, Date.now() - started);
  } catch (error) {
    report(label, { passed: 0, failed: 1, skipped: 0, failures: [String(error.message ?? error)] }, Date.now() - started);
  }
}

// ---- main ------------------------------------------------------------------------------------------------

const wanted = new Set(process.argv.slice(2).filter((a) => !a.startsWith('-')));
const want = (name) => wanted.size === 0 || wanted.has(name);
const hasDist = existsSync(join(root, 'dist/index.js'));

let agent;
let agentUrl = process.env.CONSUL_HTTP_ADDR;
if (agentUrl) agentUrl = /^https?:\/\//.test(agentUrl) ? agentUrl : `http://${agentUrl}`;
else {
  agent = await startAgent({ name: 'consulate-runtimes' });
  agentUrl = agent.address;
}
const stopAgent = async () => { if (agent) await agent.stop(); };
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { stopAgent().finally(() => process.exit(130)); });
console.log(`# runtime matrix against consul at ${agentUrl}${CI ? ' (CI: missing runtimes fail)' : ''}`);

try {
  const targets = ['src', 'dist'];
  for (const [name, candidates, command] of [
    ['deno', [process.env.DENO_BIN, bin('deno'), 'deno'], (exe) => [exe, [...DENO_FLAGS, 'test/runtimes/entry.ts']]],
    ['bun', [process.env.BUN_BIN, bin('bun'), 'bun'], (exe) => [exe, ['test/runtimes/entry.ts']]],
  ]) {
    if (!want(name)) continue;
    const [exe, version] = probe(candidates);
    if (!exe) {
      for (const target of targets) unavailable(`${name} (${target})`, `${name} not runnable (${version}); npm ci installs it`);
      continue;
    }
    for (const target of targets) {
      const label = `${name} ${version.replace(/^\D*/, '').split(' ')[0]} (${target})`;
      if (target === 'dist' && !hasDist) {
        unavailable(label, 'dist/index.js is missing; run `npm run build` first');
        continue;
      }
      console.log(`\n# ${label}`);
      const r = await runProcess(...command(exe), { CONSUL_HTTP_ADDR: agentUrl, CONSULATE_TARGET: target });
      report(label, resultOf(r), r.ms);
    }
    if (name === 'deno') await exampleRow('deno example (deno-edge)', () => runDenoEdgeExample(exe, agentUrl));
    else await exampleRow('bun example (bun-script)', () => runBunScriptExample(exe, agentUrl));
  }

  // edge runtimes (./edge.mjs): Cloudflare's workerd through Miniflare, Vercel's edge runtime in a Node vm
  for (const [name, available] of [
    ['workerd', () => {
      const [exe, version] = probe([bin('workerd')]);
      return exe ? [`workerd ${workerdVersion()}`] : [undefined, `workerd not runnable (${version}); npm ci installs it`];
    }],
    ['edge-runtime', () => {
      try {
        return [`edge-runtime ${edgeRuntimeVersion()}`];
      } catch (error) {
        return [undefined, `@edge-runtime/vm not installed (${error.code ?? error.message}); npm ci installs it`];
      }
    }],
  ]) {
    if (!want(name)) continue;
    const [version, reason] = available();
    for (const target of ['src', 'dist']) {
      const label = `${version ?? name} (${target})`;
      if (!version) unavailable(label, reason);
      else if (target === 'dist' && !hasDist) unavailable(label, 'dist/index.js is missing; run `npm run build` first');
      else {
        console.log(`\n# ${label}`);
        const r = await runProcess(process.execPath, ['test/runtimes/edge.mjs', name, target], { CONSUL_HTTP_ADDR: agentUrl });
        report(label, resultOf(r), r.ms);
      }
    }
  }

  if (want('browser')) {
    const chromium = findChromium();
    if (!chromium) unavailable('chromium', 'no chromium binary (apt-get install -y chromium, or set CHROMIUM_PATH)');
    else {
      const version = probe([chromium])[1]?.replace(/^\D*/, '').split(' ')[0] ?? '';
      console.log(`\n# chromium ${version}`);
      const r = await runProcess(process.execPath, ['test/runtimes/browser.mjs'], { CONSUL_HTTP_ADDR: agentUrl });
      report(`chromium ${version}`, resultOf(r), r.ms, hasDist ? '' : '(dist skipped)');
    }
  }

  if (want('node')) {
    // vitest tests Node from source more deeply; the shared suite runs here too, from source (tsx) and from the built ESM package
    for (const target of targets) {
      const label = `node ${process.versions.node} (${target})`;
      if (target === 'dist' && !hasDist) {
        unavailable(label, 'dist/index.js is missing; run `npm run build` first');
        continue;
      }
      console.log(`\n# ${label}`);
      const r = await runProcess(process.execPath, ['--import', 'tsx', 'test/runtimes/entry.ts'], { CONSUL_HTTP_ADDR: agentUrl, CONSULATE_TARGET: target });
      report(label, resultOf(r), r.ms);
    }
    console.log('\n# node examples');
    await exampleRow(`node ${process.versions.node} (node-service)`, () => runNodeServiceExample());
  }
} finally {
  await stopAgent();
}

console.log('\n# summary');
for (const { label, result } of rows) {
  console.log(`  ${label.padEnd(28)} passed ${result.passed}, failed ${result.failed}, skipped ${result.skipped}`);
}
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exitCode = total.failed ? 1 : 0;
