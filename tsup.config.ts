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
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    treeshake: true,
    splitting: true,
    external: ['ky', 'valibot', 'undici'],
  },
]);
