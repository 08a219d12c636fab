// Bundle-size report: minified + gzip size of what an application ships when it imports only
// kv.get, the whole facade, and consulate/node. Bundles the built package (run `npm run build`
// first; `npm run size` does) through its package.json exports, with esbuild, as a browser app would.
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { summary } from './lib.mjs';

const root = new URL('..', import.meta.url).pathname;
const cases = [
  { name: 'kv.get only (ky + valibot + core)', target: 8 * 1024, sources: "import { createClient } from './src/index.ts'; import { get } from './src/endpoints/kv.ts'; export const run = () => get(createClient(), 'k');", code: "import { createClient } from 'consulate'; import { get } from 'consulate/kv'; export const run = () => get(createClient(), 'k');" },
  { name: 'acl.tokenCreate only (acl subpath)', target: undefined, code: "import { createClient } from 'consulate'; import { tokenCreate } from 'consulate/acl'; export const run = () => tokenCreate(createClient());" },
  { name: 'Consul facade (everything bound)', target: 20 * 1024, sources: "import { Consul } from './src/index.ts'; export const consul = new Consul();", code: "import { Consul } from 'consulate'; export const consul = new Consul();" },
  { name: 'consulate/node (fromEnv)', target: undefined, platform: 'node', code: "import { fromEnv } from 'consulate/node'; export const c = () => fromEnv();", needs: 'dist/node/index.js' },
  { name: 'ky alone (baseline)', target: undefined, code: "import ky from 'ky'; export const k = ky.create({});" },
];

const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
const sizes = {};
console.log('bundle'.padEnd(38), 'min'.padStart(10), 'min+gzip'.padStart(10), '  target');
for (const c of cases) {
  if (c.needs && !existsSync(root + c.needs)) {
    console.log(c.name.padEnd(38), 'skipped: not built'.padStart(21));
    continue;
  }
  const result = await build({
    stdin: { contents: c.code, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: c.platform ?? 'browser',
    write: false,
    external: c.platform === 'node' ? ['undici', 'node:*'] : [],
    logLevel: 'error',
  });
  const bytes = result.outputFiles[0].contents;
  const gz = gzipSync(bytes, { level: 9 }).length;
  sizes[c.name] = gz;
  const verdict = c.target ? `${gz <= c.target ? 'ok  ' : 'OVER'} ≤ ${kb(c.target)}` : '';
  console.log(c.name.padEnd(38), kb(bytes.length).padStart(10), kb(gz).padStart(10), ' ', verdict);
}

// Where the bytes of the bundles with a target come from: the same bundle built from the sources, its
// minified bytes grouped by dependency and by source folder (gzip shares are estimated in proportion).
const group = (input) => (input.startsWith('node_modules/') ? input.split('/')[1] : input.split('/').slice(0, 2).join('/'));
for (const c of cases.filter((c) => c.sources)) {
  const result = await build({
    stdin: { contents: c.sources, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const bytes = result.outputFiles[0].contents;
  const gz = gzipSync(bytes, { level: 9 }).length;
  const groups = new Map();
  const inputs = Object.entries(Object.values(result.metafile.outputs)[0].inputs);
  for (const [input, { bytesInOutput }] of inputs) groups.set(group(input), (groups.get(group(input)) ?? 0) + bytesInOutput);
  const rows = [...groups].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  console.log(`\n${c.name}, from the sources (${kb(bytes.length)} min, ${kb(gz)} gzip): where the bytes come from`);
  for (const [name, n] of rows) {
    console.log(`  ${name.padEnd(16)} ${kb(n).padStart(10)} min  ${(100 * n / bytes.length).toFixed(1).padStart(5)}%  ≈ ${kb(gz * n / bytes.length)} gzip`);
  }
  const largest = inputs.filter(([input]) => input.startsWith('src/')).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput).slice(0, 8);
  console.log(`  largest source files: ${largest.map(([input, { bytesInOutput }]) => `${input.slice(4)} ${kb(bytesInOutput)}`).join(', ')}`);
}

// the `npm run bench` summary: against ky alone (the floor), targets on the size itself
const ky = sizes['ky alone (baseline)'];
for (const [name, what, target] of [['kv.get only (ky + valibot + core)', 'kv.get-only browser bundle (min+gzip)', 8], ['Consul facade (everything bound)', '`Consul` facade bundle (min+gzip)', 20]]) {
  if (sizes[name] === undefined) continue;
  summary({ what, figure: sizes[name] / 1024, unit: 'KB', baseline: ky / 1024, baselineLabel: 'ky alone', target: { op: '<=', value: target, on: 'figure' }, command: 'node bench/size.mjs' });
}
