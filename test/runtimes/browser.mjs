// The browser "runtime" of the matrix: headless Chromium (Debian's, driven by playwright-core) loads the
// ESM build of consulate in a page and runs the runtime-neutral suite against the real agent through the
// CORS proxy of examples/cors-proxy; then the dashboard example is loaded, checked and screenshotted.
//
//   CONSUL_HTTP_ADDR=http://127.0.0.1:8500 node test/runtimes/browser.mjs [src] [dist] [dashboard]
//
// Prints one line per test and the result marker read by run.mjs; exits 1 on any failure.
// CHROMIUM_PATH overrides the browser binary (default: /usr/bin/chromium, then `chromium` on PATH).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCorsProxy } from '../../examples/cors-proxy/server.mjs';
import { assertNoSources, useDist } from './entries.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const RESULT_MARKER = '@@consulate-runtime-result ';

/** The Chromium binary to use, or undefined. */
export function findChromium() {
  if (process.env.CHROMIUM_PATH) return existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : undefined;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Launch flags for this machine (no sandbox as root; no background networking: the network is closed). */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Bundles test/runtimes/browser-entry.ts for the page, from src or with each subpath swapped for its built file (./entries.mjs). */
async function bundleSuite(esbuild, target, outfile) {
  const { metafile } = await esbuild.build({
    entryPoints: [join(root, 'test/runtimes/browser-entry.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile,
    logLevel: 'silent',
    plugins: target === 'dist' ? [useDist()] : [],
    absWorkingDir: root,
    metafile: true,
  });
  if (target === 'dist') assertNoSources(metafile, 'the page\'s bundle');
}

async function main() {
  const address = process.env.CONSUL_HTTP_ADDR;
  if (!address) throw new Error('set CONSUL_HTTP_ADDR');
  const agentUrl = /^https?:\/\//.test(address) ? address : `http://${address}`;
  const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ['src', 'dist', 'dashboard'];
  const executablePath = findChromium();
  if (!executablePath) throw new Error('no chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)');

  const esbuild = await import('esbuild');
  const { chromium } = await import('playwright-core');
  const work = mkdtempSync(join(tmpdir(), 'consulate-browser-'));
  const summary = { passed: 0, failed: 0, skipped: 0, failures: [] };
  const record = (name, error) => {
    if (error === 'skip') return;
    if (error) {
      summary.failed++;
      summary.failures.push(`${name}: ${error.message ?? error}`);
      console.log(`not ok - ${name}\n    ${String(error.stack ?? error).split('\n').slice(0, 4).join('\n    ')}`);
    } else {
      summary.passed++;
      console.log(`ok - ${name}`);
    }
  };
  const skip = (name, why) => {
    summary.skipped++;
    console.log(`skip - ${name} (${why})`);
  };

  const proxyLog = [];
  // the suite writes KV, sessions and txns and sends its own tokens: everything allowed, tokens passed through
  const proxy = await startCorsProxy({
    target: agentUrl, root: work, log: (line) => proxyLog.push(line),
    passThroughToken: true, allowRead: ['/v1'], allowWrite: ['/v1'], allowTxn: true, allowRootRecurse: true,
  });
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  console.log(`# chromium ${browser.version()}, page http://localhost:${proxy.port}, API ${proxy.url}/consul (cross-origin)`);
  try {
    writeFileSync(join(work, 'index.html'), [
      '<!doctype html><meta charset="utf-8"><title>consulate runtime suite</title><pre id="log"></pre>',
      '<script type="module">import(`./suite-${new URLSearchParams(location.search).get("target")}.js`);</script>',
    ].join('\n'));

    for (const target of ['src', 'dist'].filter((t) => wanted.includes(t))) {
      if (target === 'dist' && !existsSync(join(root, 'dist/index.js'))) {
        if (process.env.CI === 'true') record('suite from dist', new Error('dist/index.js is missing: run `npm run build` first'));
        else skip('suite from dist', 'dist/index.js is missing; run `npm run build`');
        continue;
      }
      await bundleSuite(esbuild, target, join(work, `suite-${target}.js`));
      const page = await browser.newPage();
      const pageErrors = [];
      page.on('pageerror', (error) => pageErrors.push(error));
      page.on('console', (message) => {
        const text = message.text();
        if (/^(ok|not ok|skip) - |^ {4}/.test(text)) console.log(text.replace(/^(ok|not ok|skip) - /, `$1 - [${target}] `));
      });
      console.log(`# suite in the page, consulate from ${target}`);
      await page.goto(`http://localhost:${proxy.port}/index.html?target=${target}&api=${encodeURIComponent(proxy.url)}&agent=${encodeURIComponent(agentUrl)}`);
      try {
        const handle = await page.waitForFunction(() => window.__consulateResult, undefined, { timeout: 120_000, polling: 100 });
        const result = await handle.jsonValue();
        summary.passed += result.passed;
        summary.failed += result.failed;
        summary.skipped += result.skipped;
        summary.failures.push(...result.failures.map((f) => `[${target}] ${f}`));
      } catch (error) {
        record(`suite from ${target} finished in the page`, pageErrors[0] ?? error);
      }
      await page.close();
    }

    if (wanted.includes('src') || wanted.includes('dist')) {
      // the page was on another origin than the API: the browser must have sent CORS preflights
      record('cors proxy: the page\'s writes were cross-origin (preflight answered), and no log line holds a token', (() => {
        if (!proxyLog.some((l) => /^OPTIONS \/consul\/v1\/kv\/\S+ 204 /.test(l))) return new Error(`no preflight in the proxy log:\n${proxyLog.slice(0, 5).join('\n')}`);
        if (proxyLog.some((l) => /secret|token=/i.test(l))) return new Error('a log line mentions a token');
        return undefined;
      })());
    }

    record('cors proxy: refuses other origins, allows the token header, forwards it, and streams errors', await (async () => {
      const evil = await fetch(`${proxy.url}/consul/v1/status/leader`, { headers: { Origin: 'http://evil.example' } });
      if (evil.status !== 403) return new Error(`foreign origin got ${evil.status}`);
      const pre = await fetch(`${proxy.url}/consul/v1/kv/x`, {
        method: 'OPTIONS',
        headers: { Origin: `http://localhost:${proxy.port}`, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'x-consul-token,content-type' },
      });
      if (pre.status !== 204 || pre.headers.get('access-control-allow-origin') !== `http://localhost:${proxy.port}`) return new Error(`preflight: ${pre.status}`);
      if (!/x-consul-token/i.test(pre.headers.get('access-control-allow-headers') ?? '')) return new Error('X-Consul-Token not allowed');
      const bad = await fetch(`${proxy.url}/consul/v1/kv/x`, {
        method: 'OPTIONS',
        headers: { Origin: `http://localhost:${proxy.port}`, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'x-evil' },
      });
      if (bad.status !== 403) return new Error(`unknown request header allowed (${bad.status})`);
      // the token header reaches the agent: /v1/acl/token/self on an agent without ACLs answers 401 "ACL support disabled"
      const self = await fetch(`${proxy.url}/consul/v1/acl/token/self`, { headers: { 'X-Consul-Token': 'abc' } });
      const text = await self.text();
      if (self.status !== 401 || !/ACL support disabled/.test(text)) return new Error(`token/self: ${self.status} ${text}`);
      const leader = await fetch(`${proxy.url}/consul/v1/status/leader`, { headers: { Origin: `http://127.0.0.1:${proxy.port}` } });
      if (!leader.ok || !/"127\.0\.0\.1:\d+"/.test(await leader.text())) return new Error('leader not proxied');
      if (!/X-Consul-Index/.test(leader.headers.get('access-control-expose-headers') ?? '')) return new Error('X-Consul-Index not exposed');
      const traversal = await fetch(`${proxy.url}/..%2f..%2fpackage.json`);
      if (traversal.status === 200) return new Error('path traversal served a file');
      return undefined;
    })().catch((e) => e));

    if (wanted.includes('dashboard')) {
      const { testDashboard } = await import('./dashboard.mjs');
      mkdirSync(join(root, '.tmp/screenshots'), { recursive: true });
      for (const [name, error] of await testDashboard({ browser, agentUrl, screenshot: join(root, '.tmp/screenshots/dashboard.png') })) {
        record(name, error);
      }
    }
  } finally {
    await browser.close();
    await proxy.close();
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
