#!/usr/bin/env node
// Per-call cost: kv get, kv put and health.service against one local agent, in one run, for
//   - consulate over the global fetch (the core's ky transport),
//   - consulate/node (createNodeClient: its own undici transport), when that entry exists,
//   - consulate/node's previous setup, ky over createNodeFetch (for before/after in the same run),
//   - raw `fetch` (the baseline: the least any fetch-based client can cost),
//   - raw undici `request` (the baseline for consulate/node),
//   - node-consul (npm `consul` 2.x, papi over node:http),
//   - ky alone, and consulate/node's fetch alone (diagnostics: the layers consulate is built on).
// Two modes: sequential (one call in flight: per-call latency on loopback) and IN_FLIGHT calls in
// flight (throughput when the client's CPU cost is the limit). Each op runs OPS calls per
// implementation and mode in batches, the implementations interleaved batch by batch in rotating order
// (time cap: CAP_MS per implementation), so that load changes on a shared machine hit all of them
// alike; ops/s is from the median batch, CPU µs per call (this process: user + system) from the
// median batch too — the client's own cost, which depends far less on how busy the machine is.
// Reported per op and mode: ops/s, µs per call, CPU µs per call, the ratio of time per call against
// raw fetch and of throughput against node-consul, then the target ratios side by side (issue 11):
// consulate time per call ≤ 1.05× ky alone's, consulate/node throughput ≥ 0.9× raw undici's (and
// keep ≥ 1× node-consul's). Printed figures, not assertions.
//
//   node bench/per-call.mjs [--ops 1500] [--batch 25] [--in-flight 16] [--cap-ms 5000] [--impls a,b,…] [--src] [--json]
// --impls picks implementations by id (default: all): fetch, undici, ky, global, node, node-via-ky,
// node-fetch, node-consul. `npm run bench` runs the six the targets need (the summary rows: consulate
// over the global fetch against ky alone, time per call, worst op and mode, target ≤ 1.05×; and
// consulate/node health.service with IN_FLIGHT in flight against raw undici, throughput, ≥ 0.9×).
// Uses dist/ when built (what users get), else (or with --src) the sources through tsx.
// CONSUL_HTTP_ADDR reuses an agent.
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
const IN_FLIGHT = opt('in-flight', 16);
const CAP_MS = opt('cap-ms', 5000);
const WARMUP = 200;
const FROM_SRC = args.includes('--src');
const implsAt = args.indexOf('--impls');
const IMPLS = implsAt === -1 ? undefined : new Set(args[implsAt + 1].split(','));
/** Implementation ids for --impls. */
const IDS = {
  'raw fetch': 'fetch', 'raw undici.request': 'undici', 'ky alone (diagnostic)': 'ky', 'consulate (global fetch)': 'global',
  'consulate/node': 'node', 'consulate/node via ky (before)': 'node-via-ky', 'node fetch alone (diagnostic)': 'node-fetch', 'node-consul 2.0.1': 'node-consul',
};
/** The two modes: calls in flight at once, and calls per batch (more when they overlap). */
const MODES = [
  { name: 'sequential', inFlight: 1, batch: BATCH },
  { name: `${IN_FLIGHT} in flight`, inFlight: IN_FLIGHT, batch: BATCH * 4 },
];

