// The README's API map, generated from the code so that it cannot drift: every path of the `Consul`
// facade, the flat function it binds, the subpath that exports that function, and the Consul endpoint it
// calls. The facade paths come from the descriptions themselves (`consulFacade` in src/consul.ts, walked at
// run time); the subpath from jsr.json's exports (the module exporting the very same function); the
// endpoint from the function's source: the request it builds (`{ method: 'PUT', path: `acl/token/${…}` }`,
// method GET when none is given), found with the TypeScript compiler. A function that builds no request
// itself is followed into the functions it calls (`tryRun` → `run` → `sendTxn`), with their parameters
// bound to the arguments (`ttlUpdate(client, 'pass', id)` → `agent/check/pass/:id`). Path arguments show
// as `:name` (the parameter's name).
//
// `npm run api-map` rewrites README.md between `<!-- api-map:start -->` and `<!-- api-map:end -->`;
// `npm run api-map -- --check` exits 1 when the README differs. test/packaging/api-map.test.ts fails when
// it differs, and when a facade function has no endpoint to show.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const START = '<!-- api-map:start -->';
export const END = '<!-- api-map:end -->';

/** Properties that mark an object literal with a `path` as a request (not, say, a validation issue). */
const REQUEST_KEYS = new Set(['method', 'options', 'params', 'json', 'body', 'accept', 'headers']);
/** Where calls are followed: the code of the groups and recipes, never the generic machinery in core/. */
const FOLLOWED = /[\\/]src[\\/](endpoints|schemas|recipes)[\\/]/;

/** The public subpaths (jsr.json's exports, without the main entry and consulate/node): subpath → absolute source. */
export function publicSubpaths() {
  const jsr = JSON.parse(readFileSync(join(root, 'jsr.json'), 'utf8'));
  return Object.fromEntries(
    Object.entries(jsr.exports)
      .filter(([subpath]) => subpath !== '.' && subpath !== './node')
      .map(([subpath, source]) => [subpath, resolve(root, source)]),
  );
}

/** `./kv` → `consulate/kv`. */
const specifier = (subpath) => (subpath === '.' ? 'consulate' : `consulate/${subpath.slice(2)}`);

/**
 * Every path of a description, in its order: `{ path, fn, kind }` with `kind` `bound` (a client-first
 * function), `unbound` (a helper used as it is) or `recipe` (an entry made per client; `fn` is each
 * function it is built on).
 */
export function facadeEntries(description, prefix = 'consul') {
  const out = [];
  for (const [name, entry] of Object.entries(description)) {
    const path = `${prefix}.${name}`;
    if (typeof entry === 'function') out.push({ path, fn: entry, kind: 'bound' });
    else if ('~make' in entry) {
      const covers = entry['~covers'];
      if (covers.length === 0) out.push({ path, fn: entry['~make'](undefined), kind: 'unbound' });
      else for (const fn of covers) out.push({ path, fn, kind: 'recipe' });
    } else out.push(...facadeEntries(entry, path));
  }
  return out;
}

/** The TypeScript program over the public subpaths, and a lookup of each subpath's exported declarations. */
function program(subpaths) {
  const files = Object.values(subpaths);
  const prog = ts.createProgram(files, {
    allowImportingTsExtensions: true,
    noEmit: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: [],
  });
  const checker = prog.getTypeChecker();
  /** subpath → export name → the function's declaration. */
  const exports = new Map();
  for (const [subpath, file] of Object.entries(subpaths)) {
    const source = prog.getSourceFile(file);
    const module = source && checker.getSymbolAtLocation(source);
    const byName = new Map();
    for (const symbol of module ? checker.getExportsOfModule(module) : []) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const declaration = target.declarations?.find((d) => ts.isFunctionDeclaration(d));
      if (declaration) byName.set(symbol.name, declaration);
    }
    exports.set(subpath, byName);
  }
  return { checker, exports };
}

/**
 * The endpoints an exported function of `file` calls, as the map shows them (for tests on fixtures).
 * `followed` is the pattern of the files whose functions calls are followed into.
 */
