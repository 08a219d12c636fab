#!/usr/bin/env node
// Restore: speed and memory of `consulate kv restore`, all whole processes on one throwaway agent.
//   1. Speed, 20,000 keys: `consulate kv restore` against the floor — a minimal txn script
//      (bench/restore-floor.mjs: read the file, JSON.parse, 64 sets per /v1/txn, 4 in flight, over
//      undici, the fastest Node HTTP client) — alternating, each run from an empty store, best run of each
//      compared (target ≤ 1.1× the floor); and `consul kv import` of the same file (slow: 1 run).
//   2. Memory: peak RSS of `consulate kv restore` (and of the floor) at 100,000 keys, and at
//      1,000,000 keys (consulate only) with --million or BENCH_RESTORE_1M=1 (~40 s more; `npm run
//      bench` passes --million unless BENCH_RESTORE_1M=0), against the peak at 20,000 keys (target:
//      flat, ≤ 1.1×).
//
//   node bench/restore.mjs [--keys 20000] [--runs 3] [--consul-runs 1] [--memory-keys 100000] [--million] [--src | --cli FILE]
//
// The CLI is dist/cli/index.js (what the bin runs) when built, else the sources bundled with esbuild.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consulBinary, startAgent } from '../test/support/agent.mjs';
import { cliEntry, loadavg, root, run, summary, x } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(args[at + 1]);
};
// positional [keys] [runs] as before
const count = opt('keys', /^\d+$/.test(args[0] ?? '') ? Number(args[0]) : 20_000);
const runs = opt('runs', /^\d+$/.test(args[1] ?? '') ? Number(args[1]) : 3);
const consulRuns = opt('consul-runs', 1);
const memoryKeys = opt('memory-keys', 100_000);
const million = args.includes('--million') || process.env.BENCH_RESTORE_1M === '1';
const floorScript = join(root, 'bench/restore-floor.mjs');

// --cli FILE: measure that build of the CLI instead (e.g. one built from another commit, to compare)
const cliAt = process.argv.indexOf('--cli');
const cli = cliAt === -1 ? await cliEntry() : { file: process.argv[cliAt + 1], from: process.argv[cliAt + 1], cleanup: () => {} };
const dir = mkdtempSync(join(tmpdir(), 'consulate-bench-restore-'));
/** Writes a backup file of n keys (the format `kv backup` writes); returns its path. */
function backupFile(n) {
  const file = join(dir, `export-${n}.json`);
  const entries = [];
  for (let i = 0; i < n; i++) {
    const key = `bench/app${i % 20}/item-${String(i).padStart(7, '0')}`;
    entries.push({ key, flags: i % 7, value: Buffer.from(`{"id":${i},"name":"item ${i}","pad":"${'x'.repeat(i % 40)}"}`).toString('base64') });
  }
  writeFileSync(file, n > 100_000 ? JSON.stringify(entries) : JSON.stringify(entries, null, '\t'));
  return file;
}

const agent = await startAgent({ name: 'consulate-bench-restore' });
const env = { ...process.env, CONSUL_HTTP_ADDR: agent.address };
const wipe = async () => { await (await fetch(`${agent.address}/v1/kv/bench?recurse`, { method: 'DELETE' })).arrayBuffer(); };
const countKeys = async () => ((await (await fetch(`${agent.address}/v1/kv/bench/?keys`)).json()) ?? []).length;
const ours = (file, rss) => run(process.execPath, [cli.file, 'kv', 'restore', '-f', file], { env, rss });
const floor = (file, rss) => run(process.execPath, [floorScript, file], { env, rss });

