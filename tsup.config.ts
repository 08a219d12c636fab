import { readFileSync } from 'node:fs';
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
    external: ['ky', 'valibot', 'undici', /^node:/],
  },
  {
    // the `consulate` bin (Node only); the shebang comes from src/cli/index.ts
    entry: { 'cli/index': 'src/cli/index.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    external: ['ky', 'valibot', 'undici', 'commander', 'cli-progress'],
  },
]);
