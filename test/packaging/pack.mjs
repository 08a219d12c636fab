#!/usr/bin/env node
// The published package, end to end (slow: it builds). In a temporary directory it
//   1. builds a copy of the project (src/, package.json, jsr.json, tsup config… — the shared dist/ is
//      left alone) with the project's own `npm run build`, then `npm pack`s it;
//   2. installs the tarball into an empty project outside the repository (`npm install --offline`: ky,
//      valibot, undici, commander, cli-progress and @types/node come from the npm cache, never the
//      network) and, against a throwaway Consul agent, uses it: ESM and CJS imports of `consulate`,
//      `consulate/kv`, `consulate/node` and every other subpath, the `consulate` bin (`--help`, `kv set`,
//      `kv get`), CJS without require(esm) when package.json's engines allow a Node that lacks it, and —
//      as before publication (./consumers.mjs) — Deno (`consulate`/`npm:consulate` from node_modules;
//      `jsr:@consulate/consulate` through deno.json "links" to a checkout), Bun, and a Vite app built
//      from it and run in Chromium;
//   3. typechecks TypeScript consumers of the installed types (moduleResolution node16 — ESM and CJS
//      files — and bundler) with the project's tsc;
//   4. lints the tarball with publint (--strict) and attw (profile node16: the package needs Node ≥ 20,
//      whose resolution is node16; `node10` resolution cannot see subpath exports), runs
//      `deno publish --dry-run` (type check and slow-types check; needs no network once node_modules
//      is installed) and builds the API reference with typedoc (test/packaging/typedoc.json →
//      .tmp/api-docs; every export must be documented).
// Prints one line per check, the tarball's figures, then `N passed, N failed`; exits 1 on failure.
//
//   node test/packaging/pack.mjs [--keep]      (--keep: leave the temporary directory for inspection)
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAgent } from '../support/agent.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const keep = process.argv.includes('--keep');
const tool = (name) => join(root, 'node_modules/.bin', name);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const subpaths = Object.keys(pkg.exports).filter((key) => key !== './package.json');
const specifiers = subpaths.map((subpath) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`));
const quietEnv = { DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', NO_COLOR: '1', FORCE_COLOR: '0', npm_config_update_notifier: 'false' };

const work = mkdtempSync(join(tmpdir(), 'consulate-pack-'));
const stage = join(work, 'stage');
const consumer = join(work, 'consumer');
let passed = 0;
let failed = 0;
const figures = [];

/** Runs a command without a shell; resolves with { code, stdout, stderr, out } (never rejects). */
function run(cmd, args, { cwd = root, env = {}, timeout = 300_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...quietEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { stderr += `\n(killed after ${timeout / 1000} s)`; child.kill('SIGKILL'); }, timeout);
    child.on('error', (error) => { stderr += String(error); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 1 : 0), stdout, stderr, out: `${stdout}${stderr}` });
    });
  });
}

/** `run`, throwing with the output's tail unless it exits 0. */
async function must(cmd, args, options) {
  const result = await run(cmd, args, options);
  if (result.code !== 0) throw new Error(`${[cmd, ...args].join(' ')} exited ${result.code}:\n${tail(result.out, 25)}`);
  return result;
}

const tail = (text, lines = 12) => text.trim().split('\n').slice(-lines).join('\n');
const indent = (text) => text.split('\n').map((line) => `      ${line}`).join('\n');
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

/** One check: prints `ok` or `FAIL` with details; a failed prerequisite skips its dependents. */
async function check(name, fn) {
  const started = Date.now();
  try {
    const detail = await fn();
    passed += 1;
    console.log(`ok    ${name}${detail ? ` — ${detail}` : ''} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return true;
  } catch (error) {
    failed += 1;
    console.log(`FAIL  ${name}\n${indent(error instanceof Error ? error.message : String(error))}`);
    return false;
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

let agent;
try {
  // 1. build a copy of the project and pack it
  const built = await check('build (npm run build in a copy of the project)', async () => {
    mkdirSync(stage);
    for (const entry of ['package.json', 'jsr.json', 'deno.json', 'tsup.config.ts', 'tsconfig.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'src']) {
      cpSync(join(root, entry), join(stage, entry), { recursive: true });
    }
    symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'), 'dir');
    await must('npm', ['run', 'build', '--silent'], { cwd: stage });
    const missing = [];
    for (const conditions of Object.values(pkg.exports)) {
      if (typeof conditions === 'string') continue;
      for (const condition of Object.values(conditions)) {
        for (const path of Object.values(condition)) if (!existsSync(join(stage, path))) missing.push(path);
      }
    }
    for (const path of Object.values(pkg.bin)) if (!existsSync(join(stage, path))) missing.push(path);
    assert(missing.length === 0, `exported files missing from dist/: ${missing.join(', ')}`);
    const binText = readFileSync(join(stage, pkg.bin.consulate), 'utf8');
    assert(binText.startsWith('#!/usr/bin/env node\n'), 'the bin does not start with #!/usr/bin/env node');
    return `${readdirSync(join(stage, 'dist'), { recursive: true }).length} files in dist/`;
  });

  let tarball;
  const packed = built && (await check('npm pack', async () => {
    const { stdout } = await must('npm', ['pack', '--json', '--pack-destination', work], { cwd: stage });
    const [info] = JSON.parse(stdout);
    tarball = join(work, info.filename);
    const paths = info.files.map((f) => f.path);
    const required = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', pkg.bin.consulate.slice(2), 'src/index.ts'];
    const absent = required.filter((path) => !paths.includes(path));
    assert(absent.length === 0, `missing from the tarball: ${absent.join(', ')}`);
    const stray = paths.filter((path) => !/^(dist|src)\//.test(path) && !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(path));
    assert(stray.length === 0, `unexpected files in the tarball: ${stray.join(', ')}`);
    const configs = paths.filter((path) => /(^|\/)tsconfig[^/]*\.json$|\.test\.ts$/.test(path));
    assert(configs.length === 0, `tsconfig/test files in the tarball: ${configs.join(', ')}`);
    const maps = paths.filter((p) => p.endsWith('.map'));
    const mapBytes = info.files.filter((f) => f.path.endsWith('.map')).reduce((sum, f) => sum + f.size, 0);
    figures.push(
      `tarball ${info.filename}: ${kb(info.size)} packed, ${kb(info.unpackedSize)} unpacked, ${info.entryCount} files`,
      `  dist/: ${paths.filter((p) => p.startsWith('dist/')).length} files (${maps.length} source maps, ${kb(mapBytes)}); src/: ${paths.filter((p) => p.startsWith('src/')).length} files`,
    );
    return `${info.filename}, ${kb(info.size)}, ${info.entryCount} files`;
  }));

  // 2. install it into an empty project and use it against a real agent
  const installed = packed && (await check('npm install <tarball> --offline into an empty project outside the repository (dependencies from the npm cache)', async () => {
    mkdirSync(consumer);
    writeFileSync(join(consumer, 'package.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2)}\n`);
    const typesNode = pkg.devDependencies['@types/node'];
    // --offline: never the network (a missing package fails with ENOTCACHED instead of being fetched)
    await must('npm', ['install', tarball, `@types/node@${typesNode}`, '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: consumer });
    const installedPkg = JSON.parse(readFileSync(join(consumer, 'node_modules', pkg.name, 'package.json'), 'utf8'));
    assert(installedPkg.version === pkg.version, `installed ${installedPkg.version}, expected ${pkg.version}`);
    const deps = Object.keys(pkg.dependencies).filter((name) => !existsSync(join(consumer, 'node_modules', name, 'package.json')));
    assert(deps.length === 0, `dependencies not installed: ${deps.join(', ')}`);
    return `${pkg.name}@${installedPkg.version} with ${Object.keys(pkg.dependencies).join(', ')}`;
  }));

  if (installed) {
    agent = await startAgent({ name: 'consulate-pack' });
    const agentEnv = { CONSUL_HTTP_ADDR: agent.address, CONSUL_HTTP_TOKEN: '' };
    const node = (file, args = []) => must(process.execPath, [...args, file], { cwd: consumer, env: agentEnv });

    await check("ESM: import { Consul, createClient } from 'consulate', { get } from 'consulate/kv', every subpath", async () => {
      writeFileSync(join(consumer, 'esm.mjs'), `
import { Consul, createClient, isConsulError } from 'consulate';
import { get, set } from 'consulate/kv';
const fail = (message) => { console.error(message); process.exit(1); };
const client = createClient({ address: process.env.CONSUL_HTTP_ADDR });
const key = 'consulate-pack/esm';
if ((await set(client, key, 'from ESM ✓')).data !== true) fail('set did not return true');
const { data, meta } = await get(client, key);
if (data !== 'from ESM ✓') fail('get returned ' + JSON.stringify(data));
if (typeof meta.index !== 'bigint') fail('meta.index is not a bigint');
const consul = new Consul({ address: process.env.CONSUL_HTTP_ADDR });
if ((await consul.kv.get(key)).data !== 'from ESM ✓') fail('the facade read something else');
if (typeof isConsulError !== 'function') fail('isConsulError missing');
for (const specifier of ${JSON.stringify(specifiers)}) {
  const module = await import(specifier);
  if (Object.keys(module).length === 0) fail(specifier + ' exports nothing');
}
console.log('esm ok');
`);
      const { stdout } = await node('esm.mjs');
      assert(stdout.includes('esm ok'), stdout);
      return `${specifiers.length} subpaths imported`;
    });

    await check("CJS: require('consulate'), require('consulate/kv'), every subpath", async () => {
      writeFileSync(join(consumer, 'cjs.cjs'), `
const { Consul, createClient } = require('consulate');
const { get, set } = require('consulate/kv');
const fail = (message) => { console.error(message); process.exit(1); };
(async () => {
  const client = createClient({ address: process.env.CONSUL_HTTP_ADDR });
  const key = 'consulate-pack/cjs';
  if ((await set(client, key, 'from CJS')).data !== true) fail('set did not return true');
  if ((await get(client, key)).data !== 'from CJS') fail('get read something else');
  if ((await new Consul(client).kv.get(key)).data !== 'from CJS') fail('the facade read something else');
  for (const specifier of ${JSON.stringify(specifiers)}) {
    if (Object.keys(require(specifier)).length === 0) fail(specifier + ' exports nothing');
  }
  console.log('cjs ok');
})().catch((error) => fail(String(error)));
`);
      const { stdout } = await node('cjs.cjs');
      assert(stdout.includes('cjs ok'), stdout);
      return `${specifiers.length} subpaths required`;
    });

    // Node 20.19+ and 22.12+ can require() ES modules, which the CJS build needs (ky is ESM only).
    // When engines admits a Node without it, emulate that Node: require(esm) switched off.
    // (semver comes with @arethetypeswrong/cli.)
    const { default: semver } = await import('semver');
    const withoutRequireEsm = ['18.20.8', '20.18.3', '21.7.3', '22.11.0'].filter((v) => semver.satisfies(v, pkg.engines.node));
    await check(`CJS on every Node that engines allows (${pkg.engines.node})`, async () => {
      if (withoutRequireEsm.length === 0) return 'every Node it allows has require(esm)';
      const result = await run(process.execPath, ['--no-experimental-require-module', '-e', "require('consulate'); require('consulate/kv'); console.log('cjs ok')"], { cwd: consumer });
      if (result.code === 0 && result.stdout.includes('cjs ok')) return `works without require(esm) (as on Node ${withoutRequireEsm.join(', ')})`;
      const cause = /Error \[(\w+)\][^\n]*/.exec(result.out)?.[0] ?? tail(result.out, 3);
      throw new Error(
        `engines admits Node ${withoutRequireEsm.join(', ')}, which cannot require() ES modules by default, and require('consulate') then fails:\n${cause}\n` +
          'fix: engines.node "^20.19.0 || >=22.12.0" (the Node versions with require(esm)), or bundle ky into the CJS build',
      );
    });

    await check("consulate/node: fromEnv() (ESM and CJS)", async () => {
      writeFileSync(join(consumer, 'node.mjs'), `
import { fromEnv } from 'consulate/node';
import { get } from 'consulate/kv';
const client = fromEnv();
try {
  const { data } = await get(client, 'consulate-pack/esm');
  if (data !== 'from ESM ✓') { console.error('read ' + JSON.stringify(data)); process.exit(1); }
} finally { await client.close(); }
console.log('node ok');
`);
      writeFileSync(join(consumer, 'node.cjs'), `
const { fromEnv } = require('consulate/node');
const { get } = require('consulate/kv');
(async () => {
  const client = fromEnv();
  try {
    const { data } = await get(client, 'consulate-pack/cjs');
    if (data !== 'from CJS') throw new Error('read ' + JSON.stringify(data));
  } finally { await client.close(); }
  console.log('node ok');
})().catch((error) => { console.error(String(error)); process.exit(1); });
`);
      for (const file of ['node.mjs', 'node.cjs']) {
        const { stdout } = await node(file);
        assert(stdout.includes('node ok'), `${file}: ${stdout}`);
      }
    });

    await check('bin: npx consulate --help, kv set, kv get', async () => {
      const npx = (args) => must('npx', ['--no-install', 'consulate', ...args], { cwd: consumer, env: agentEnv });
      const mode = statSync(join(consumer, 'node_modules', pkg.name, pkg.bin.consulate)).mode;
      assert(mode & 0o100, 'the installed bin is not executable');
      const help = await npx(['--help']);
      assert(/\bkv\b/.test(help.stdout), `--help does not list kv:\n${tail(help.stdout)}`);
      await npx(['kv', 'set', 'consulate-pack/bin', 'from the bin']);
      const got = await npx(['kv', 'get', 'consulate-pack/bin']);
      assert(got.stdout.trim() === 'from the bin', `kv get printed ${JSON.stringify(got.stdout)}`);
      const raw = await fetch(`${agent.address}/v1/kv/consulate-pack/bin?raw`).then((r) => r.text());
      assert(raw === 'from the bin', `the agent holds ${JSON.stringify(raw)}`);
    });

    // before publication: the same tarball (and a local checkout) from Deno, Bun and a Vite app
    const consumers = await import('./consumers.mjs');
    const denoEnv = { ...agentEnv, DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' };
    const ctx = { work, consumer, checkout: stage, agentUrl: agent.address, must, deno: tool('deno'), bun: tool('bun'), env: denoEnv };
    await check("Deno: 'consulate' and 'npm:consulate' from the installed tarball", () => consumers.denoFromTarball(ctx));
    await check("Deno: 'jsr:@consulate/consulate' from a local checkout (deno.json \"links\")", () => consumers.denoFromCheckout(ctx));
    await check("Bun: 'consulate' from the installed tarball", () => consumers.bunFromTarball(ctx));
    const { CHROMIUM_ARGS, findChromium } = await import('../runtimes/browser.mjs');
    await check('Vite: a browser app importing consulate from the installed tarball builds and runs in Chromium', async () => {
      const chromiumPath = findChromium();
      assert(chromiumPath, 'no chromium binary (apt-get install -y chromium, or set CHROMIUM_PATH)');
      return consumers.viteApp({ ...ctx, chromiumPath, chromiumArgs: CHROMIUM_ARGS });
    });
  }

  // 3. TypeScript consumers of the installed types
  if (installed) {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const probe = (kind) => `
import { Consul, createClient, isNotFoundError, type Client, type Result } from 'consulate';
import { get, set, type KVPair } from 'consulate/kv';
import { watch } from 'consulate/watch';
${kind === 'node' ? "import { fromEnv, type NodeClient } from 'consulate/node';" : ''}
${specifiers.filter((s) => kind === 'node' || s !== `${pkg.name}/node`).map((s, i) => `import * as m${i} from '${s}';`).join('\n')}

const client: Client = createClient({ address: 'http://127.0.0.1:8500' });
export const text: Promise<Result<string | undefined>> = get(client, 'k');
export const written: Promise<Result<boolean>> = set(client, 'k', new Uint8Array([1]), { flags: 2n ** 63n });
export const bound: Promise<Result<string | undefined>> = new Consul(client).kv.get('k');
export const guard: (error: unknown) => boolean = isNotFoundError;
export const record = (pair: KVPair): bigint => pair.Flags;
export const watcher = watch(client, (c, o) => get(c, 'k', o));
// @ts-expect-error a key is required
get(client);
// @ts-expect-error flags are numbers or bigints
set(client, 'k', 'v', { flags: 'x' });
${kind === 'node' ? 'export const fromEnvironment: NodeClient = fromEnv();' : ''}
export const modules: unknown[] = [${specifiers.filter((s) => kind === 'node' || s !== `${pkg.name}/node`).map((_, i) => `m${i}`).join(', ')}];
`;
    const project = async (name, compilerOptions, files, packageType) => {
      const dir = join(consumer, name);
      mkdirSync(dir, { recursive: true });
      if (packageType) writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: packageType }));
      for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
      const tsconfig = { compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', ...compilerOptions }, include: Object.keys(files) };
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
      await must(process.execPath, [tsc, '-p', dir], { cwd: dir });
    };

    await check('TypeScript: moduleResolution node16, ESM (.ts in a "type": "module" package) and CJS (.cts)', async () => {
      await project('ts-node16', { module: 'node16', moduleResolution: 'node16', lib: ['ES2022'], types: ['node'] }, {
        'index.ts': probe('node'),
        'index.cts': probe('node').replace(/import \* as (m\d+) from '([^']+)';/g, "import $1 = require('$2');"),
      }, 'module');
      return 'types resolved through the import and require conditions (d.ts and d.cts), skipLibCheck off';
    });

    await check('TypeScript: moduleResolution bundler (browser libs, no @types/node, isomorphic subpaths)', async () => {
      // `[Symbol.asyncDispose]` members need lib esnext.disposable (or @types/node) when libraries are checked
      const bundler = { module: 'esnext', moduleResolution: 'bundler', types: [] };
      await project('ts-bundler', { ...bundler, lib: ['ES2022', 'DOM', 'DOM.Iterable', 'ESNext.Disposable'] }, { 'index.ts': probe('isomorphic') });
      await project('ts-vite', { ...bundler, lib: ['ES2022', 'DOM', 'DOM.Iterable'], skipLibCheck: true }, { 'index.ts': probe('isomorphic') });
      return 'with lib esnext.disposable and skipLibCheck off, and as Vite\'s template (ES2022 + DOM, skipLibCheck on)';
    });
  }

  // 4. linters and publishers
  if (packed) {
    await check('publint --strict (the tarball)', async () => {
      const { out } = await must(tool('publint'), ['run', tarball, '--strict']);
      assert(/All good!/.test(out), `publint reported:\n${tail(out, 30)}`);
    });

    await check('attw --profile node16 (the tarball)', async () => {
      const result = await run(tool('attw'), [tarball, '--profile', 'node16', '--format', 'table-flipped', '--no-emoji', '--no-color']);
      if (result.code !== 0) throw new Error(tail(result.out, 60));
      return 'node16 (CJS and ESM) and bundler resolution clean for every subpath';
    });
  }

  await check('deno publish --dry-run --allow-dirty (type check + no slow types)', async () => {
    const { out } = await must(tool('deno'), ['publish', '--dry-run', '--allow-dirty']);
    assert(/Checking for slow types/.test(out), `no slow-types check in the output:\n${tail(out)}`);
    assert(/Dry run complete/.test(out), tail(out));
    const files = [...out.matchAll(/file:\/\/(\/\S+) \(/g)].map((m) => relative(root, m[1]));
    const cli = files.filter((f) => f.startsWith('src/cli/'));
    assert(cli.length === 0, `the CLI would be published to JSR: ${cli.join(', ')}`);
    figures.push(`JSR package (dry run): ${files.length} files`);
    return `${files.length} files`;
  });

  await check('typedoc (every export documented) → .tmp/api-docs', async () => {
    const { out } = await must(tool('typedoc'), ['--options', 'test/packaging/typedoc.json']);
    assert(existsSync(join(root, '.tmp/api-docs/index.html')), `no index.html:\n${tail(out)}`);
    // each module is named by its import path (typedoc-subpaths.mjs): consulate/kv, not endpoints/kv
    const modules = readdirSync(join(root, '.tmp/api-docs/modules')).map((f) => f.replace(/\.html$/, '')).sort();
    const expected = specifiers.map((s) => s.replace(/\//g, '_')).sort();
    assert(JSON.stringify(modules) === JSON.stringify(expected), `module pages ${modules.join(', ')}, expected ${expected.join(', ')}`);
    const pages = readdirSync(join(root, '.tmp/api-docs'), { recursive: true }).filter((f) => String(f).endsWith('.html')).length;
    figures.push(`API reference: ${pages} pages in .tmp/api-docs`);
    return `${pages} pages`;
  });
} catch (error) {
  failed += 1;
  console.log(`FAIL  unexpected error\n${indent(error instanceof Error ? (error.stack ?? error.message) : String(error))}`);
} finally {
  await agent?.stop();
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

for (const line of figures) console.log(line);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
