#!/usr/bin/env node
// Per-call cost: kv get, kv put and health.service against one local agent, in one run, for
//   - consulate over the global fetch,
//   - consulate over consulate/node's fetch (undici `request`), when that entry exists,
//   - raw `fetch` (the baseline: the least any fetch-based client can cost),
//   - raw undici `request` (the baseline for consulate/node),
//   - node-consul (npm `consul` 2.x, papi over node:http),
//   - ky alone, and consulate/node's fetch alone (diagnostics: the layers consulate is built on).
// Calls are sequential (one in flight), so the figures are per-call latency on loopback. Each op runs
// OPS calls per implementation in batches of BATCH, the implementations interleaved batch by batch in
// rotating order (time cap: CAP_MS per implementation), so that load changes on a shared machine hit
// all of them alike; ops/s is from the median batch. Reported: ops/s, µs per call, the ratio of time
// per call against raw fetch (target: consulate ≤ 1.05×) and of throughput against node-consul
// (target: ≥ 1×). Printed figures, not assertions.
//
//   node bench/per-call.mjs [--ops 1500] [--batch 25] [--cap-ms 8000] [--json]
// Uses dist/ when built (what users get), else the sources through tsx. CONSUL_HTTP_ADDR reuses an agent.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startAgent } from '../test/support/agent.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(args[at + 1]);
};
const OPS = opt('ops', 1500);
const BATCH = opt('batch', 25);
const CAP_MS = opt('cap-ms', 8000);
const WARMUP = 200;

/** Imports an entry of the package: dist when built, else the TypeScript source through tsx. */
async function load(distFile, srcFile) {
  if (existsSync(join(root, distFile))) return { mod: await import(pathToFileURL(join(root, distFile)).href), from: distFile };
  if (!existsSync(join(root, srcFile))) return { mod: undefined, from: `${srcFile} (missing)` };
  const { tsImport } = await import('tsx/esm/api');
  return { mod: await tsImport(pathToFileURL(join(root, srcFile)).href, import.meta.url), from: `${srcFile} via tsx` };
}

const main = await load('dist/index.js', 'src/index.ts');
const node = await load('dist/node/index.js', 'src/node/index.ts');
const require = createRequire(import.meta.url);
const NodeConsul = require('consul');
const { request: undiciRequest, Agent: UndiciAgent } = await import('undici');

let agent;
let base = process.env.CONSUL_HTTP_ADDR;
if (base) base = /^https?:\/\//.test(base) ? base : `http://${base}`;
else {
  agent = await startAgent({ name: 'consulate-bench' });
  base = agent.address;
}
const url = new URL(base);

// fixtures: one key to read, one to write, one service with a passing TTL check
const KEY = 'bench/per-call/read';
const PUT_KEY = 'bench/per-call/write';
const SERVICE = 'bench-per-call';
await fetch(`${base}/v1/kv/${KEY}`, { method: 'PUT', body: 'a small value of forty-odd bytes, say 42 b' });
await fetch(`${base}/v1/agent/service/register`, {
  method: 'PUT',
  body: JSON.stringify({ ID: SERVICE, Name: SERVICE, Port: 8080, Tags: ['bench'], Check: { CheckID: `${SERVICE}-ttl`, TTL: '10m' } }),
});
await fetch(`${base}/v1/agent/check/pass/${SERVICE}-ttl`, { method: 'PUT' });

const dispatcher = new UndiciAgent({ keepAliveTimeout: 30_000 });
const value = 'v'.repeat(32);

/** @type {Record<string, Record<string, () => Promise<unknown>>>} implementation → op → call */
const impls = {};
impls['raw fetch'] = {
  'kv get': async () => (await fetch(`${base}/v1/kv/${KEY}?raw`)).text(),
  'kv put': async () => (await fetch(`${base}/v1/kv/${PUT_KEY}`, { method: 'PUT', body: value })).json(),
  'health.service': async () => (await fetch(`${base}/v1/health/service/${SERVICE}`)).json(),
};
impls['raw undici.request'] = {
  'kv get': async () => (await undiciRequest(`${base}/v1/kv/${KEY}?raw`, { dispatcher })).body.text(),
  'kv put': async () => (await undiciRequest(`${base}/v1/kv/${PUT_KEY}`, { method: 'PUT', body: value, dispatcher })).body.json(),
  'health.service': async () => (await undiciRequest(`${base}/v1/health/service/${SERVICE}`, { dispatcher })).body.json(),
};

// ky alone, configured like consulate's transport (prefixUrl, manual redirects): how much of consulate's cost is ky's
const { default: ky } = await import('ky');
const kyClient = ky.create({ prefixUrl: `${base}/v1/`, redirect: 'manual', retry: 0 });
impls['ky alone (diagnostic)'] = {
  'kv get': () => kyClient.get(`kv/${KEY}?raw`).text(),
  'kv put': () => kyClient.put(`kv/${PUT_KEY}`, { body: value }).json(),
  'health.service': () => kyClient.get(`health/service/${SERVICE}`).json(),
};