/** Imports an entry of the package: dist when built, else the TypeScript source through tsx. */
async function load(distFile, srcFile) {
  if (!FROM_SRC && existsSync(join(root, distFile))) return { mod: await import(pathToFileURL(join(root, distFile)).href), from: distFile };
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
const closers = [];
if (node.mod?.createNodeClient) {
  const nodeClient = node.mod.createNodeClient({ address: base });
  closers.push(() => nodeClient.close());
  impls['consulate/node'] = sdkOps(new main.mod.Consul(nodeClient));
  // before: the core's ky transport over consulate/node's fetch (what createNodeClient used to build)
  const nodeFetch = node.mod.createNodeFetch();
  closers.push(() => nodeFetch.close());
  impls['consulate/node via ky (before)'] = sdkOps(new main.mod.Consul({ address: base, fetch: nodeFetch }));
  // consulate/node's fetch called directly (diagnostic): the pool's own cost
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

// the implementations asked for (the baselines of the ratios always run)
if (IMPLS) {
  for (const name of Object.keys(impls)) if (!IMPLS.has(IDS[name]) && name !== 'raw fetch' && name !== 'node-consul 2.0.1') delete impls[name];
}

// sanity: every implementation gets the same answers
for (const [name, ops] of Object.entries(impls)) {
  const got = await ops['kv get']();
  const text = typeof got === 'string' ? got : got?.data ?? got?.Value;
  if (text !== 'a small value of forty-odd bytes, say 42 b') throw new Error(`${name}: kv get returned ${JSON.stringify(got)}`);
}

const opNames = ['kv get', 'kv put', 'health.service'];
for (const impl of Object.keys(impls)) {
  for (const op of opNames) if (impls[impl][op]) for (let i = 0; i < WARMUP; i++) await impls[impl][op]();
}

/** Runs `size` calls with `inFlight` of them in flight; returns ms and CPU µs of this process. */
async function batch(call, size, inFlight) {
  let left = size;
  const worker = async () => {
    while (left-- > 0) await call();
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  if (inFlight === 1) await worker();
  else await Promise.all(Array.from({ length: inFlight }, worker));
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { ms, cpu: used.user + used.system };
}

/** stats[mode][impl][op] = { ops, batches: µs per call of each batch, cpu: CPU µs per call of each batch } */
const stats = {};
for (const mode of MODES) {
  stats[mode.name] = {};
  for (const impl of Object.keys(impls)) stats[mode.name][impl] = {};
  // Fine-grained interleaving: small batches, implementations in rotating order, so that load changes
  // on a shared machine hit every implementation alike; the figure is the median batch.
  for (const op of opNames) {
    const names = Object.keys(impls).filter((impl) => impls[impl][op]);
    for (const impl of names) stats[mode.name][impl][op] = { ops: 0, batches: [], cpu: [] };
    const batches = Math.ceil(OPS / mode.batch);
    const opStarted = performance.now();
    for (let b = 0; b < batches && performance.now() - opStarted < CAP_MS * names.length; b++) {
      for (let k = 0; k < names.length; k++) {
        const impl = names[(b + k) % names.length];
        const { ms, cpu } = await batch(impls[impl][op], mode.batch, mode.inFlight);
        const st = stats[mode.name][impl][op];
        st.ops += mode.batch;
        st.batches.push((ms * 1000) / mode.batch);
        st.cpu.push(cpu / mode.batch);
      }
    }
  }
}

await fetch(`${base}/v1/agent/service/deregister/${SERVICE}`, { method: 'PUT' });
await fetch(`${base}/v1/kv/bench/per-call?recurse`, { method: 'DELETE' });
await dispatcher.close();
for (const close of closers) await close();
nodeConsul.destroy?.();
if (agent) await agent.stop();

const runLoad = (await import('./lib.mjs')).loadavg();
const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const rate = (s) => (s ? 1e6 / median(s.batches) : undefined);
const rows = [];
for (const mode of MODES) {
  for (const op of opNames) {
    const at = stats[mode.name];
    const rawFetch = rate(at['raw fetch'][op]);
    const nc = rate(at['node-consul 2.0.1'][op]);
    for (const impl of Object.keys(impls)) {
      const s = at[impl][op];
      const r = rate(s);
      if (r === undefined) continue;
      rows.push({
        mode: mode.name, op, impl, opsPerSec: Math.round(r), usPerCall: Math.round(1e6 / r), cpuUsPerCall: Math.round(median(s.cpu)),
        timeVsRawFetch: +(rawFetch / r).toFixed(2), rate: r, throughputVsNodeConsul: +(r / nc).toFixed(2), calls: s.ops,
      });
    }
  }
}
const row = (mode, op, impl) => rows.find((r) => r.mode === mode && r.op === op && r.impl === impl);
const targets = [];
for (const mode of MODES) {
  for (const op of opNames) {
    targets.push({
      mode: mode.name, op,
      nodeVsNodeConsul: row(mode.name, op, 'consulate/node')?.throughputVsNodeConsul,
      nodeViaKyVsNodeConsul: row(mode.name, op, 'consulate/node via ky (before)')?.throughputVsNodeConsul,
      globalVsRawFetch: row(mode.name, op, 'consulate (global fetch)')?.timeVsRawFetch,
      globalVsKy: row(mode.name, op, 'ky alone (diagnostic)') && row(mode.name, op, 'consulate (global fetch)') ? row(mode.name, op, 'ky alone (diagnostic)').rate / row(mode.name, op, 'consulate (global fetch)').rate : undefined,
      nodeVsUndici: row(mode.name, op, 'consulate/node') && row(mode.name, op, 'raw undici.request') ? row(mode.name, op, 'consulate/node').rate / row(mode.name, op, 'raw undici.request').rate : undefined,
    });
  }
}

if (args.includes('--json')) {
  console.log(JSON.stringify({ rows, targets, notes, from: { main: main.from, node: node.from } }, null, 2));
} else {
  const x = (v) => (v === undefined ? '–' : `${v.toFixed(2)}×`);
  console.log(`# per-call cost on loopback (consulate from ${main.from}; node entry: ${node.from}); node ${process.versions.node}`);
  console.log(`# ${OPS} calls per case and mode in batches of ${BATCH} (sequential) / ${BATCH * 4} (${IN_FLIGHT} in flight), interleaved (cap ${CAP_MS} ms per case), ${WARMUP} warm-up calls; median batch`);
  for (const mode of MODES) {
    console.log(`\n## ${mode.name}`);
    console.log(`${'op'.padEnd(15)} ${'implementation'.padEnd(31)} ${'ops/s'.padStart(7)} ${'µs/call'.padStart(8)} ${'CPU µs/call'.padStart(12)} ${'time vs raw fetch'.padStart(18)} ${'thr. vs node-consul'.padStart(20)}`);
    for (const r of rows.filter((r) => r.mode === mode.name)) {
      console.log(`${r.op.padEnd(15)} ${r.impl.padEnd(31)} ${String(r.opsPerSec).padStart(7)} ${String(r.usPerCall).padStart(8)} ${String(r.cpuUsPerCall).padStart(12)} ${x(r.timeVsRawFetch).padStart(18)} ${x(r.throughputVsNodeConsul).padStart(20)}`);
    }
  }
  console.log('\n## targets (same run)');
  console.log(`${'mode'.padEnd(14)} ${'op'.padEnd(15)} ${'consulate/node thr. vs node-consul (keep ≥ 1×)'.padStart(48)} ${'(via ky, before)'.padStart(17)} ${'consulate/node thr. vs raw undici (≥ 0.9×)'.padStart(43)} ${'consulate time vs ky alone (≤ 1.05×)'.padStart(37)} ${'vs raw fetch'.padStart(13)}`);
  for (const t of targets) {
    console.log(`${t.mode.padEnd(14)} ${t.op.padEnd(15)} ${x(t.nodeVsNodeConsul).padStart(48)} ${x(t.nodeViaKyVsNodeConsul).padStart(17)} ${x(t.nodeVsUndici).padStart(43)} ${x(t.globalVsKy).padStart(37)} ${x(t.globalVsRawFetch).padStart(13)}`);
  }
  for (const n of notes) console.log(`# note: ${n}`);
}

// the `npm run bench` summary rows
const { summary } = await import('./lib.mjs');
const cells = [];
for (const mode of MODES) {
  for (const op of opNames) {
    const ours = row(mode.name, op, 'consulate (global fetch)');
    const kyRow = row(mode.name, op, 'ky alone (diagnostic)');
    if (ours && kyRow) cells.push({ mode: mode.name, op, ours, ky: kyRow, ratio: kyRow.rate / ours.rate, vsFetch: ours.timeVsRawFetch, kyVsFetch: kyRow.timeVsRawFetch });
  }
}
if (cells.length) {
  const worst = cells.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const range = (xs) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}×`;
  summary({
    what: `consulate over the global fetch, per call (worst: ${worst.op}, ${worst.mode})`, figure: 1e6 / worst.ours.rate, unit: 'µs', baseline: 1e6 / worst.ky.rate, baselineLabel: 'ky alone',
    ratio: worst.ratio, target: { op: '<=', value: 1.05 },
    note: `all cells ${range(cells.map((c) => c.ratio))} ky alone; ${range(cells.map((c) => c.vsFetch))} raw fetch (ky alone ${range(cells.map((c) => c.kyVsFetch))})`,
    load: runLoad, command: 'node bench/per-call.mjs',
  });
}
const hs = `${IN_FLIGHT} in flight`;
const nodeRow = row(hs, 'health.service', 'consulate/node');
const undiciRow = row(hs, 'health.service', 'raw undici.request');
if (nodeRow && undiciRow) {
  summary({
    what: `consulate/node health.service, ${IN_FLIGHT} in flight (throughput)`, figure: nodeRow.rate, unit: 'ops/s', baseline: undiciRow.rate, baselineLabel: 'raw undici.request',
    target: { op: '>=', value: 0.9 }, note: `${nodeRow.throughputVsNodeConsul.toFixed(2)}× node-consul`, load: runLoad, command: 'node bench/per-call.mjs',
  });
}
