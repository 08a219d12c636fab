// Runs the runtime-neutral suite under Deno or Bun (or Node with tsx):
//   CONSUL_HTTP_ADDR=http://127.0.0.1:8500 CONSULATE_TARGET=src|dist deno run -A test/runtimes/entry.ts
// CONSULATE_TARGET=dist imports the built package (dist/index.js) instead of the source.
// Prints one line per test and, last, the result marker read by run.mjs; exits 1 on any failure.
import type { Lib } from './suite.ts';
import { RESULT_MARKER, runSuite } from './suite.ts';

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
// a computed specifier, so that type-checking does not need dist/ to exist
const specifier = target === 'dist' ? ['..', '..', 'dist', 'index.js'].join('/') : '../../src/index.ts';
const lib = (await import(specifier)) as Lib;

console.log(`# ${runtime}, consulate from ${target} (${specifier})`);
const summary = await runSuite({
  lib,
  address: /^https?:\/\//.test(address) ? address : `http://${address}`,
  runtime: `${runtime.split(' ')[0]}-${target}`,
  log: (line) => console.log(line),
});
console.log(`${RESULT_MARKER}${JSON.stringify(summary)}`);
if (summary.failed > 0) {
  if (g.Deno) g.Deno.exit(1);
  else if (g.process) g.process.exitCode = 1;
}
