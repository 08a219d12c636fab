import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

// One list of entry points: jsr.json's exports (package.json's exports mirror it; a test checks they agree).
const jsr = JSON.parse(readFileSync(new URL('./jsr.json', import.meta.url), 'utf8')) as { exports: Record<string, string> };
const entry: Record<string, string> = {};
for (const source of Object.values(jsr.exports)) {
  entry[source.replace(/^\.\/src\//, '').replace(/\.ts$/, '')] = source;
}

export default defineConfig([
  {
    // the library: ESM + CJS + types for every subpath, shared chunks so that subpaths share one core
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'neutral',
    treeshake: true,
    splitting: true,
    external: ['ky', 'valibot', /^node:/],
  },
  {
    // the `consulate` CLI (Node only), run by the bin dist/cli/index.js (src/cli/bin.cjs, copied). One file with its
    // dependencies inside: Node resolves and loads one module instead of dozens (start-up is most of
    // a CLI call, bench/cli.mjs); what only some commands need is imported lazily by them.
    // CommonJS, not ESM: Node's ES module loader (and its wrappers of the node: builtins) cost ~10 ms
    // of CPU per call here, 1/6 of `node -e 0` (bench/cli.mjs). dist/cli/package.json says so to
    // Node, since the package is "type": "module".
    entry: { 'cli/run': 'src/cli/index.ts' },
    format: ['cjs'],
    outExtension: () => ({ js: '.js' }),
    // import.meta.url (help.ts, io.ts) from the file's path, as Node would have given it to an ES module
    banner: { js: "'use strict'; const __consulateModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__consulateModuleUrl' },
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    noExternal: [/.*/],
    // less for V8 to scan and compile at every start (commander's sources are mostly comments); names
    // stay, so that stack traces (and commander's error names) read as in the sources
    minifyWhitespace: true,
    minifySyntax: true,
    onSuccess: async () => {
      writeFileSync(new URL('./dist/cli/package.json', import.meta.url), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
      // the bin: turns on Node's compile cache, then loads run.js (see src/cli/bin.cjs)
      const bin = new URL('./dist/cli/index.js', import.meta.url);
      copyFileSync(new URL('./src/cli/bin.cjs', import.meta.url), bin);
      chmodSync(bin, 0o755);
    },
  },
]);
