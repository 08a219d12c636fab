// The import rules of src/ (see ARCHITECTURE.md, "Layout and direction"), checked over every import —
// `import type`, `export … from` and `import('…')` types included:
//   1. no import cycles;
//   2. dependencies point one way: core ← schemas ← endpoints ← recipes ← consul.ts/index.ts, with node
//      and then cli on top (a module imports its own layer or a lower one);
//   3. an endpoint module never imports another group's endpoint module (what two groups share moves down
//      into src/schemas or src/core); a big group split by sub-area (`endpoints/acl.ts` and
//      `endpoints/acl-tokens.ts`, or `endpoints/acl/tokens.ts`) is one group.
// `node test/support/imports.mjs [dir]` prints the violations (exit 1 if any); test/packaging/imports.test.ts
// runs it in `npm test`, on src/ and on fixtures that break each rule.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Layers, lowest first; a file's layer is its first path segment below the source root (or its name). */
export const LAYERS = ['core', 'schemas', 'endpoints', 'recipes', 'consul.ts', 'index.ts', 'node', 'cli'];
/** Layers that share a rank (the facade and the root entry). */
const RANK = { core: 0, schemas: 1, endpoints: 2, recipes: 3, 'consul.ts': 4, 'index.ts': 4, node: 5, cli: 6 };

/** Every .ts file below `dir`, as paths relative to it with `/` separators. */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** The layer of a file (its first segment), or undefined for a file outside the known layers. */
export function layerOf(file) {
  const first = file.split('/')[0];
  return Object.hasOwn(RANK, first) ? first : undefined;
}

/** The endpoint group of a file below endpoints/: `endpoints/acl-tokens.ts` and `endpoints/acl/x.ts` → `acl`. */
export function groupOf(file) {
  const [, name] = file.split('/');
  return name?.replace(/\.ts$/, '').split('-')[0];
}

/** The relative imports of every file: `Map<file, string[]>` of files (relative to `dir`) it imports. */
export function importGraph(dir) {
  const files = sourceFiles(dir);
  const known = new Set(files);
  const graph = new Map();
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    const { importedFiles } = ts.preProcessFile(text, true, true);
    const targets = [];
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue; // packages and node: builtins
      const target = relative(dir, resolve(dir, dirname(file), fileName)).split(sep).join('/');
      const candidates = [target, `${target}.ts`, target.replace(/\.js$/, '.ts'), `${target}/index.ts`];
      const found = candidates.find((c) => known.has(c));
      targets.push(found ?? target);
    }
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The cycles a depth-first search meets (at least one per tangle): arrays of files, the first repeated last. */
export function findCycles(graph) {
  const cycles = [];
  const state = new Map(); // file → 1 (on the stack) | 2 (done)
  const stack = [];
  const seen = new Set();
  const visit = (file) => {
    state.set(file, 1);
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 1) {
        // rotated to start at its smallest file, so that a cycle reads the same whatever the search's start
        const ring = stack.slice(stack.indexOf(next));
        const first = ring.indexOf([...ring].sort()[0]);
        const cycle = [...ring.slice(first), ...ring.slice(0, first)];
        const key = cycle.join(' ');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...cycle, cycle[0]]);
        }
      } else if (state.get(next) === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(file, 2);
  };
  for (const file of graph.keys()) if (state.get(file) === undefined) visit(file);
  return cycles;
}

/**
 * The violations of the rules in `dir` (a source root laid out like src/): strings such as
 * `cycle: a.ts → b.ts → a.ts`, `layer: core/x.ts imports endpoints/y.ts`,
 * `endpoint: endpoints/a.ts imports endpoints/b.ts`. `allow` lists violations to tolerate (exact strings).
 */
export function checkImports(dir, allow = []) {
  const graph = importGraph(dir);
  const problems = [];
  for (const cycle of findCycles(graph)) problems.push(`cycle: ${cycle.join(' → ')}`);
  for (const [file, targets] of graph) {
    const from = layerOf(file);
    for (const target of targets) {
      if (!graph.has(target)) {
        problems.push(`missing: ${file} imports ${target}, which is not a source file`);
        continue;
      }
      const to = layerOf(target);
      if (from === undefined || to === undefined) continue;
      if (RANK[to] > RANK[from]) problems.push(`layer: ${file} imports ${target} (${from} must not depend on ${to})`);
      if (from === 'endpoints' && to === 'endpoints' && groupOf(file) !== groupOf(target)) {
        problems.push(`endpoint: ${file} imports ${target} (move what they share below endpoints/)`);
      }
    }
  }
  const allowed = new Set(allow);
  return problems.filter((p) => !allowed.has(p));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '../../src'));
  const problems = checkImports(dir);
  for (const problem of problems) console.log(problem);
  console.log(problems.length === 0 ? `imports of ${relative(process.cwd(), dir) || '.'}: ok` : `${problems.length} import problem(s)`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
