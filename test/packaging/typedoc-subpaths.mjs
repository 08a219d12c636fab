// TypeDoc plugin: names each module of the API reference by its import path (`consulate`, `consulate/kv`,
// `consulate/watch`, `consulate/node`…) instead of its source path (`endpoints/kv`, `core/watch`), taking
// the names from package.json's `exports` — which test/packaging/exports.test.ts checks against jsr.json
// and typedoc.json's entry points —, so a new subpath is named right without another edit.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Converter, ReflectionKind } from 'typedoc';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Absolute source path → import path, from package.json's exports (dist path → src path). */
export function subpathNames() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const names = new Map();
  for (const [subpath, conditions] of Object.entries(pkg.exports)) {
    if (typeof conditions !== 'object') continue;
    const dist = conditions.import.default; // ./dist/endpoints/kv.js
    const source = resolve(root, dist.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
    names.set(source, subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`);
  }
  return names;
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  const names = subpathNames();
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const file = context.getSymbolFromReflection(module)?.declarations?.[0]?.getSourceFile().fileName;
      const name = file === undefined ? undefined : names.get(resolve(file));
      if (name !== undefined) module.name = name;
    }
  });
}