export function endpointsOfExport(file, name, followed = FOLLOWED) {
  const { checker, exports } = program({ '.': file });
  const declaration = exports.get('.').get(name);
  if (!declaration) throw new Error(`${file} exports no function ${name}`);
  return endpointsOf({ checker, followed }, declaration);
}

/** The function declaration an identifier (a callee) refers to, when it is one of src/'s functions that calls are followed into. */
function followedFunction({ checker, followed }, identifier) {
  let symbol = checker.getSymbolAtLocation(identifier);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.declarations?.find((d) => ts.isFunctionDeclaration(d) && d.body);
  return declaration && followed.test(declaration.getSourceFile().fileName) ? declaration : undefined;
}

/**
 * The endpoints (`PUT /v1/acl/token`) a function calls, in source order, from the request objects it
 * builds; a function that builds none is followed into the functions it calls. `bindings` maps the
 * function's parameters to the caller's argument renderings.
 */
function endpointsOf(context, fn, bindings = new Map(), depth = 0) {
  const scope = { context, fn, bindings };
  const found = [];
  const calls = [];
  const visit = (node) => {
    // an error's `{ method, path }` (`new NotFoundError(…, { method: 'PUT', path })`) describes, it does not request
    if (ts.isNewExpression(node)) return;
    if (ts.isObjectLiteralExpression(node)) {
      const props = new Map();
      for (const p of node.properties) if ((ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && p.name && ts.isIdentifier(p.name)) props.set(p.name.text, p);
      if (props.has('path') && [...props.keys()].some((k) => REQUEST_KEYS.has(k))) {
        const value = (p) => (ts.isShorthandPropertyAssignment(p) ? p.name : p.initializer);
        const method = props.has('method') ? render(scope, value(props.get('method'))) : 'GET';
        found.push(`${method} /v1/${render(scope, value(props.get('path')))}`);
      }
    }
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) calls.push(node);
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  if (found.length === 0 && depth < 6) {
    for (const call of calls) {
      const callee = followedFunction(context, call.expression);
      if (!callee || callee === fn) continue;
      const inner = new Map();
      callee.parameters.forEach((parameter, i) => {
        const argument = call.arguments[i];
        if (ts.isIdentifier(parameter.name) && argument) inner.set(parameter.name.text, () => render(scope, argument));
      });
      found.push(...endpointsOf(context, callee, inner, depth + 1));
    }
  }
  return [...new Set(found)];
}

/** A path (or method) expression as text: literals as they are, path arguments as `:name`. */
function render(scope, expression) {
  const { context, fn, bindings } = scope;
  const { checker } = context;
  const e = expression;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isTemplateExpression(e)) return e.head.text + e.templateSpans.map((s) => render(scope, s.expression) + s.literal.text).join('');
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) return render(scope, e.expression);
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return render(scope, e.left) + render(scope, e.right);
  if (ts.isIdentifier(e)) {
    const name = e.text;
    if (bindings.has(name)) return bindings.get(name)();
    const symbol = ts.isShorthandPropertyAssignment(e.parent) ? checker.getShorthandAssignmentValueSymbol(e.parent) : checker.getSymbolAtLocation(e);
    const declaration = symbol?.declarations?.[0];
    if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer && ts.isIdentifier(declaration.name)) {
      return render(scope, declaration.initializer);
    }
    return `:${name}`;
  }
  // a field of an object (`held.session`): named after the field
  if (ts.isPropertyAccessExpression(e)) return `:${e.name.text}`;
  // a method call on a value (`prefix.replace(/\/+$/, '')`): the value, tidied
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) return render(scope, e.expression.expression);
  if (ts.isCallExpression(e) && ts.isIdentifier(e.expression)) {
    const callee = followedFunction(context, e.expression);
    const returned = callee?.body?.statements.find((s) => ts.isReturnStatement(s) && s.expression);
    if (callee && returned) {
      const inner = new Map();
      callee.parameters.forEach((parameter, i) => {
        const argument = e.arguments[i];
        if (ts.isIdentifier(parameter.name) && argument) inner.set(parameter.name.text, () => render(scope, argument));
      });
      return render({ context, fn: callee, bindings: inner }, returned.expression);
    }
    // a check or an escape of its first argument (`pathSegment(id, 'id')`, `encodeURIComponent(id)`, `normalizeKey(key)`)
    if (!callee && e.arguments[0]) return render(scope, e.arguments[0]);
  }
  // anything else cannot be read statically: marked, and the test fails on it
  return `:?${e.getText(fn.getSourceFile())}?`;
}

