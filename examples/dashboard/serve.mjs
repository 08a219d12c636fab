#!/usr/bin/env node
// Builds the dashboard (app.ts → dist/app.js, bundled with esbuild) and serves it with the CORS proxy,
// which forwards /consul/* to the agent. Takes the proxy's options (see `--help`); unlike the bare proxy,
// it passes the page's token through by default (users type theirs into the page) unless the proxy is
// given its own token (--token-file or CONSUL_PROXY_TOKEN).
//
//   node examples/dashboard/serve.mjs [--target http://127.0.0.1:8500] [--port 8080] [proxy options…]
//   open http://127.0.0.1:8080/
//
// The target defaults to CONSUL_HTTP_ADDR, then http://127.0.0.1:8500.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeProxy, parseProxyArgs, startCorsProxy, USAGE } from '../cors-proxy/server.mjs';

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

/**
 * Builds the page and starts the proxy serving it; returns the proxy (`url`, `port`, `tokenMode`, `close()`).
 * @param {Partial<import('../cors-proxy/server.mjs').CorsProxyOptions> & { target: string }} options the proxy's
 *   options; `passThroughToken` defaults to true when no `token` is given; `port` to 0 (a free one)
 */
export async function serveDashboard(options) {
  await buildDashboard();
  return startCorsProxy({ port: 0, passThroughToken: options.token === undefined, ...options, root: here });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  let parsed;
  try {
    parsed = parseProxyArgs(argv, process.env);
  } catch (error) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(`Usage: node examples/dashboard/serve.mjs [options]: the dashboard, served by the CORS proxy.\n`
      + `Without --token-file or CONSUL_PROXY_TOKEN, --pass-through-token is on (users enter their token in the page).\n\n${USAGE}`);
    process.exit(0);
  }
  const options = { ...parsed.options, passThroughToken: parsed.options.token === undefined };
  const proxy = await serveDashboard({ ...options, log: (line) => console.log(line) }).catch((error) => {
    console.error(`dashboard: ${error.message}`);
    process.exit(2);
  });
  console.log(describeProxy(proxy, options));
  console.log(`dashboard: ${proxy.url}/`);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => proxy.close().then(() => process.exit(0)));
}
