// Bundle-size report: minified + gzip size of what an application ships when it imports only
// kv.get, the whole facade, and consulate/node. Bundles the built package (run `npm run build`
// first; `npm run size` does) through its package.json exports, with esbuild, as a browser app would.
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const cases = [
  { name: 'kv.get only (ky + valibot + core)', target: 8 * 1024, code: "import { createClient } from 'consulate'; import { get } from 'consulate/kv'; export const run = () => get(createClient(), 'k');" },
  { name: 'Consul facade (everything bound)', target: 20 * 1024, code: "import { Consul } from 'consulate'; export const consul = new Consul();" },
  { name: 'consulate/node (fromEnv)', target: undefined, platform: 'node', code: "import { fromEnv } from 'consulate/node'; export const c = () => fromEnv();", needs: 'dist/node/index.js' },
  { name: 'ky alone (baseline)', target: undefined, code: "import ky from 'ky'; export const k = ky.create({});" },
];

const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
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
  const verdict = c.target ? `${gz <= c.target ? 'ok  ' : 'OVER'} ≤ ${kb(c.target)}` : '';
  console.log(c.name.padEnd(38), kb(bytes.length).padStart(10), kb(gz).padStart(10), ' ', verdict);
}
