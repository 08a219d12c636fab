// Runs the runtime-neutral suite under Deno or Bun (or Node with tsx):
//   CONSUL_HTTP_ADDR=http://127.0.0.1:8500 CONSULATE_TARGET=src|dist deno run -A test/runtimes/entry.ts
// Each subpath the suite uses (`.`, `./discovery`…) is imported from the file the package maps it to:
// jsr.json's exports for src (the sources), package.json's `exports[subpath].import.default` for dist
// (the built package), as ./entries.mjs does for the bundled targets.
// Prints one line per test and, last, the result marker read by run.mjs; exits 1 on any failure.
import type { Lib, Recipes } from './suite.ts';
import { RECIPE_SUBPATHS, RESULT_MARKER, runSuite } from './suite.ts';

interface RuntimeGlobals {
  Deno?: { env: { get(name: string): string | undefined }; version: { deno: string }; exit(code: number): never };
  Bun?: { version: string };
  process?: { env: Record<string, string | undefined>; versions: { node?: string }; exitCode?: number };
}
const g = globalThis as unknown as RuntimeGlobals;
const env = (name: string): string | undefined => (g.Deno ? g.Deno.env.get(name) : g.process?.env[name]);
const runtime = g.Deno ? `deno ${g.Deno.version.deno}` : g.Bun ? `bun ${g.Bun.version}` : `node ${g.process?.versions.node ?? '?'}`;

const address = env('CONSUL_HTTP_ADDR');
const target = env('CONSULATE_TARGET') ?? 'src';
if (!address) throw new Error('set CONSUL_HTTP_ADDR');
if (target !== 'src' && target !== 'dist') throw new Error(`CONSULATE_TARGET must be src or dist, got ${target}`);
type ExportMap = Record<string, string | { import?: { default?: string } }>;
const manifest = target === 'dist' ? '../../package.json' : '../../jsr.json';
const { exports } = ((await import(manifest, { with: { type: 'json' } })) as { default: { exports: ExportMap } }).default;
/** The file a subpath maps to, relative to this directory (computed, so that type-checking does not need dist/). */
const fileOf = (subpath: string): string => {
  const entry = exports[subpath];
  const file = typeof entry === 'string' ? entry : entry?.import?.default;
  if (!file) throw new Error(`${manifest.slice(6)} exports no ${JSON.stringify(subpath)}`);
  return `../../${file.replace(/^\.\//, '')}`;
};
const lib = (await import(fileOf('.'))) as Lib;
const recipes = Object.fromEntries(
  await Promise.all(Object.entries(RECIPE_SUBPATHS).map(async ([name, subpath]) => [name, await import(fileOf(subpath))])),
) as Recipes;

console.log(`# ${runtime}, consulate from ${target} (${fileOf('.')}, ${Object.values(RECIPE_SUBPATHS).map(fileOf).join(', ')})`);
const summary = await runSuite({
  lib,
  recipes,
  address: /^https?:\/\//.test(address) ? address : `http://${address}`,
  runtime: `${runtime.split(' ')[0]}-${target}`,
  log: (line) => console.log(line),
});
console.log(`${RESULT_MARKER}${JSON.stringify(summary)}`);
if (summary.failed > 0) {
  if (g.Deno) g.Deno.exit(1);
  else if (g.process) g.process.exitCode = 1;
}
