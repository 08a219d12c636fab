// The import rules of src/ (test/support/imports.mjs): no cycles (type-only imports included), dependencies
// pointing one way (core ← schemas ← endpoints ← recipes ← consul.ts/index.ts, node and cli on top), and no
// endpoint module importing another. Each rule is also shown to fail on a small fixture that breaks it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkImports } from '../support/imports.mjs';

const src = fileURLToPath(new URL('../../src', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'consulate-imports-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let fixtures = 0;
/** Writes a source tree (path → text) into a fresh directory and returns the directory. */
function tree(files: Record<string, string>): string {
  const dir = join(scratch, String(fixtures++));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('import rules', () => {
  it('src/ has no import cycle, no layer inversion and no endpoint importing another endpoint', () => {
    expect(checkImports(src)).toEqual([]);
  });

  it('a clean tree passes (each layer importing the ones below, recipes importing recipes, a group split by sub-area)', () => {
    const dir = tree({
      'core/a.ts': "export const a = 1;\n",
      'schemas/s.ts': "import { a } from '../core/a.ts';\nexport const s = a;\n",
      'endpoints/e.ts': "import type { s } from '../schemas/s.ts';\nexport const e = 1;\n",
      'endpoints/f.ts': "import { a } from '../core/a.ts';\nexport const f = a;\n",
      // one group split by sub-area
      'endpoints/acl.ts': "import { t } from './acl-tokens.ts';\nimport { p } from './acl/policies.ts';\nexport const acl = [t, p];\n",
      'endpoints/acl-tokens.ts': "export const t = 1;\n",
      'endpoints/acl/policies.ts': "export const p = 1;\n",
      'recipes/r.ts': "import { e } from '../endpoints/e.ts';\nexport const r = e;\n",
      'recipes/q.ts': "import { r } from './r.ts';\nexport const q = r;\n",
      'index.ts': "export { q } from './recipes/q.ts';\n",
      'node/n.ts': "import { q } from '../index.ts';\nexport const n = q;\n",
      'cli/c.ts': "import { n } from '../node/n.ts';\nimport { readFileSync } from 'node:fs';\nexport const c = n;\n",
    });
    expect(checkImports(dir)).toEqual([]);
  });

  it('fails on a cycle at run time', () => {
    const dir = tree({
      'recipes/lock.ts': "import { x } from './contention.ts';\nexport const y = x;\n",
      'recipes/contention.ts': "import { y } from './lock.ts';\nexport const x = () => y;\n",
    });
    expect(checkImports(dir)).toEqual(['cycle: recipes/contention.ts → recipes/lock.ts → recipes/contention.ts']);
  });

  it('fails on a cycle made of type-only imports, re-exports and import() types', () => {
    const dir = tree({
      'cli/main.ts': "import type { Locks } from './locks.ts';\nexport type Main = Locks;\n",
      'cli/locks.ts': "export type Locks = import('./other.ts').Other;\n",
      'cli/other.ts': "export type { Main as Other } from './main.ts';\n",
    });
    expect(checkImports(dir)).toEqual(['cycle: cli/locks.ts → cli/other.ts → cli/main.ts → cli/locks.ts']);
  });

  it('fails on an endpoint module importing another endpoint module (even for a type)', () => {
    const dir = tree({
      'endpoints/agent.ts': "export function pathSegment(s: string): string { return s; }\n",
      'endpoints/catalog.ts': "import type { pathSegment } from './agent.ts';\nexport type P = typeof pathSegment;\n",
      'endpoints/txn-core.ts': "export const sendTxn = 1;\n",
      'endpoints/kv.ts': "import { sendTxn } from './txn-core.ts';\nexport const k = sendTxn;\n",
    });
    expect(checkImports(dir)).toEqual([
      'endpoint: endpoints/catalog.ts imports endpoints/agent.ts (move what they share below endpoints/)',
      'endpoint: endpoints/kv.ts imports endpoints/txn-core.ts (move what they share below endpoints/)',
    ]);
  });

  it("fails on a group folder's file importing another group's (sub-files of one group may import each other)", () => {
    const dir = tree({
      'endpoints/acl.ts': "export { t } from './acl/tokens.ts';\n",
      'endpoints/acl/shared.ts': "export const ACL_WRITE = 'w';\n",
      'endpoints/acl/tokens.ts': "import { ACL_WRITE } from './shared.ts';\nexport const t = ACL_WRITE;\n",
      'endpoints/agent.ts': "export { s } from './agent/services.ts';\n",
      'endpoints/agent/services.ts': "import { ACL_WRITE } from '../acl/shared.ts';\nexport const s = ACL_WRITE;\n",
    });
    expect(checkImports(dir)).toEqual([
      'endpoint: endpoints/agent/services.ts imports endpoints/acl/shared.ts (move what they share below endpoints/)',
    ]);
  });

  it('fails on a dependency pointing up (a schema importing an endpoint, core importing node)', () => {
    const dir = tree({
      'endpoints/kv.ts': "export type KVPair = { Key: string };\n",
      'schemas/kv.ts': "import type { KVPair } from '../endpoints/kv.ts';\nexport type Pair = KVPair;\n",
      'node/fetch.ts': "export const f = 1;\n",
      'core/http.ts': "import { f } from '../node/fetch.ts';\nexport const h = f;\n",
    });
    expect(checkImports(dir).sort()).toEqual([
      'layer: core/http.ts imports node/fetch.ts (core must not depend on node)',
      'layer: schemas/kv.ts imports endpoints/kv.ts (schemas must not depend on endpoints)',
    ]);
  });
});
