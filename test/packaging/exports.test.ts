// Packaging consistency, checked from the sources (no build needed): the subpaths that package.json,
// jsr.json and deno.json export agree; dist paths follow one pattern; conditions are ordered for
// TypeScript; the package ships what it should; published code imports only declared dependencies;
// every subpath module carries a `@module` doc comment; `export * as` appears nowhere.
// The slow half (build, `npm pack`, install into a fresh project, publint, attw, deno publish --dry-run,
// typedoc) is test/packaging/pack.mjs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(join(root, path), 'utf8')) as Record<string, unknown>;

interface Condition {
  types: string;
  default: string;
}
interface PackageJson {
  name: string;
  version: string;
  type: string;
  sideEffects: unknown;
  main: string;
  module: string;
  types: string;
  bin: Record<string, string>;
  files: string[];
  engines: Record<string, string>;
  exports: Record<string, string | { import: Condition; require: Condition }>;
  dependencies: Record<string, string>;
}
interface JsrJson {
  name: string;
  version: string;
  exports: Record<string, string>;
  imports?: Record<string, string>;
  publish: { include: string[]; exclude: string[] };
}

const pkg = readJson('package.json') as unknown as PackageJson;
const jsr = readJson('jsr.json') as unknown as JsrJson;
const deno = readJson('deno.json') as unknown as JsrJson;
const typedoc = readJson('test/packaging/typedoc.json') as { entryPoints: string[] };

/** package.json's subpath exports (without `./package.json`). */
const subpaths = Object.fromEntries(Object.entries(pkg.exports).filter(([key]) => key !== './package.json'));

/** `./src/endpoints/kv.ts` → `endpoints/kv`: the source's path below src/, which is also its dist path. */
const stem = (source: string): string => source.replace(/^\.\/src\//, '').replace(/\.ts$/, '');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}
const files = sourceFiles('src');
const parsed = new Map(
  files.map((file) => [file, ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true)]),
);
const published = files.filter((file) => !file.startsWith('src/cli/'));

