#!/usr/bin/env node
// CLI start-up as users feel it: whole-process wall time of `consulate kv get K` and of
// `consulate kv ls` on 1,000 keys, against `node -e 0` (Node's own floor: the target ratios are
// against it) and against the consul binary doing the same (`consul kv get K`,
// `consul kv get -recurse`), all against one throwaway agent in the same run.
//
//   node bench/cli.mjs [--runs 15] [--src] [--json] [--only 'kv get'|'kv ls']
//
// Uses hyperfine (`apt-get install hyperfine`) when it is on PATH: `-N` (no shell), 2 warm-up runs,
// median of --runs. Without it, its own loop: the commands interleaved run by run (so that load
// changes hit all alike), median of --runs after one warm-up round (BENCH_NO_HYPERFINE=1 forces it). The CLI is dist/cli/index.js
// (what the bin runs) when built, else the sources bundled with esbuild (--src forces that).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consulBinary, startAgent } from '../test/support/agent.mjs';
import { cliEntry, loadKeys, loadavg, median, summary, x } from './lib.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--runs');
const RUNS = at === -1 ? 15 : Number(args[at + 1]);
const KEY = 'bench/cli/one';
const LS_PREFIX = 'bench/ls/';
const LS_KEYS = 1000;
// one group only (while iterating on one row); the summary rows need both
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;

const hyperfine = spawnSync('hyperfine', ['--version'], { encoding: 'utf8' });
const useHyperfine = hyperfine.status === 0 && process.env.BENCH_NO_HYPERFINE !== '1';
const cli = await cliEntry();
const consul = consulBinary();
const agent = await startAgent({ name: 'consulate-bench-cli' });
const env = { ...process.env, CONSUL_HTTP_ADDR: agent.address, NO_COLOR: '1' };
const node = process.execPath;

/** @type {Record<string, { label: string, argv: string[] }[]>} */
const groups = {
  'kv get': [
    { label: 'node -e 0', argv: [node, '-e', '0'] },
    { label: `consulate kv get ${KEY}`, argv: [node, cli.file, 'kv', 'get', KEY] },
    { label: `consul kv get ${KEY}`, argv: [consul, 'kv', 'get', KEY] },
  ],
  'kv ls': [
    { label: 'node -e 0', argv: [node, '-e', '0'] },
    { label: `consulate kv ls ${LS_PREFIX} (${LS_KEYS} keys)`, argv: [node, cli.file, 'kv', 'ls', LS_PREFIX] },
    { label: `consul kv get -recurse ${LS_PREFIX}`, argv: [consul, 'kv', 'get', '-recurse', LS_PREFIX] },
  ],
};

