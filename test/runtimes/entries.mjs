// How the bundled targets of the runtime matrix (./edge.mjs, ./browser.mjs) get consulate "from dist":
// the suite's bundles import the sources (`../../src/index.ts`, `../../src/recipes/discovery.ts`…, see
// ./recipes.ts); for dist, each such import is redirected to the file the published package serves for the
// same subpath — the subpath found in jsr.json's exports (which name the sources), its file in
// package.json's `exports[subpath].import.default`. ./entry.ts (Deno, Bun, Node) resolves the same way.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const readJson = (file) => JSON.parse(readFileSync(join(root, file), 'utf8'));

/** Source file (absolute) → the subpath that exports it and its built ESM file (absolute). */
function distFiles() {
  const jsr = readJson('jsr.json');
  const pkg = readJson('package.json');
  const files = new Map();
  for (const [subpath, source] of Object.entries(jsr.exports)) {
    const built = pkg.exports?.[subpath]?.import?.default;
    if (typeof built !== 'string') throw new Error(`package.json has no exports["${subpath}"].import.default (jsr.json exports it as ${source})`);
    files.set(resolve(root, source), { subpath, file: resolve(root, built) });
  }
  return files;
}

/**
 * An esbuild plugin that redirects each import of a source file the package exports (`…/src/….ts`) to its
 * built file; an import of another source file from the suite's own files is refused (it is no subpath).
 */
export function useDist() {
  const files = distFiles();
  return {
    name: 'use-dist',
    setup(build) {
      build.onResolve({ filter: /\/src\/.*\.ts$/ }, (args) => {
        const source = resolve(args.resolveDir, args.path);
        if (relative(join(root, 'test/runtimes'), args.importer).startsWith('..')) return undefined;
        const entry = files.get(source);
        if (!entry) return { errors: [{ text: `${relative(root, source)} is not a subpath the package exports (jsr.json), so it has no dist file` }] };
        return { path: entry.file };
      });
    },
  };
}

/**
 * Fails when a bundle meant to hold the built package holds a source file (a redirect that did not
 * happen would otherwise test src twice, silently). `metafile`: esbuild's, built with `absWorkingDir: root`.
 */
export function assertNoSources(metafile, what) {
  const sources = Object.keys(metafile.inputs).filter((input) => input.startsWith('src/'));
  if (sources.length) throw new Error(`${what} from dist bundled source files: ${sources.slice(0, 5).join(', ')}`);
}