/**
 * The rows of the map, in the facade's order: `{ path, names, subpath, endpoints, kind }` (`names`
 * empty and `subpath` undefined when no public subpath exports the function; `endpoints` empty when
 * none was found).
 */
export async function apiMapRows() {
  const rows = [];
  for (const row of await unmergedRows()) {
    const last = rows.at(-1);
    // a recipe entry built on several functions (`consul.lock`: `lock`, `withLock`) is one row
    if (last && last.path === row.path && last.subpath === row.subpath) {
      last.names.push(...row.names);
      last.endpoints = [...new Set([...last.endpoints, ...row.endpoints])];
    } else rows.push(row);
  }
  return rows;
}

async function unmergedRows() {
  const { consulFacade } = await import(pathToFileURL(join(root, 'src/consul.ts')).href);
  const subpaths = publicSubpaths();
  const modules = {};
  for (const [subpath, file] of Object.entries(subpaths)) modules[subpath] = await import(pathToFileURL(file).href);
  const { checker, exports } = program(subpaths);
  return facadeEntries(consulFacade).map(({ path, fn, kind }) => {
    // the subpath of the facade group first (consul.acl.* → consulate/acl), then any other one
    const group = `./${path.split('.')[1]}`;
    const order = [group, ...Object.keys(modules).filter((s) => s !== group)];
    for (const subpath of order) {
      const names = Object.entries(modules[subpath] ?? {}).filter(([, value]) => value === fn).map(([name]) => name);
      // `remove` is exported as `delete`: show the name an import uses
      const name = names.find((n) => n === path.split('.').at(-1)) ?? names[0];
      if (name === undefined) continue;
      const declaration = exports.get(subpath)?.get(name);
      const endpoints = kind === 'unbound' || !declaration ? [] : endpointsOf({ checker, followed: FOLLOWED }, declaration);
      return { path, names: [name], subpath: specifier(subpath), endpoints, kind };
    }
    return { path, names: [], subpath: undefined, endpoints: [], kind };
  });
}

/** The map as a Markdown table. */
export function renderApiMap(rows) {
  const lines = [
    '| facade | function | import from | Consul endpoint |',
    '| --- | --- | --- | --- |',
  ];
  const what = (row) => {
    if (row.kind === 'unbound') return 'none (computed locally)';
    const endpoints = row.endpoints.map((e) => `\`${e}\``).join('<br>');
    if (row.kind !== 'recipe') return endpoints;
    return row.endpoints.length === 0 ? 'recipe: blocking queries on the read it is given' : `recipe on ${endpoints}`;
  };
  for (const row of rows) {
    const names = row.names.length === 0 ? '?' : row.names.map((n) => `\`${n}\``).join(', ');
    lines.push(`| \`${row.path}\` | ${names} | \`${row.subpath ?? '?'}\` | ${what(row)} |`);
  }
  return lines.join('\n');
}

/** `readme` with the text between the markers replaced by `table`. */
export function withApiMap(readme, table) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end === -1 || end < start) throw new Error(`README.md needs the markers ${START} and ${END}, in that order`);
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = join(root, 'README.md');
  const readme = readFileSync(file, 'utf8');
  const updated = withApiMap(readme, renderApiMap(await apiMapRows()));
  if (process.argv.includes('--check')) {
    console.log(updated === readme ? 'README.md API map: up to date' : 'README.md API map: out of date (run npm run api-map)');
    process.exitCode = updated === readme ? 0 : 1;
  } else if (updated !== readme) {
    writeFileSync(file, updated);
    console.log('README.md API map: rewritten');
  } else {
    console.log('README.md API map: up to date');
  }
}
