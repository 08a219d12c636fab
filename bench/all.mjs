#!/usr/bin/env node
// `npm run bench` (after `npm run build`): runs every bench script one after the other (each starts
// its own throwaway agent), lets each print its own figures, and ends with one summary table — every
// target of issue 11 as a ratio against a baseline measured in the same run, with the machine's load
// average when it was measured. Printed figures, not assertions: the exit code only says whether
// every script ran.
//
//   node bench/all.mjs [--only cli,size,…] [--json]
// Includes `kv restore` of 1,000,000 keys (~40 s of the ~3 minutes); BENCH_RESTORE_1M=0 leaves it out.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadavg, root } from './lib.mjs';

const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const ONLY = onlyAt === -1 ? undefined : new Set(args[onlyAt + 1].split(','));
const scripts = [
  ['size', ['bench/size.mjs']],
  ['cold-import', ['bench/cold-import.mjs']],
  ['cli', ['bench/cli.mjs']],
  ['per-call', ['bench/per-call.mjs', '--impls', 'fetch,undici,ky,global,node,node-consul']],
  ['records', ['bench/records.mjs', '--children', '3']],
  ['restore', ['bench/restore.mjs', '--runs', '5', ...(process.env.BENCH_RESTORE_1M === '0' ? [] : ['--million'])]],
  ['backup-memory', ['bench/backup-memory.mjs']],
].filter(([name]) => !ONLY || ONLY.has(name));

if (!existsSync(join(root, 'dist/cli/index.js'))) console.log('# note: dist/ is not built (`npm run build`): the scripts fall back to the sources where they can');
const dir = mkdtempSync(join(tmpdir(), 'consulate-bench-all-'));
const summaryFile = join(dir, 'summary.jsonl');
const started = performance.now();
const startLoad = loadavg();
const failed = [];
const durations = [];
for (const [name, argv] of scripts) {
  console.log(`\n==================== node ${argv.join(' ')} ====================`);
  const t = performance.now();
  const status = await new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { cwd: root, stdio: 'inherit', env: { ...process.env, BENCH_SUMMARY: summaryFile } });
    child.on('close', resolve);
    child.on('error', () => resolve(1));
  });
  durations.push(`${name} ${((performance.now() - t) / 1000).toFixed(0)} s`);
  if (status !== 0) failed.push(`${name} (exit ${status})`);
}
const total = (performance.now() - started) / 1000;
const rows = existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
rmSync(dir, { recursive: true, force: true });

const num = (v, unit) => {
  if (v === undefined || v === null) return '–';
  const digits = unit === 'KB' ? 2 : Math.abs(v) >= 100 ? 0 : 1;
  return `${v.toFixed(digits)} ${unit}`;
};
const targetText = (r) => {
  if (!r.target) return '– (reported)';
  const op = r.target.op === '<=' ? '≤' : '≥';
  return r.target.on === 'figure' ? `${op} ${r.target.value} ${r.unit}` : `${op} ${r.target.value}×`;
};
const table = rows.map((r) => ({
  what: r.what,
  figure: num(r.figure, r.unit),
  baseline: r.baseline === undefined ? '–' : `${num(r.baseline, r.unit)} (${r.baselineLabel})`,
  ratio: r.ratio === undefined ? '–' : `${r.ratio.toFixed(2)}×`,
  target: targetText(r),
  within: r.within === null ? '–' : r.within ? 'yes' : '**no**',
  load: r.load,
  notes: [r.note, r.command].filter(Boolean).join('; '),
}));

if (args.includes('--json')) console.log(JSON.stringify({ rows, total, failed }, null, 2));
const cols = ['what', 'figure', 'baseline', 'ratio', 'target', 'within', 'load', 'notes'];
const heads = { what: 'what', figure: 'figure', baseline: 'baseline (same run)', ratio: 'ratio', target: 'target', within: 'within target', load: 'load avg (1/5/15 min)', notes: 'also; command' };
console.log(`\n==================== summary (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, node ${process.versions.node}, ${(await import('node:os')).cpus().length} cores) ====================`);
console.log(`| ${cols.map((c) => heads[c]).join(' | ')} |`);
console.log(`| ${cols.map((c) => (['figure', 'baseline', 'ratio'].includes(c) ? '---:' : '---')).join(' | ')} |`);
for (const r of table) console.log(`| ${cols.map((c) => r[c]).join(' | ')} |`);
console.log(`\ntotal ${total.toFixed(0)} s (${durations.join(', ')}); load average at start ${startLoad}, at end ${loadavg()}`);
if (process.env.BENCH_RESTORE_1M === '0') console.log('not run: `kv restore` of 1,000,000 keys (BENCH_RESTORE_1M=0)');
if (failed.length) {
  console.log(`FAILED: ${failed.join(', ')}`);
  process.exitCode = 1;
}
