// Public subpaths export only public API: every export of a subpath (`consulate`, `consulate/kv`…, as
// jsr.json lists them, types included) carries TSDoc without `@internal`, and every function a subpath
// exports is an endpoint function (`verb(client, …)`) or one of the few public utilities listed below.
// Internal helpers (path segments, tag lists, definition bodies, session id/TTL checks…) live in
// internal modules (src/core, src/schemas, recipes/contention.ts) that are not subpaths.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Functions a subpath may export without taking a client first: the public utilities, by subpath.
 * Guards (`is…Error`) are allowed on the root entry by name pattern.
 */
const PUBLIC_UTILITIES: Record<string, readonly string[]> = {
  '.': ['createClient', 'verifySnapshot'],
  './coordinate': ['rtt'],
  './event': ['payloadText', 'idToIndex'],
  './txn': ['builder', 'splitBatches'],
  './snapshot': ['verify'],
  './node': ['createNodeFetch', 'createNodeTransport', 'createNodeClient', 'fromEnv'],
};
const GUARD = /^is[A-Z]\w*Error$/;

/** Whether an export specifier (or its declaration) is type-only: nothing of it exists at run time. */
function typeOnly(symbol: ts.Symbol): boolean {
  const declaration = symbol.declarations?.[0];
  if (declaration === undefined) return false;
  if (ts.isExportSpecifier(declaration)) return declaration.isTypeOnly || declaration.parent.parent.isTypeOnly;
  return ts.isTypeAliasDeclaration(declaration) || ts.isInterfaceDeclaration(declaration);
}

/**
 * The problems of the public surface of `entries` (subpath → source file): `subpath: name …` strings for an
 * export without TSDoc, one marked `@internal`, and a function that neither takes `client` first nor is in
 * `utilities`.
 */
function surfaceProblems(entries: Record<string, string>, utilities: Record<string, readonly string[]>): string[] {
  const program = ts.createProgram(Object.values(entries), {
    allowImportingTsExtensions: true,
    noEmit: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.esnext.disposable.d.ts'],
    types: ['node'],
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const problems: string[] = [];
  for (const [subpath, file] of Object.entries(entries)) {
    const source = program.getSourceFile(file);
    const module = source && checker.getSymbolAtLocation(source);
    if (module === undefined) {
      problems.push(`${subpath}: ${file} not found`);
      continue;
    }
    for (const exported of checker.getExportsOfModule(module)) {
      const name = exported.name;
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const doc = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
      const tags = symbol.getJsDocTags(checker).map((tag) => tag.name);
      if (tags.includes('internal')) problems.push(`${subpath}: ${name} is @internal`);
      else if (doc === '') problems.push(`${subpath}: ${name} has no TSDoc`);
      if (typeOnly(exported) || !(symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Variable))) continue;
      const [signature] = checker.getTypeOfSymbol(symbol).getCallSignatures();
      if (signature === undefined) continue; // a constant or a description object
      if (signature.parameters[0]?.name === 'client') continue; // an endpoint function
      if (utilities[subpath]?.includes(name) || (subpath === '.' && GUARD.test(name))) continue;
      problems.push(`${subpath}: ${name} is a helper, not an endpoint function (first parameter: ${signature.parameters[0]?.name ?? 'none'})`);
    }
  }
  return problems;
}

describe('public subpaths export only public API', () => {
  it('every export of every subpath is documented, not @internal, and no helper function leaks', () => {
    const jsr = JSON.parse(readFileSync(join(root, 'jsr.json'), 'utf8')) as { exports: Record<string, string> };
    const entries = Object.fromEntries(Object.entries(jsr.exports).map(([subpath, source]) => [subpath, join(root, source)]));
    expect(surfaceProblems(entries, PUBLIC_UTILITIES)).toEqual([]);
  });

  describe('the check fails when the rule is broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'consulate-surface-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reports an @internal export, an undocumented one and a helper function', () => {
      writeFileSync(
        join(dir, 'shared.ts'),
        [
          '/** Escapes one path segment. @internal */',
          'export function pathSegment(value: string): string { return encodeURIComponent(value); }',
          '/** Checks a session id. */',
          'export function checkSessionId(id: string): string { return id; }',
        ].join('\n'),
      );
      writeFileSync(
        join(dir, 'group.ts'),
        [
          "export { pathSegment, checkSessionId } from './shared.ts';",
          '/** Reads one thing. */',
          'export async function read(client: object, id: string): Promise<string> { return id; }',
          '/** Builds something (a public utility). */',
          'export function builder(): string[] { return []; }',
          'export const LIMIT = 64;',
          '/** A type. */',
          'export interface Thing { id: string }',
          'export type Other = string;',
        ].join('\n'),
      );
      expect(surfaceProblems({ './group': join(dir, 'group.ts') }, { './group': ['builder'] }).sort()).toEqual([
        './group: LIMIT has no TSDoc',
        './group: Other has no TSDoc',
        './group: checkSessionId is a helper, not an endpoint function (first parameter: id)',
        './group: pathSegment is @internal',
        './group: pathSegment is a helper, not an endpoint function (first parameter: value)',
      ]);
    });
  });
});
