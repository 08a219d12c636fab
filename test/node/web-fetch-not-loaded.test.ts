// consulate/node's transport never makes Node load its web fetch (the internal undici: ~20 ms of CPU and,
// in a short process, a lingering compile of its WebAssembly parser): a kv get through createNodeClient in
// a fresh CommonJS process (as the CLI bin is) leaves it unloaded. On Node 22+ even reading the `Response`
// global's property descriptor loads it, which the transport used to do for every answer (this test failed
// there: checked with Node 22.23; on Node 20 that read loads nothing). (An ES module importing node:http
// loads it on Node 22 whatever consulate does.) createNodeFetch users do get web objects.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'consulate-web-fetch-'));
const script = join(dir, 'probe.cjs');

// prints whether Node's web fetch was loaded after a kv get (and, with "fetch", after createNodeFetch)
const source = `
import { createNodeClient, createNodeFetch } from './src/node/index.ts';
import { get, set } from './src/endpoints/kv.ts';
const loaded = () => process.moduleLoadList.some((name) => name.includes('internal/deps/undici/undici'));
async function main() {
  const client = createNodeClient({ address: process.argv[2] });
  await set(client, 'web-fetch-probe', 'x');
  const { data } = await get(client, 'web-fetch-probe');
  const report = { value: data, afterClient: loaded() };
  await client.close();
  if (process.argv[3] === 'fetch') {
    const fetch = createNodeFetch();
    const response = await fetch(process.argv[2] + '/v1/status/leader');
    await response.text();
    report.instanceOfResponse = response instanceof Response;
    await fetch.close();
  }
  console.log(JSON.stringify(report));
}
void main();
`;

beforeAll(async () => {
  await build({ stdin: { contents: source, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', outfile: script, logLevel: 'warning' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("consulate/node and Node's web fetch", () => {
  it('a kv get through createNodeClient does not load it', () => {
    const out = JSON.parse(execFileSync(process.execPath, [script, inject('consulAddress')], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(out).toEqual({ value: 'x', afterClient: false });
  });

  it('createNodeFetch answers are web Responses (instanceof Response)', () => {
    const out = JSON.parse(execFileSync(process.execPath, [script, inject('consulAddress'), 'fetch'], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(out).toEqual({ value: 'x', afterClient: false, instanceOfResponse: true });
  });
});
