// Per-call cost of a KV read on Node: consulate over its Node transport (createNodeClient: node:http
// keep-alive pools) vs. the layers under it, vs. the core's ky transport over the same fetch, and vs. other
// clients. Not a test; prints ops/s and ratios.
//
//   npx tsx bench/node-fetch.mjs               # starts a throwaway agent (test/support/agent.mjs)
//   CONSUL_HTTP_ADDR=127.0.0.1:8500 npx tsx bench/node-fetch.mjs
//   BENCH_MS=3000 BENCH_ROUNDS=3 BENCH_CONCURRENCY=16 npx tsx bench/node-fetch.mjs
//
// Each case reads the same small key: sequentially (latency-bound: one request in flight) and with
// BENCH_CONCURRENCY requests in flight, BENCH_ROUNDS times interleaved; the best round counts (a busy
// machine only ever makes a round slower). Compare ratios and CPU per call, not absolute ops/s.
import { createRequire } from 'node:module';
import ky from 'ky';
import { Agent } from 'undici';
import * as kv from '../src/endpoints/kv.ts';
import { createClient } from '../src/index.ts';
import { createNodeClient, createNodeFetch } from '../src/node/index.ts';
import { startAgent } from '../test/support/agent.mjs';

const MS = Number(process.env.BENCH_MS ?? 1500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const KEY = 'bench/node-fetch/key';
const VALUE = 'a small value, like most configuration keys';

let agent;
let address = process.env.CONSUL_HTTP_ADDR;
if (!address) {
  agent = await startAgent({ name: 'consulate-bench' });
  address = agent.address;
}
if (!/^https?:\/\//.test(address)) address = `http://${address}`;
const url = new URL(address);

/**
 * Runs `op` for MS milliseconds with `inFlight` concurrent loops. Returns ops/s and this process's
 * CPU time per op (µs): the client's own cost, which (unlike ops/s) hardly depends on how busy the
 * agent and the machine are.
 */
async function measure(op, inFlight) {
  for (let i = 0; i < 200; i++) await op(); // warm up (JIT, connections)
  let count = 0;
  const end = performance.now() + MS;
  const start = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (performance.now() < end) {
      await op();
      count++;
    }
  }));
  const used = process.cpuUsage(cpu);
  return { ops: count / ((performance.now() - start) / 1000), cpu: (used.user + used.system) / count };
}

const check = (value) => {
  if (value !== VALUE) throw new Error(`unexpected value ${JSON.stringify(value)}`);
};

const dispatcher = new Agent({ headersTimeout: 0, bodyTimeout: 0 });
const nodeFetch = createNodeFetch();
const nodeClient = createNodeClient({ address });
const kyNode = ky.create({ prefixUrl: `${url.origin}/v1/`, fetch: nodeFetch, redirect: 'manual', retry: 0 });
const globalClient = createClient({ address });
// consulate/node's previous setup: the core's ky transport over createNodeFetch
const kyNodeClient = createClient({ address, fetch: nodeFetch });
const Consul = createRequire(import.meta.url)('consul');
const nodeConsul = new Consul({ host: url.hostname, port: Number(url.port || 8500) });
await kv.set(nodeClient, KEY, VALUE);

const cases = [
  ['undici agent.request (raw GET ?raw)', async () => {
    const res = await dispatcher.request({ origin: url.origin, path: `/v1/kv/${KEY}?raw`, method: 'GET' });
    check(await res.body.text());
  }],
  ['createNodeFetch(url) (no ky)', async () => {
    check(await (await nodeFetch(`${url.origin}/v1/kv/${KEY}?raw`)).text());
  }],
  // what ky hands every fetch: a Request with an AbortSignal (costly to build on Node 20)
  ['createNodeFetch(new Request(url, {signal}))', async () => {
    check(await (await nodeFetch(new Request(`${url.origin}/v1/kv/${KEY}?raw`, { signal: new AbortController().signal }))).text());
  }],
  ['ky → createNodeFetch (no consulate pipeline)', async () => check(await (await kyNode(`kv/${KEY}?raw`)).text())],
  ['consulate kv.get, createNodeClient', async () => check((await kv.get(nodeClient, KEY)).data)],
  ['consulate kv.get, createClient + createNodeFetch (ky)', async () => check((await kv.get(kyNodeClient, KEY)).data)],
  ['consulate kv.get, createClient (global fetch)', async () => check((await kv.get(globalClient, KEY)).data)],
  ['global fetch (raw GET ?raw)', async () => check(await (await fetch(`${url.origin}/v1/kv/${KEY}?raw`)).text())],
  ['node-consul kv.get (node:http keep-alive)', async () => check((await nodeConsul.kv.get(KEY)).Value)],
];

try {
  console.log(`Node ${process.version}, agent ${url.origin}, ${MS} ms per case and round, best of ${ROUNDS} rounds, concurrency 1 and ${CONCURRENCY}\n`);
  const best = (a, b) => (a === undefined ? b : { ops: Math.max(a.ops, b.ops), cpu: Math.min(a.cpu, b.cpu) });
  const results = cases.map(([name]) => ({ name }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, [, op]] of cases.entries()) {
      results[i].sequential = best(results[i].sequential, await measure(op, 1));
      results[i].parallel = best(results[i].parallel, await measure(op, CONCURRENCY));
    }
  }
  const base = results.find((r) => r.name.startsWith('consulate kv.get, createNodeClient'));
  const pad = Math.max(...results.map((r) => r.name.length));
  const cols = ['seq ops/s', 'ratio', 'cpu µs/op', `c=${CONCURRENCY} ops/s`, 'ratio', 'cpu µs/op'];
  console.log(`${'case'.padEnd(pad)}  ${cols.map((c) => c.padStart(12)).join('')}`);
  for (const r of results) {
    const row = [
      r.sequential.ops.toFixed(0), (r.sequential.ops / base.sequential.ops).toFixed(2), r.sequential.cpu.toFixed(0),
      r.parallel.ops.toFixed(0), (r.parallel.ops / base.parallel.ops).toFixed(2), r.parallel.cpu.toFixed(0),
    ];
    console.log(`${r.name.padEnd(pad)}  ${row.map((c) => c.padStart(12)).join('')}`);
  }
  console.log('\nratio = ops/s relative to consulate kv.get over createNodeClient (higher is faster);');
  console.log('cpu µs/op = CPU time of this process per call (user + system, lower is cheaper).');
} finally {
  await kv.remove(nodeClient, KEY);
  await nodeClient.close();
  await nodeFetch.close();
  await dispatcher.close();
  nodeConsul.destroy();
  await agent?.stop();
}
