#!/usr/bin/env node
// Large reads: `kv.records` of 100,000 keys (~50 B values) over consulate/node against the floor,
// raw undici `request` + `JSON.parse` of the same answer from the same agent. Each side runs in its
// own fresh child process (bench/records-child.mjs), the children alternating, so that peak RSS is
// each side's own; time is per read (median of every read of every child of that side; each child
// reads --calls times, the first one cold), peak RSS the median over that side's children.
//
//   node bench/records.mjs [--keys 100000] [--children 2] [--calls 3]
//
// Measures the built package (dist/, `npm run build`).
import { join } from 'node:path';
import { startAgent } from '../test/support/agent.mjs';
import { loadKeys, loadavg, median, root, run, summary, x } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(args[at + 1]);
};
const KEYS = opt('keys', 100_000);
const CHILDREN = opt('children', 2);
const CALLS = opt('calls', 3);
const PREFIX = 'bench/records/';
const child = join(root, 'bench/records-child.mjs');

const agent = await startAgent({ name: 'consulate-bench-records' });
const sides = { consulate: { ms: [], rss: [] }, raw: { ms: [], rss: [] } };
let load;
try {
  const started = performance.now();
  // ~50 B values (JSON-ish text, like configuration), keys spread over 20 "apps"
  await loadKeys(agent.address, 0, KEYS, (i) => ({ key: `${PREFIX}app${i % 20}/item-${String(i).padStart(6, '0')}`, value: `{"id":${i},"name":"item-${i}","on":true,"x":"${'x'.repeat(10 + (i % 5))}"}`, flags: i % 7 }));
  console.log(`# loaded ${KEYS} keys in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  load = loadavg();
  for (let c = 0; c < CHILDREN; c++) {
    for (const mode of c % 2 ? ['raw', 'consulate'] : ['consulate', 'raw']) {
      const r = await run(process.execPath, [child, mode, agent.address, PREFIX, String(KEYS), String(CALLS)], { rss: true });
      sides[mode].ms.push(...JSON.parse(r.stdout).ms);
      sides[mode].rss.push(r.rssMiB);
    }
  }
} finally {
  await agent.stop();
}

const ours = { ms: median(sides.consulate.ms), rss: median(sides.consulate.rss) };
const raw = { ms: median(sides.raw.ms), rss: median(sides.raw.rss) };
console.log(`# kv.records of ${KEYS} keys: ${CHILDREN} child processes per side × ${CALLS} reads; load ${load}`);
console.log(`${'side'.padEnd(40)} ${'ms/read'.padStart(8)} ${'reads (ms)'.padStart(30)} ${'peak RSS MiB'.padStart(13)}`);
for (const [label, side, m] of [['consulate/node kv.records', sides.consulate, ours], ['raw undici.request + JSON.parse', sides.raw, raw]]) {
  console.log(`${label.padEnd(40)} ${m.ms.toFixed(0).padStart(8)} ${side.ms.map((v) => v.toFixed(0)).join(' ').padStart(30)} ${m.rss.toFixed(1).padStart(13)}`);
}
console.log(`ratio: time ${x(ours.ms / raw.ms)} (target ≤ 1.2×), peak RSS ${x(ours.rss / raw.rss)} (target ≤ 1.1×)`);

summary({ what: `\`kv.records\` of ${KEYS.toLocaleString('en')} keys, time`, figure: ours.ms, unit: 'ms', baseline: raw.ms, baselineLabel: 'undici.request + JSON.parse', target: { op: '<=', value: 1.2 }, load, command: 'node bench/records.mjs' });
summary({ what: `\`kv.records\` of ${KEYS.toLocaleString('en')} keys, peak RSS`, figure: ours.rss, unit: 'MiB', baseline: raw.rss, baselineLabel: 'undici.request + JSON.parse', target: { op: '<=', value: 1.1 }, load, command: 'node bench/records.mjs' });