const speed = { ours: [], inner: [], floor: [], consul: [], rss: [], floorRss: [] };
const memory = [];
let speedLoad;
let memoryLoad;
try {
  const file = backupFile(count);
  for (let r = 0; r < runs; r++) {
    // alternate which goes first
    for (const side of r % 2 ? ['floor', 'ours'] : ['ours', 'floor']) {
      await wipe();
      const res = side === 'ours' ? await ours(file, true) : await floor(file, true);
      if ((await countKeys()) !== count) throw new Error(`${side} restored the wrong number of keys`);
      speed[side].push(res.seconds);
      if (side === 'ours') {
        speed.inner.push(Number(/in ([\d.]+) s/.exec(res.stderr)?.[1]));
        speed.rss.push(res.rssMiB);
      } else speed.floorRss.push(res.rssMiB);
    }
  }
  speedLoad = loadavg();
  for (let r = 0; r < consulRuns; r++) {
    await wipe();
    const res = await run(consulBinary(), ['kv', 'import', `@${file}`], { env });
    if ((await countKeys()) !== count) throw new Error('consul kv import restored the wrong number of keys');
    speed.consul.push(res.seconds);
  }
  rmSync(file, { force: true });

  for (const n of [memoryKeys, ...(million ? [1_000_000] : [])]) {
    const big = backupFile(n);
    await wipe();
    const o = await ours(big, true);
    if ((await countKeys()) !== n) throw new Error(`consulate restored the wrong number of keys (${n})`);
    let f;
    if (n < 1_000_000) { // at 1M the floor would add ~25 s: consulate only
      await wipe();
      f = await floor(big, true);
      if ((await countKeys()) !== n) throw new Error(`the floor restored the wrong number of keys (${n})`);
    }
    memory.push({ n, ours: o, floor: f });
    rmSync(big, { force: true });
  }
  memoryLoad = loadavg();
  await wipe();
} finally {
  await agent.stop();
  rmSync(dir, { recursive: true, force: true });
  cli.cleanup();
}

const best = (list) => Math.min(...list);
const fmt = (list) => list.map((s) => s.toFixed(2)).join(', ');
const rss20k = best(speed.rss);
console.log(`# restore of ${count} keys (${runs} runs each, alternating, best run compared; CLI from ${cli.from}; load ${speedLoad})`);
console.log(`  consulate kv restore      : ${best(speed.ours).toFixed(2)} s process wall time (runs: ${fmt(speed.ours)}; restore itself: ${fmt(speed.inner)} s), peak RSS ${rss20k.toFixed(1)} MiB`);
console.log(`  minimal txn script (floor): ${best(speed.floor).toFixed(2)} s (runs: ${fmt(speed.floor)}), peak RSS ${best(speed.floorRss).toFixed(1)} MiB`);
console.log(`  ratio to the floor        : ${x(best(speed.ours) / best(speed.floor))} (target ≤ 1.1×)`);
if (speed.consul.length) {
  console.log(`  consul kv import          : ${best(speed.consul).toFixed(2)} s (runs: ${fmt(speed.consul)}): consulate is ${(best(speed.consul) / best(speed.ours)).toFixed(1)}× faster process to process`);
}
console.log(`# restore peak RSS (load ${memoryLoad})`);
console.log(`  ${'keys'.padStart(9)}  ${'consulate kv restore'.padStart(28)}  ${'minimal txn script'.padStart(28)}  vs ${count} keys`);
console.log(`  ${String(count).padStart(9)}  ${`${rss20k.toFixed(1)} MiB`.padStart(28)}  ${`${best(speed.floorRss).toFixed(1)} MiB`.padStart(28)}  1.00×`);
for (const m of memory) {
  console.log(`  ${String(m.n).padStart(9)}  ${`${m.ours.rssMiB.toFixed(1)} MiB in ${m.ours.seconds.toFixed(2)} s`.padStart(28)}  ${(m.floor ? `${m.floor.rssMiB.toFixed(1)} MiB in ${m.floor.seconds.toFixed(2)} s` : 'not run').padStart(28)}  ${x(m.ours.rssMiB / rss20k)}`);
}
if (!million) console.log('  (1,000,000 keys: with --million or BENCH_RESTORE_1M=1)');

summary({
  what: `\`kv restore\` of ${count.toLocaleString('en')} keys`, figure: best(speed.ours) * 1000, unit: 'ms', baseline: best(speed.floor) * 1000, baselineLabel: 'minimal txn script (64 ops, 4 in flight)',
  target: { op: '<=', value: 1.1 }, note: speed.consul.length ? `consul kv import ${(best(speed.consul) / best(speed.ours)).toFixed(1)}× slower` : undefined, load: speedLoad, command: 'node bench/restore.mjs',
});
for (const m of memory) {
  summary({
    what: `\`kv restore\` peak RSS, ${m.n.toLocaleString('en')} keys`, figure: m.ours.rssMiB, unit: 'MiB', baseline: rss20k, baselineLabel: `same at ${count.toLocaleString('en')} keys`,
    target: { op: '<=', value: 1.1 }, note: m.floor ? `floor script ${m.floor.rssMiB.toFixed(0)} MiB` : undefined, load: memoryLoad, command: m.n >= 1_000_000 ? 'node bench/restore.mjs --million' : 'node bench/restore.mjs',
  });
}
