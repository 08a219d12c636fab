#!/usr/bin/env node
// Builds the dashboard (app.ts → dist/app.js, bundled with esbuild) and serves it with the CORS proxy,
// which forwards /consul/* to the agent:
//
//   node examples/dashboard/serve.mjs [--target http://127.0.0.1:8500] [--port 8080]
//   open http://127.0.0.1:8080/
//
// The target defaults to CONSUL_HTTP_ADDR, then http://127.0.0.1:8500.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCorsProxy } from '../cors-proxy/server.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Bundles app.ts (and the consulate sources it imports) into `<here>/dist/app.js` for browsers. */
export async function buildDashboard() {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(here, 'app.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    outfile: join(here, 'dist/app.js'),
    logLevel: 'warning',
  });
  return here;
}

/** Builds the page and starts the proxy serving it; returns the proxy (`url`, `port`, `close()`). */
export async function serveDashboard({ target, port = 0, log } = {}) {
  await buildDashboard();
  return startCorsProxy({ target, root: here, port, log });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name) => {
    const at = args.indexOf(`--${name}`);
    return at === -1 ? undefined : args[at + 1];
  };
  const env = process.env.CONSUL_HTTP_ADDR;
  const target = opt('target') ?? (env ? (/^https?:\/\//.test(env) ? env : `http://${env}`) : 'http://127.0.0.1:8500');
  const proxy = await serveDashboard({ target, port: Number(opt('port') ?? 8080), log: (line) => console.log(line) });
  console.log(`dashboard: ${proxy.url}/  (agent ${target} behind ${proxy.url}/consul)`);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => proxy.close().then(() => process.exit(0)));
}
