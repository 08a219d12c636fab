// The main entry must run in browsers, Deno, Bun and workers: nothing it imports (statically or
// dynamically) may reach a Node built-in or undici, or touch `process` / `Buffer`. Only src/node and
// src/cli may. This walks the real import graph of the source files.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const src = join(root, 'src');
const builtins = new Set(builtinModules);

/** Source without comments (strings are kept: an import specifier is one). */
function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Every module specifier a file imports or re-exports, statically or with `import()`. */
function specifiers(code: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bexport\s+(?:type\s+)?(?:\*|\{[^}]*\})\s*(?:as\s+\w+\s+)?from\s+['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) out.push(match[1]!);
  return out;
}

/** What is wrong with one file's code for an isomorphic module. */
function violations(code: string): string[] {
  const clean = stripComments(code);
  const found: string[] = [];
  for (const spec of specifiers(clean)) {
    const bare = spec.split('/')[0]!;
    if (spec.startsWith('node:') || builtins.has(spec) || builtins.has(bare)) found.push(`imports Node built-in "${spec}"`);
    if (spec === 'undici' || spec.startsWith('undici/')) found.push(`imports "${spec}"`);
  }
  if (/(?<![\w$.'"])process\s*(?:\.|\?\.|\[)/.test(clean)) found.push('uses process');
  if (/(?<![\w$.'"])Buffer\b/.test(clean)) found.push('uses Buffer');
  if (/types=["']node["']/.test(code)) found.push('references Node types');
  return found;
}

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => join(dir, f));
}

/** Walks the static (and dynamic) import graph from the entry files; returns every local file reached. */
function importGraph(entries: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (graph.has(file)) continue;
    const code = readFileSync(file, 'utf8');
    const local: string[] = [];
    for (const spec of specifiers(stripComments(code))) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      expect(existsSync(target), `${relative(root, file)} imports missing ${spec}`).toBe(true);
      local.push(target);
      queue.push(target);
    }
    graph.set(file, local);
  }
  return graph;
}

describe('isomorphic main entry', () => {
  it('the detector catches what it is meant to catch', () => {
    expect(violations(`import { readFile } from 'node:fs';`)).toEqual(['imports Node built-in "node:fs"']);
    expect(violations(`import fs from "fs";`)).toEqual(['imports Node built-in "fs"']);
    expect(violations(`import { Agent } from 'undici';`)).toEqual(['imports "undici"']);
    expect(violations(`export { x } from 'node:path';`)).toEqual(['imports Node built-in "node:path"']);
    expect(violations(`const m = await import('node:tls');`)).toEqual(['imports Node built-in "node:tls"']);
    expect(violations(`const e = process.env.X;`)).toEqual(['uses process']);
    expect(violations(`const b = Buffer.from('x');`)).toEqual(['uses Buffer']);
    expect(violations(`/// <reference types="node" />`)).toEqual(['references Node types']);
    // comments, other identifiers and web APIs are fine
    expect(violations(`// process.env is read by consulate/node\nconst processed = 1; const a = new TextEncoder(); import ky from 'ky';`)).toEqual([]);
  });

  it('src/index.ts and every core, endpoint and recipe module import no Node built-in or undici and use no process/Buffer', () => {
    const entries = [
      join(src, 'index.ts'),
      ...tsFiles(join(src, 'core')),
      ...tsFiles(join(src, 'endpoints')),
      ...tsFiles(join(src, 'recipes')),
    ];
    const graph = importGraph(entries);
    // the walk really follows imports: the entry reaches the client, the transport and the KV endpoints
    const reached = [...graph.keys()].map((f) => relative(src, f));
    expect(reached).toEqual(expect.arrayContaining(['index.ts', 'consul.ts', 'core/client.ts', 'core/http.ts', 'endpoints/kv.ts']));

    const problems: string[] = [];
    for (const file of graph.keys()) {
      const rel = relative(src, file);
      if (rel.startsWith('node/') || rel.startsWith('cli/')) problems.push(`${rel} is reached from the isomorphic entry`);
      for (const problem of violations(readFileSync(file, 'utf8'))) problems.push(`${rel}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });

  it('consulate/node uses Node built-ins, not undici (and is not reached from the main entry)', () => {
    const graph = importGraph([join(src, 'node', 'index.ts')]);
    const problems = [...graph.keys()].flatMap((file) => violations(readFileSync(file, 'utf8')));
    expect(problems).toEqual(expect.arrayContaining(['imports Node built-in "node:http"', 'imports Node built-in "node:https"', 'imports Node built-in "node:tls"']));
    expect(problems).not.toContain('imports "undici"');
  });
});
