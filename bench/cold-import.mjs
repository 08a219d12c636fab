#!/usr/bin/env node
// Cold import time of the package on Node, Deno and Bun: each case spawns a fresh process N times
// (bench/import-probe.mjs imports one module and prints the time the import took, measured inside the
// process), and reports the median and the spread. ky and valibot alone are measured for context
// (consulate's own code is what is left). "Cold" means a fresh process; the OS file cache is warm,
// and Deno keeps its transpile/code cache in DENO_DIR between runs, as it does for users.
//
// On Node the package is imported by name (`import('consulate')`, `import('consulate/node')`: the
// package's own exports, resolved to dist/), next to `node -e 0` (whole process: Node's floor) and
// ky alone; on Deno and Bun the built dist/index.js, next to ky alone in the same runtime. The
// `npm run bench` summary gets one row per runtime and entry (reported, no target).
//
//   node bench/cold-import.mjs [--runs 15] [--all] [--json]
// --all adds the diagnostics: valibot alone, Node's own fetch init, the sources (src/index.ts) on Deno and Bun.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadavg, summary } from './lib.mjs';

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

const ALL = args.includes('--all');
const built = (p) => (existsSync(join(root, p)) ? undefined : 'not built');
// [runtime, label, specifier (or null: `node -e 0`, no import), skip reason, diagnostic only]
const cases = [
  ['node', 'node -e 0 (whole process only)', null],
  ['node', "import('consulate')", 'consulate', built('dist/index.js')],
  ['node', "import('consulate/node')", 'consulate/node', built('dist/node/index.js')],
  ['node', 'ky alone', 'ky'],
  ['node', 'valibot alone', 'valibot', undefined, true],
  // ky builds a Request when it loads, which makes Node load its lazily-loaded built-in fetch (undici)
  ['node', "Node's own fetch init (new Request)", 'data:text/javascript,new Request("http://x/")', undefined, true],
  ['deno', 'consulate (dist/index.js)', file('dist/index.js')],
  ['deno', 'consulate (src/index.ts)', file('src/index.ts'), undefined, true],
  ['deno', 'ky alone', 'ky'],
  ['bun', 'consulate (dist/index.js)', file('dist/index.js')],
  ['bun', 'consulate (src/index.ts)', file('src/index.ts'), undefined, true],
  ['bun', 'ky alone', 'ky'],
].filter((c) => ALL || !c[4]);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const rows = [];
for (const [name, label, specifier, skip] of cases) {
  const rt = runtimes[name];
  if (!rt.version) { rows.push({ runtime: name, name, label, skipped: `${name} not runnable` }); continue; }
  if (skip || (specifier?.startsWith('file:') && !existsSync(fileURLToPath(specifier)))) { rows.push({ runtime: rt.version, name, label, skipped: skip ?? 'not built' }); continue; }
  const imports = [];
  const walls = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const started = performance.now();
    const argv = specifier === null ? ['-e', '0'] : [...rt.args, specifier];
    const r = spawnSync(rt.cmd, argv, { cwd: root, encoding: 'utf8', env, timeout: 60_000 });
    const wall = performance.now() - started;
    if (r.status !== 0) throw new Error(`${name} ${label}: ${r.stderr || r.stdout}`);
    if (i === 0) continue; // the first run fills caches (Deno's DENO_DIR, Bun's transpiler cache)
    if (specifier !== null) imports.push(Number(r.stdout.trim().split('\n').pop()));
    walls.push(wall);
  }
  const stats = imports.length ? { importMs: +median(imports).toFixed(1), minMs: +Math.min(...imports).toFixed(1), maxMs: +Math.max(...imports).toFixed(1) } : {};
  rows.push({ runtime: rt.version, name, label, ...stats, processMs: Math.round(median(walls)) });
}
const load = loadavg();

if (args.includes('--json')) console.log(JSON.stringify({ runs: RUNS, rows }, null, 2));
else {
  console.log(`# cold import: median of ${RUNS} fresh processes (after one that fills caches); ms`);
  console.log(`${'runtime'.padEnd(12)} ${'module'.padEnd(36)} ${'import'.padStart(7)} ${'min'.padStart(7)} ${'max'.padStart(7)} ${'process'.padStart(8)}`);
  for (const r of rows) {
    if (r.skipped) console.log(`${r.runtime.padEnd(12)} ${r.label.padEnd(36)} skipped: ${r.skipped}`);
    else {
      const ms = (v) => (v === undefined ? '–' : v.toFixed(1)).padStart(7);
      console.log(`${r.runtime.padEnd(12)} ${r.label.padEnd(36)} ${ms(r.importMs)} ${ms(r.minMs)} ${ms(r.maxMs)} ${String(r.processMs).padStart(8)}`);
    }
  }
  console.log(`# import: time of \`await import(x)\` inside the process; process: wall time of the whole process (startup included); load ${load}`);
}

// the `npm run bench` summary: import time against ky alone in the same runtime; on Node the whole
// process against `node -e 0` too
const find = (name, label) => rows.find((r) => r.name === name && r.label === label && !r.skipped);
const floor = find('node', 'node -e 0 (whole process only)');
for (const [name, label] of [['node', "import('consulate')"], ['node', "import('consulate/node')"], ['deno', 'consulate (dist/index.js)'], ['bun', 'consulate (dist/index.js)']]) {
  const r = find(name, label);
  const kyRow = find(name, 'ky alone');
  if (!r) continue;
  const what = name === 'node' ? `Node cold \`${label}\`` : `${r.runtime[0].toUpperCase()}${r.runtime.slice(1)} cold import('consulate')`;
  summary({
    what, figure: r.importMs, unit: 'ms', baseline: kyRow?.importMs, baselineLabel: `ky alone, ${name}`,
    note: name === 'node' && floor ? `whole process ${r.processMs} ms = ${(r.processMs / floor.processMs).toFixed(2)}× node -e 0 (${floor.processMs} ms)` : `whole process ${r.processMs} ms`,
    load, command: 'node bench/cold-import.mjs',
  });
}