function sdkOps(consul) {
  const ops = {
    'kv get': () => consul.kv.get(KEY),
    'kv put': () => consul.kv.set(PUT_KEY, value),
  };
  if (consul.health?.service) ops['health.service'] = () => consul.health.service(SERVICE);
  return ops;
}
const notes = [];
impls['consulate (global fetch)'] = sdkOps(new main.mod.Consul({ address: base }));
if (!impls['consulate (global fetch)']['health.service']) notes.push('consulate has no health.service yet: that row is missing');
if (node.mod?.createNodeClient) {
  impls['consulate/node'] = sdkOps(new main.mod.Consul(node.mod.createNodeClient({ address: base })));
  // consulate/node's fetch called directly (diagnostic): the transport's share of consulate/node's cost
  const nodeFetch = node.mod.createNodeFetch();
  impls['node fetch alone (diagnostic)'] = {
    'kv get': async () => (await nodeFetch(`${base}/v1/kv/${KEY}?raw`)).text(),
    'kv put': async () => (await nodeFetch(`${base}/v1/kv/${PUT_KEY}`, { method: 'PUT', body: value })).json(),
    'health.service': async () => (await nodeFetch(`${base}/v1/health/service/${SERVICE}`)).json(),
  };
}
else notes.push(`consulate/node not measured (${node.from})`);
const nodeConsul = new NodeConsul({ host: url.hostname, port: Number(url.port) });
impls['node-consul 2.0.1'] = {
  'kv get': () => nodeConsul.kv.get(KEY),
  'kv put': () => nodeConsul.kv.set(PUT_KEY, value),
  'health.service': () => nodeConsul.health.service(SERVICE),
};

// sanity: every implementation gets the same answers
for (const [name, ops] of Object.entries(impls)) {
  const got = await ops['kv get']();
  const text = typeof got === 'string' ? got : got?.data ?? got?.Value;
  if (text !== 'a small value of forty-odd bytes, say 42 b') throw new Error(`${name}: kv get returned ${JSON.stringify(got)}`);
}

const opNames = ['kv get', 'kv put', 'health.service'];
/** stats[impl][op] = { ops, ms, batches: µs per call of each batch } */
const stats = {};
for (const impl of Object.keys(impls)) {
  stats[impl] = {};
  for (const op of opNames) if (impls[impl][op]) {
    for (let i = 0; i < WARMUP; i++) await impls[impl][op]();
    stats[impl][op] = { ops: 0, ms: 0, batches: [] };
  }
}
// Fine-grained interleaving: small batches, implementations in rotating order, so that load changes
// on a shared machine hit every implementation alike; the figure is the median batch.
for (const op of opNames) {
  const names = Object.keys(impls).filter((impl) => impls[impl][op]);
  const batches = Math.ceil(OPS / BATCH);
  const opStarted = performance.now();
  for (let b = 0; b < batches && performance.now() - opStarted < CAP_MS * names.length; b++) {
    for (let k = 0; k < names.length; k++) {
      const impl = names[(b + k) % names.length];
      const call = impls[impl][op];
      const started = performance.now();
      for (let i = 0; i < BATCH; i++) await call();
      const ms = performance.now() - started;
      const st = stats[impl][op];
      st.ops += BATCH;
      st.ms += ms;
      st.batches.push((ms * 1000) / BATCH);
    }
  }
}

await fetch(`${base}/v1/agent/service/deregister/${SERVICE}`, { method: 'PUT' });
await fetch(`${base}/v1/kv/bench/per-call?recurse`, { method: 'DELETE' });
await dispatcher.close();
if (agent) await agent.stop();

const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const rate = (s) => (s ? 1e6 / median(s.batches) : undefined);
const rows = [];
for (const op of opNames) {
  const rawFetch = rate(stats['raw fetch'][op]);
  const nc = rate(stats['node-consul 2.0.1'][op]);
  for (const impl of Object.keys(impls)) {
    const r = rate(stats[impl][op]);
    if (r === undefined) continue;
    rows.push({ op, impl, opsPerSec: Math.round(r), usPerCall: Math.round(1e6 / r), timeVsRawFetch: +(rawFetch / r).toFixed(2), throughputVsNodeConsul: +(r / nc).toFixed(2), calls: stats[impl][op].ops });
  }
}

if (args.includes('--json')) {
  console.log(JSON.stringify({ rows, notes, from: { main: main.from, node: node.from } }, null, 2));
} else {
  console.log(`# per-call cost, sequential calls on loopback (consulate from ${main.from}; node entry: ${node.from})`);
  console.log(`# ${OPS} calls per case in batches of ${BATCH}, interleaved (cap ${CAP_MS} ms per case), ${WARMUP} warm-up calls; median batch; node ${process.versions.node}`);
  console.log(`${'op'.padEnd(15)} ${'implementation'.padEnd(30)} ${'ops/s'.padStart(7)} ${'µs/call'.padStart(8)} ${'time vs raw fetch'.padStart(18)} ${'thr. vs node-consul'.padStart(20)}`);
  for (const r of rows) {
    console.log(`${r.op.padEnd(15)} ${r.impl.padEnd(30)} ${String(r.opsPerSec).padStart(7)} ${String(r.usPerCall).padStart(8)} ${`${r.timeVsRawFetch.toFixed(2)}×`.padStart(18)} ${`${r.throughputVsNodeConsul.toFixed(2)}×`.padStart(20)}`);
  }
  for (const n of notes) console.log(`# note: ${n}`);
  console.log('# targets: consulate ≤ 1.05× the time of raw fetch; ≥ 1.00× node-consul\'s throughput');
}