describe('subpath exports', () => {
  it('package.json, jsr.json and deno.json export the same subpaths, from the same sources', () => {
    expect(Object.keys(jsr.exports).length).toBeGreaterThan(1);
    expect(Object.keys(subpaths)).toEqual(Object.keys(jsr.exports));
    expect(deno.exports).toEqual(jsr.exports);
    expect(pkg.exports['./package.json']).toBe('./package.json');
  });

  it('jsr.json and deno.json agree with package.json on name and version', () => {
    expect(jsr.version).toBe(pkg.version);
    expect(deno.version).toBe(pkg.version);
    expect(deno.name).toBe(jsr.name);
    expect(jsr.name).toMatch(new RegExp(`^@[a-z0-9-]+/${pkg.name}$`));
  });

  it('every exported source file exists, under src/', () => {
    for (const source of Object.values(jsr.exports)) {
      expect(source, source).toMatch(/^\.\/src\/.+\.ts$/);
      expect(existsSync(join(root, source)), `${source} exists`).toBe(true);
    }
  });

  it('every dist path follows the pattern dist/<path below src>.{js,d.ts,cjs,d.cts}', () => {
    for (const [subpath, source] of Object.entries(jsr.exports)) {
      const base = `./dist/${stem(source)}`;
      expect(subpaths[subpath], subpath).toEqual({
        import: { types: `${base}.d.ts`, default: `${base}.js` },
        require: { types: `${base}.d.cts`, default: `${base}.cjs` },
      });
    }
  });

  it('puts `types` first in each condition (and `import` before `require`)', () => {
    for (const [subpath, conditions] of Object.entries(subpaths)) {
      expect(typeof conditions, subpath).toBe('object');
      expect(Object.keys(conditions), subpath).toEqual(['import', 'require']);
      for (const condition of Object.values(conditions as Record<string, Condition>)) {
        expect(Object.keys(condition), subpath).toEqual(['types', 'default']);
      }
    }
  });

  it('main, module and types point to the root export (for tools that predate `exports`)', () => {
    const rootExport = pkg.exports['.'] as { import: Condition; require: Condition };
    expect(pkg.main).toBe(rootExport.require.default);
    expect(pkg.module).toBe(rootExport.import.default);
    expect(pkg.types).toBe(rootExport.import.types);
  });

  it('tsup builds exactly one entry per subpath, named like its dist path, as ESM + CJS + types', async () => {
    const { default: configs } = (await import('../../tsup.config.ts')) as unknown as {
      default: { entry: Record<string, string>; format: string[]; dts?: unknown }[];
    };
    const [library, bin] = configs;
    expect(library?.entry).toEqual(Object.fromEntries(Object.values(jsr.exports).map((source) => [stem(source), source])));
    expect(library?.format).toEqual(expect.arrayContaining(['esm', 'cjs']));
    expect(library?.dts).toBeTruthy();
    expect(bin?.entry).toEqual({ 'cli/run': 'src/cli/index.ts' });
  });

  it('the API reference (typedoc) documents every subpath', () => {
    expect(typedoc.entryPoints.map((path) => path.replace(/^\.\.\/\.\.\//, './'))).toEqual(Object.values(jsr.exports));
  });

  it('the API reference names each module by its import path (consulate/kv, not endpoints/kv)', async () => {
    const { subpathNames } = await import('./typedoc-subpaths.mjs');
    const names = subpathNames();
    const plugins = (readJson('test/packaging/typedoc.json') as { plugin: string[] }).plugin;
    expect(plugins).toContain('./typedoc-subpaths.mjs');
    expect(typedoc.entryPoints.map((entry) => names.get(join(root, 'test/packaging', entry)))).toEqual(
      Object.keys(jsr.exports).map((subpath) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`)),
    );
    expect(names.get(join(root, 'src/endpoints/kv.ts'))).toBe('consulate/kv');
    expect(names.get(join(root, 'src/core/watch.ts'))).toBe('consulate/watch');
  });

  it('doc examples import only subpaths the package exports', () => {
    for (const [file, source] of parsed) {
      for (const match of source.text.matchAll(/from '(consulate(?:\/[\w-]+)?)'/g)) {
        const subpath = match[1] === 'consulate' ? '.' : `.${match[1]!.slice('consulate'.length)}`;
        expect(Object.keys(subpaths), `${file} imports '${match[1]}'`).toContain(subpath);
      }
    }
  });
});

describe('package contents', () => {
  it('is an ESM package without side effects, for Node ≥ 20', () => {
    expect(pkg.type).toBe('module');
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.engines['node']).toMatch(/^\^20\.19\.0 \|\| >=22\.12\.0$/);
  });

  it('ships dist, src, README, LICENSE and CHANGELOG (no tests, no configs)', () => {
    expect([...pkg.files].sort()).toEqual(['!src/**/tsconfig.json', 'CHANGELOG.md', 'LICENSE', 'README.md', 'dist', 'src'].sort());
    for (const entry of pkg.files.filter((f) => !f.startsWith('!') && f !== 'dist')) {
      expect(existsSync(join(root, entry)), `${entry} exists`).toBe(true);
    }
  });

  it('has one bin, consulate → dist/cli/index.js (src/cli/bin.cjs, which starts with a shebang and loads the bundle of src/cli/index.ts)', () => {
    expect(pkg.bin).toEqual({ consulate: './dist/cli/index.js' });
    const bin = readFileSync(join(root, 'src/cli/bin.cjs'), 'utf8');
    expect(bin.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(bin).toContain("require('./run.js')");
  });

  it('publishes the library (not the CLI) to JSR', () => {
    for (const config of [jsr, deno]) {
      expect(config.publish.include).toEqual(expect.arrayContaining(['src/**/*.ts', 'README.md', 'LICENSE']));
      expect(config.publish.exclude).toContain('src/cli/**');
      expect(Object.values(config.exports).filter((source) => source.startsWith('./src/cli/'))).toEqual([]);
    }
  });
});

/** Package names a file imports (also `import type` and `export … from`), without relative and `node:` imports. */
function packagesImportedBy(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
  return importedFiles
    .map(({ fileName }) => fileName)
    .filter((name) => !name.startsWith('.') && !name.startsWith('node:') && !builtinModules.includes(name))
    .map((name) => (name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0]!));
}

describe('dependencies', () => {
  const all = new Set(files.flatMap(packagesImportedBy));
  const library = new Set(published.flatMap(packagesImportedBy));

  it('every package imported by src/ is a dependency, and every dependency is imported', () => {
    expect([...all].sort()).toEqual(Object.keys(pkg.dependencies).sort());
  });

  it('dependencies are pinned to exact versions', () => {
    for (const [name, version] of Object.entries(pkg.dependencies)) expect(version, name).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("deno.json maps every package the JSR package imports, at package.json's version", () => {
    expect(library.size).toBeGreaterThan(0);
    for (const name of library) expect(deno.imports?.[name], name).toBe(`npm:${name}@${pkg.dependencies[name]}`);
  });
});

describe('module shape', () => {
  it('no `export * as` anywhere in src/ (it defeats tree-shaking)', () => {
    const offenders: string[] = [];
    for (const [file, source] of parsed) {
      for (const statement of source.statements) {
        if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamespaceExport(statement.exportClause)) {
          offenders.push(`${file}: ${statement.getText()}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('every subpath module starts with a `@module` doc comment (the module docs on JSR and in typedoc)', () => {
    for (const source of Object.values(jsr.exports)) {
      const file = parsed.get(source.slice(2));
      expect(file, source).toBeDefined();
      const text = file!.text;
      const first = ts.getLeadingCommentRanges(text, text.startsWith('#!') ? text.indexOf('\n') + 1 : 0)?.[0];
      const comment = first ? text.slice(first.pos, first.end) : '';
      expect(comment.startsWith('/**'), `${source} starts with a /** comment`).toBe(true);
      expect(comment, source).toMatch(/^\s*\*\s*@module\s*$/m);
      // a summary, not only the tag
      expect(comment.replace(/@module/, '').replace(/[\s/*]/g, '').length, source).toBeGreaterThan(20);
    }
  });
});