/** hyperfine quotes nothing with -N: arguments must not contain spaces (ours do not). */
function withHyperfine(cmds) {
  const dir = mkdtempSync(join(tmpdir(), 'consulate-bench-cli-'));
  const out = join(dir, 'h.json');
  try {
    const r = spawnSync('hyperfine', ['-N', '--warmup', '2', '--runs', String(RUNS), '--style', 'none', '--export-json', out, ...cmds.map((c) => c.argv.join(' '))], { env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`hyperfine failed: ${r.stderr}`);
    const { results } = JSON.parse(readFileSync(out, 'utf8'));
    // user + system CPU (hyperfine's means): far less sensitive than wall time to a busy machine
    return results.map((res) => ({ ms: res.median * 1000, min: res.min * 1000, max: res.max * 1000, cpu: (res.user + res.system) * 1000 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Own loop: every round runs each command once, in rotating order; median per command. */
function withLoop(cmds) {
  const times = cmds.map(() => []);
  for (let round = 0; round <= RUNS; round++) {
    for (let k = 0; k < cmds.length; k++) {
      const i = (round + k) % cmds.length;
      const [cmd, ...rest] = cmds[i].argv;
      const started = performance.now();
      const r = spawnSync(cmd, rest, { env, stdio: ['ignore', 'ignore', 'pipe'] });
      const ms = performance.now() - started;
      if (r.status !== 0) throw new Error(`${cmds[i].label} failed: ${r.stderr}`);
      if (round > 0) times[i].push(ms); // round 0 warms the file cache
    }
  }
  return times.map((t) => ({ ms: median(t), min: Math.min(...t), max: Math.max(...t) }));
}

const results = {};
try {
  await fetch(`${agent.address}/v1/kv/${KEY}`, { method: 'PUT', body: 'a small value of forty-odd bytes, say 42 b' });
  await loadKeys(agent.address, 0, LS_KEYS, (i) => ({ key: `${LS_PREFIX}app${i % 10}/item-${String(i).padStart(4, '0')}`, value: `{"id":${i},"name":"item ${i}"}` }));
  // sanity: the commands work and agree
  for (const cmds of Object.values(groups)) {
    for (const c of cmds) {
      const r = spawnSync(c.argv[0], c.argv.slice(1), { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${c.label} failed: ${r.stderr}`);
    }
  }
  const ls = spawnSync(node, [cli.file, 'kv', 'ls', LS_PREFIX], { env, encoding: 'utf8' });
  if (ls.stdout.trim().split('\n').length !== LS_KEYS) throw new Error(`consulate kv ls printed ${ls.stdout.trim().split('\n').length} keys, expected ${LS_KEYS}`);
  for (const [name, cmds] of Object.entries(groups)) {
    if (ONLY !== undefined && name !== ONLY) continue;
    const load = loadavg();
    results[name] = { load, rows: (useHyperfine ? withHyperfine : withLoop)(cmds).map((r, i) => ({ ...cmds[i], ...r })) };
  }
} finally {
  await agent.stop();
  cli.cleanup();
}

const how = useHyperfine ? `hyperfine ${hyperfine.stdout.trim().split(' ').pop()} -N, 2 warm-up runs, median of ${RUNS}` : `own loop (${hyperfine.status === 0 ? 'BENCH_NO_HYPERFINE=1' : 'hyperfine not installed'}), interleaved, median of ${RUNS}`;
const out = { how, cli: cli.from, results };
if (args.includes('--json')) console.log(JSON.stringify(out, null, 2));
else {
  console.log(`# CLI whole-process wall time (${how}); CLI from ${cli.from}; node ${process.versions.node}`);
  for (const [name, { load, rows }] of Object.entries(results)) {
    const floor = rows[0].ms;
    console.log(`\n## ${name} (load ${load})`);
    const cpuFloor = rows[0].cpu;
    console.log(`${'command'.padEnd(46)} ${'median ms'.padStart(10)} ${'min'.padStart(7)} ${'max'.padStart(7)} ${'vs node -e 0'.padStart(13)} ${'vs consul'.padStart(10)} ${'CPU ms'.padStart(7)} ${'CPU vs node'.padStart(12)}`);
    for (const r of rows) {
      const cpu = r.cpu === undefined ? '–' : r.cpu.toFixed(1);
      console.log(`${r.label.padEnd(46)} ${r.ms.toFixed(1).padStart(10)} ${r.min.toFixed(1).padStart(7)} ${r.max.toFixed(1).padStart(7)} ${x(r.ms / floor).padStart(13)} ${x(r.ms / rows[2].ms).padStart(10)} ${cpu.padStart(7)} ${x(r.cpu / cpuFloor).padStart(12)}`);
    }
  }
}

if (ONLY !== undefined) process.exit(0);
const [getRows, lsRows] = [results['kv get'].rows, results['kv ls'].rows];
/** The CPU ratio (user + system) against `node -e 0`, when hyperfine measured it. */
const cpuNote = (rows) => (rows[1].cpu === undefined ? '' : `; CPU ${rows[1].cpu.toFixed(0)} ms = ${x(rows[1].cpu / rows[0].cpu)} node -e 0's`);
const [getLoad, lsLoad] = [results['kv get'].load, results['kv ls'].load];
summary({
  what: '`consulate kv get K` whole process', figure: getRows[1].ms, unit: 'ms', baseline: getRows[0].ms, baselineLabel: 'node -e 0',
  target: { op: '<=', value: 1.6 }, note: `${x(getRows[1].ms / getRows[2].ms)} consul kv get (${getRows[2].ms.toFixed(0)} ms)${cpuNote(getRows)}`, load: getLoad, command: 'node bench/cli.mjs',
});
summary({
  what: '`consulate kv ls` on 1,000 keys', figure: lsRows[1].ms, unit: 'ms', baseline: lsRows[0].ms, baselineLabel: 'node -e 0',
  target: { op: '<=', value: 1.8 }, note: `${x(lsRows[1].ms / lsRows[2].ms)} consul kv get -recurse (${lsRows[2].ms.toFixed(0)} ms)${cpuNote(lsRows)}`, load: lsLoad, command: 'node bench/cli.mjs',
});
