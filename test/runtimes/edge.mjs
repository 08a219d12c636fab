#!/usr/bin/env node
// The edge runtimes of the matrix. The runtime-neutral suite (./suite.ts, through ./edge-entry.ts) is
// bundled with esbuild as an edge platform's build would bundle it, then run against the real agent:
//   workerd       Cloudflare's runtime — the real `workerd` binary (npm package `workerd`) driven by
//                 Miniflare 4's Node API, as `wrangler dev` runs a Worker; a module Worker with no
//                 compatibility flags, at the newest compatibility date the binary supports.
//   edge-runtime  Vercel's edge runtime (@edge-runtime/vm: a Node vm context holding only web APIs,
//                 code generation off), the handler registered as a `fetch` event listener.
// Each also runs a module-scope client and a module-scope recipe across two requests (what a Worker written
// the usual way does; on workerd the recipe's limit is asserted).
//
//   CONSUL_HTTP_ADDR=http://127.0.0.1:8500 node test/runtimes/edge.mjs workerd|edge-runtime src|dist
//
// Prints one line per test and the result marker read by run.mjs; exits 1 on any failure.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertNoSources, useDist } from './entries.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const RESULT_MARKER = '@@consulate-runtime-result ';
const SUITE_TIMEOUT = 240_000;

/** workerd's version (`workerd 2026-04-26`) and the npm package's (`1.20260426.1`), for the matrix's label. */
export function workerdVersion() {
  const require = createRequire(join(root, 'package.json'));
  const pkg = JSON.parse(readFileSync(require.resolve('workerd/package.json'), 'utf8'));
  return pkg.version;
}

/** @edge-runtime/vm's version. */
export function edgeRuntimeVersion() {
  return JSON.parse(readFileSync(join(root, 'node_modules/@edge-runtime/vm/package.json'), 'utf8')).version;
}

/**
 * Bundles ./edge-entry.ts the way the platform's tooling does: ESM for a module Worker (wrangler: esbuild,
 * conditions workerd/worker/browser), one script for the edge runtime's vm; from src, or with each subpath
 * swapped for the package's built ESM file (./entries.mjs).
 */
async function bundle(runtime, target, outfile) {
  const esbuild = await import('esbuild');
  const { metafile } = await esbuild.build({
    entryPoints: [join(root, 'test/runtimes/edge-entry.ts')],
    bundle: true,
    format: runtime === 'workerd' ? 'esm' : 'iife',
    platform: 'browser',
    conditions: runtime === 'workerd' ? ['workerd', 'worker', 'browser'] : ['edge-light', 'worker', 'browser'],
    outfile,
    target: 'es2022',
    logLevel: 'silent',
    plugins: target === 'dist' ? [useDist()] : [],
    absWorkingDir: root,
    metafile: true,
  });
  if (target === 'dist') assertNoSources(metafile, `the ${runtime} bundle`);
  return readFileSync(outfile, 'utf8');
}

/** Starts the bundle in workerd (through Miniflare); returns { fetch(path), close(), label }. */
async function startWorkerd(script) {
  const { Miniflare, supportedCompatibilityDate } = await import('miniflare');
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: supportedCompatibilityDate,
    // the Worker's console.log reaches this process's stdout through workerd's own output
  });
  await mf.ready;
  return {
    note: `compatibility date ${supportedCompatibilityDate}, no flags`,
    fetch: (path) => mf.dispatchFetch(`http://worker.test${path}`),
    close: () => mf.dispose(),
  };
}

/** Starts the bundle in Vercel's edge runtime; returns { fetch(path), close(), label }. */
async function startEdgeRuntime(script) {
  const { EdgeVM } = await import('@edge-runtime/vm');
  const vm = new EdgeVM();
  vm.evaluate(script);
  vm.evaluate("addEventListener('fetch', (event) => event.respondWith(globalThis.__consulateEdgeHandler(event.request)))");
  return {
    note: `EdgeRuntime=${vm.evaluate('EdgeRuntime')}, code generation off`,
    fetch: (path) => vm.dispatchFetch(`http://edge.test${path}`),
    close: async () => {},
  };
}

async function main() {
  const [runtime = 'workerd', target = 'src'] = process.argv.slice(2);
  if (!['workerd', 'edge-runtime'].includes(runtime) || !['src', 'dist'].includes(target)) {
    throw new Error('usage: node test/runtimes/edge.mjs workerd|edge-runtime src|dist');
  }
  const address = process.env.CONSUL_HTTP_ADDR;
  if (!address) throw new Error('set CONSUL_HTTP_ADDR');
  const agentUrl = /^https?:\/\//.test(address) ? address : `http://${address}`;

  const work = mkdtempSync(join(tmpdir(), 'consulate-edge-'));
  const summary = { passed: 0, failed: 0, skipped: 0, failures: [] };
  const add = (result) => {
    summary.passed += result.passed;
    summary.failed += result.failed;
    summary.skipped += result.skipped;
    summary.failures.push(...result.failures);
  };
  let instance;
  try {
    const script = await bundle(runtime, target, join(work, runtime === 'workerd' ? 'worker.mjs' : 'edge.js'));
    instance = runtime === 'workerd' ? await startWorkerd(script) : await startEdgeRuntime(script);
    console.log(`# ${runtime} (${instance.note}), consulate from ${target}, bundle ${(script.length / 1024).toFixed(0)} KiB`);
    const call = async (path) => {
      const response = await Promise.race([
        instance.fetch(path),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer to ${path} in ${SUITE_TIMEOUT / 1000} s`)), SUITE_TIMEOUT).unref()),
      ]);
      const text = await response.text();
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${text.slice(0, 500)}`);
      return JSON.parse(text);
    };
    const query = `address=${encodeURIComponent(agentUrl)}`;
    add(await call(`/suite?${query}&runtime=${runtime}-${target}`));
    add(await call(`/shared?${query}&runtime=${runtime}&step=1`));
    add(await call(`/shared?${query}&runtime=${runtime}&step=2`));
  } catch (error) {
    summary.failed++;
    summary.failures.push(`${runtime} (${target}): ${error.message ?? error}`);
    console.log(`not ok - ${runtime} (${target}) ran\n    ${String(error.stack ?? error).split('\n').slice(0, 6).join('\n    ')}`);
  } finally {
    await instance?.close();
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`${RESULT_MARKER}${JSON.stringify(summary)}`);
  if (summary.failed) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
