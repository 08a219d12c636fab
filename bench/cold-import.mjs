#!/usr/bin/env node
// Cold import time of the package on Node, Deno and Bun: each case spawns a fresh process N times
// (bench/import-probe.mjs imports one module and prints the time the import took, measured inside the
// process), and reports the median and the spread. ky and valibot alone are measured for context
// (consulate's own code is what is left). "Cold" means a fresh process; the OS file cache is warm,
// and Deno keeps its transpile/code cache in DENO_DIR between runs, as it does for users.
//
//   node bench/cold-import.mjs [--runs 15] [--json]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const at = args.indexOf('--runs');
const RUNS = at === -1 ? 15 : Number(args[at + 1]);
const probe = join(root, 'bench/import-probe.mjs');
const file = (p) => pathToFileURL(join(root, p)).href;
const env = { ...process.env, DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1', NO_COLOR: '1' };

const runtimes = {
  node: { cmd: process.execPath, args: [probe], version: `node ${process.versions.node}` },
  deno: { cmd: join(root, 'node_modules/.bin/deno'), args: ['run', '--node-modules-dir=manual', '--cached-only', '--no-prompt', '--allow-read', '--allow-env', probe] },
  bun: { cmd: join(root, 'node_modules/.bin/bun'), args: [probe] },
};
for (const [name, rt] of Object.entries(runtimes)) {
  if (rt.version) continue;
  const r = spawnSync(rt.cmd, ['--version'], { encoding: 'utf8', env });
  rt.version = r.status === 0 ? `${name} ${r.stdout.trim().split('\n')[0].replace(/^\D*/, '').split(' ')[0]}` : undefined;
}

const cases = [
  ['node', 'consulate (dist/index.js)', file('dist/index.js')],
  ['node', 'consulate/node (dist/node/index.js)', file('dist/node/index.js')],
  ['node', 'ky alone', 'ky'],
  ['node', 'valibot alone', 'valibot'],
  // ky builds a Request when it loads, which makes Node load its lazily-loaded built-in fetch (undici)
  ['node', "Node's own fetch init (new Request)", 'data:text/javascript,new Request("http://x/")'],
  ['deno', 'consulate (dist/index.js)', file('dist/index.js')],
  ['deno', 'consulate (src/index.ts)', file('src/index.ts')],
  ['bun', 'consulate (dist/index.js)', file('dist/index.js')],
  ['bun', 'consulate (src/index.ts)', file('src/index.ts')],
  ['bun', 'ky alone', 'ky'],
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const rows = [];
for (const [runtime, label, specifier] of cases) {
  const rt = runtimes[runtime];
  if (!rt.version) { rows.push({ runtime, label, skipped: `${runtime} not runnable` }); continue; }
  if (specifier.startsWith('file:') && !existsSync(fileURLToPath(specifier))) { rows.push({ runtime: rt.version, label, skipped: 'not built' }); continue; }
  const imports = [];
  const walls = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const started = performance.now();
    const r = spawnSync(rt.cmd, [...rt.args, specifier], { cwd: root, encoding: 'utf8', env, timeout: 60_000 });
    const wall = performance.now() - started;
    if (r.status !== 0) throw new Error(`${runtime} ${label}: ${r.stderr || r.stdout}`);
    if (i === 0) continue; // the first run fills caches (Deno's DENO_DIR, Bun's transpiler cache)
    imports.push(Number(r.stdout.trim().split('\n').pop()));
    walls.push(wall);
  }
  rows.push({ runtime: rt.version, label, importMs: +median(imports).toFixed(1), minMs: +Math.min(...imports).toFixed(1), maxMs: +Math.max(...imports).toFixed(1), processMs: Math.round(median(walls)) });
}

if (args.includes('--json')) console.log(JSON.stringify({ runs: RUNS, rows }, null, 2));
else {
  console.log(`# cold import: median of ${RUNS} fresh processes (after one that fills caches); ms`);
  console.log(`${'runtime'.padEnd(12)} ${'module'.padEnd(36)} ${'import'.padStart(7)} ${'min'.padStart(7)} ${'max'.padStart(7)} ${'process'.padStart(8)}`);
  for (const r of rows) {
    if (r.skipped) console.log(`${r.runtime.padEnd(12)} ${r.label.padEnd(36)} skipped: ${r.skipped}`);
    else console.log(`${r.runtime.padEnd(12)} ${r.label.padEnd(36)} ${r.importMs.toFixed(1).padStart(7)} ${r.minMs.toFixed(1).padStart(7)} ${r.maxMs.toFixed(1).padStart(7)} ${String(r.processMs).padStart(8)}`);
  }
  console.log('# import: time of `await import(x)` inside the process; process: wall time of the whole process (startup included)');
}
