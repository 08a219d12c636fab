// "Using it before it is published", tested: projects outside the repository that use the packed tarball
// (installed with `npm install ./consulate-x.tgz --offline` by pack.mjs) or a local checkout, on Deno, Bun
// and in a Vite browser app, each against a real agent. Called by ./pack.mjs; every function throws with
// what went wrong and returns a one-line detail.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DENO_RUN = ['run', '--cached-only', '--no-prompt', '--allow-net', '--allow-env', '--allow-read'];

const denoProgram = (specifier, key) => `
import { Consul, isNotFoundError } from '${specifier}';
import { get } from '${specifier}/kv';
const consul = new Consul({ address: Deno.env.get('CONSUL_HTTP_ADDR')! });
await consul.kv.set('${key}', 'from Deno ✓');
const { data, meta } = await get(consul.client, '${key}');
if (data !== 'from Deno ✓' || typeof meta.index !== 'bigint' || typeof isNotFoundError !== 'function') {
  console.error('read ' + JSON.stringify(data));
  Deno.exit(1);
}
console.log('deno ok');
`;

/**
 * Deno in the npm consumer (package.json + node_modules from the tarball): `import 'consulate'` and
 * `import 'npm:consulate'` both resolve to the installed tarball with `--node-modules-dir=manual`.
 */
export async function denoFromTarball({ consumer, deno, must, env }) {
  const files = { 'deno-bare.ts': denoProgram('consulate', 'consulate-pack/deno-bare'), 'deno-npm.ts': denoProgram('npm:consulate', 'consulate-pack/deno-npm') };
  for (const [file, text] of Object.entries(files)) {
    writeFileSync(join(consumer, file), text);
    const { stdout } = await must(deno, [...DENO_RUN, '--node-modules-dir=manual', file], { cwd: consumer, env });
    if (!stdout.includes('deno ok')) throw new Error(`${file}: ${stdout}`);
  }
  return "'consulate' and 'npm:consulate' from node_modules (--node-modules-dir=manual), offline";
}

/**
 * Deno with a local checkout linked in deno.json (`"links"`): `jsr:@consulate/consulate` — the specifier
 * the examples use — resolves to the checkout's sources, its npm imports to the checkout's node_modules.
 */
export async function denoFromCheckout({ work, checkout, deno, must, env }) {
  const dir = join(work, 'deno-linked');
  mkdirSync(dir);
  writeFileSync(join(dir, 'deno.json'), `${JSON.stringify({ links: [checkout], nodeModulesDir: 'manual' }, null, 2)}\n`);
  writeFileSync(join(dir, 'main.ts'), denoProgram('jsr:@consulate/consulate', 'consulate-pack/deno-jsr'));
  const { stdout } = await must(deno, [...DENO_RUN, 'main.ts'], { cwd: dir, env });
  if (!stdout.includes('deno ok')) throw new Error(stdout);
  return `'jsr:@consulate/consulate' through deno.json "links": ["<checkout>"], offline`;
}

/** Bun in the npm consumer: `import 'consulate'` from node_modules. */
export async function bunFromTarball({ consumer, bun, must, env }) {
  writeFileSync(join(consumer, 'bun.ts'), `
import { Consul } from 'consulate';
import { get } from 'consulate/kv';
const consul = new Consul({ address: process.env.CONSUL_HTTP_ADDR! });
await consul.kv.set('consulate-pack/bun', 'from Bun ✓');
const { data } = await get(consul.client, 'consulate-pack/bun');
if (data !== 'from Bun ✓') { console.error('read ' + JSON.stringify(data)); process.exit(1); }
console.log('bun ok ' + Bun.version);
`);
  const { stdout } = await must(bun, ['bun.ts'], { cwd: consumer, env });
  if (!stdout.includes('bun ok')) throw new Error(stdout);
  return stdout.trim().replace('bun ok', 'bun');
}

/**
 * A Vite app in the npm consumer: `vite build` bundles `consulate` from node_modules (the ESM build, no
 * Node modules), then `vite preview` serves it with `/v1` proxied to the agent (same origin: no CORS),
 * and headless Chromium runs it: a KV write and read through the page.
 */
export async function viteApp({ consumer, agentUrl, chromiumPath, chromiumArgs }) {
  const dir = join(consumer, 'vite-app');
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>consulate in a Vite app</title><pre id="result">pending</pre>\n<script type="module" src="./main.js"></script>\n');
  writeFileSync(join(dir, 'main.js'), `
import { createClient, Consul } from 'consulate';
import { get } from 'consulate/kv';
const out = document.getElementById('result');
try {
  // same origin: the Vite server proxies /v1 to the agent
  const client = createClient({ address: location.origin });
  await new Consul(client).kv.set('consulate-pack/vite', 'from a Vite app ✓');
  const { data, meta } = await get(client, 'consulate-pack/vite');
  out.textContent = JSON.stringify({ data, index: typeof meta.index });
} catch (error) {
  out.textContent = 'error: ' + error;
}
`);
  const { build, preview } = await import('vite');
  const output = await build({ root: dir, logLevel: 'silent', build: { outDir: 'dist', emptyOutDir: true } });
  const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => o.output).filter((o) => o.type === 'chunk');
  const modules = chunks.flatMap((c) => Object.keys(c.modules));
  const fromConsulate = modules.filter((m) => /node_modules\/consulate\/dist\//.test(m));
  if (!fromConsulate.some((m) => m.endsWith('consulate/dist/index.js'))) throw new Error(`the bundle has no consulate/dist/index.js:\n${modules.join('\n')}`);
  const nodeOnly = modules.filter((m) => /node_modules\/(undici|commander|cli-progress)\/|consulate\/dist\/(node|cli)\//.test(m));
  if (nodeOnly.length) throw new Error(`Node-only modules in the browser bundle: ${nodeOnly.join(', ')}`);
  const code = chunks.map((c) => c.code).join('\n');
  if (/from\s*["']node:|require\(["']node:/.test(code)) throw new Error('the browser bundle imports node: modules');
  const bytes = readdirSync(join(dir, 'dist/assets')).reduce((sum, f) => sum + readFileSync(join(dir, 'dist/assets', f)).length, 0);

  const server = await preview({ root: dir, logLevel: 'silent', preview: { host: '127.0.0.1', port: 0, proxy: { '/v1': agentUrl } } });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  try {
    const page = await browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error));
    await page.goto(server.resolvedUrls.local[0]);
    await page.waitForFunction(() => document.getElementById('result')?.textContent !== 'pending', undefined, { timeout: 30_000 }).catch(() => {});
    const result = await page.textContent('#result');
    if (result !== JSON.stringify({ data: 'from a Vite app ✓', index: 'bigint' })) throw new Error(`the page shows ${result}${pageErrors.length ? `; page errors: ${pageErrors.join('; ')}` : ''}`);
  } finally {
    await browser.close();
    await server.close();
  }
  return `built ${(bytes / 1024).toFixed(0)} KiB from consulate/dist (${fromConsulate.length} modules, no Node-only code); ran in Chromium through vite preview's /v1 proxy`;
}
