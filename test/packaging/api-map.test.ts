// The README's API map (test/packaging/api-map.mjs) is generated from the code: this fails when README.md's
// section differs from what the code gives now (run `npm run api-map`), when a facade function has no
// subpath or no endpoint to show, and checks the endpoint reading on a fixture and on known rows.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { apiMapRows, END, endpointsOfExport, renderApiMap, START, withApiMap } from './api-map.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const rows = await apiMapRows();

describe('the API map', () => {
  it("is README.md's section, as generated now (otherwise run `npm run api-map`)", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(withApiMap(readme, renderApiMap(rows)) === readme, 'README.md API map is out of date: run `npm run api-map`').toBe(true);
  });

  it('gives every facade path its function, its subpath and, unless it is a local helper, its endpoints', () => {
    expect(rows.length).toBeGreaterThan(150);
    const problems: string[] = [];
    for (const row of rows) {
      if (row.names.length === 0 || row.subpath === undefined) problems.push(`${row.path}: no public subpath exports its function`);
      if (row.kind === 'unbound') continue;
      // consul.watch runs whatever read it is given: the only entry without endpoints of its own
      if (row.endpoints.length === 0 && row.path !== 'consul.watch') problems.push(`${row.path}: no endpoint found`);
      for (const endpoint of row.endpoints) {
        if (!/^(GET|PUT|POST|DELETE) \/v1\/[\w\-./:]*$/.test(endpoint)) problems.push(`${row.path}: unreadable endpoint ${endpoint}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("shows Consul's endpoints for known paths", () => {
    const endpoints = (path: string): string[] | undefined => rows.find((row) => row.path === path)?.endpoints;
    const names = (path: string): string[] | undefined => rows.find((row) => row.path === path)?.names;
    expect(endpoints('consul.acl.token.create')).toEqual(['PUT /v1/acl/token']);
    expect(names('consul.acl.token.create')).toEqual(['tokenCreate']);
    expect(endpoints('consul.acl.token.update')).toEqual(['PUT /v1/acl/token/:accessorId']);
    expect(endpoints('consul.acl.legacy.read')).toEqual(['GET /v1/acl/info/:id']);
    expect(endpoints('consul.agent.service.register')).toEqual(['PUT /v1/agent/service/register']);
    expect(endpoints('consul.agent.check.ttlPass')).toEqual(['PUT /v1/agent/check/pass/:id']);
    expect(endpoints('consul.health.connect')).toEqual(['GET /v1/health/connect/:name']);
    expect(endpoints('consul.kv.delete')).toEqual(['DELETE /v1/kv/:key']);
    expect(names('consul.kv.delete')).toEqual(['delete']);
    expect(endpoints('consul.txn.tryRun')).toEqual(['PUT /v1/txn']);
    expect(endpoints('consul.session.renewPeriodically')).toEqual(['PUT /v1/session/renew/:id', 'PUT /v1/session/destroy/:id']);
    expect(rows.find((row) => row.path === 'consul.session.renewPeriodically')?.subpath).toBe('consulate/renewer');
    expect(rows.find((row) => row.path === 'consul.lock')).toMatchObject({ names: ['lock', 'withLock'], subpath: 'consulate/lock', kind: 'recipe' });
    expect(rows.find((row) => row.path === 'consul.txn.builder')).toMatchObject({ names: ['builder'], endpoints: [], kind: 'unbound' });
  });

  it('replaces only the text between the markers, and needs them', () => {
    expect(withApiMap(`a\n${START}\nold\n${END}\nb\n`, 'new')).toBe(`a\n${START}\nnew\n${END}\nb\n`);
    expect(() => withApiMap('no markers', 'new')).toThrow(/needs the markers/);
  });
});

describe('reading the endpoint from the code', () => {
  const dir = mkdtempSync(join(tmpdir(), 'consulate-api-map-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'group.ts');
  // like core/path.ts: a file whose functions are not followed (only group.ts's are)
  writeFileSync(join(dir, 'path.ts'), "export function pathSegment(value: string, what: string): string { return what === '' ? '' : encodeURIComponent(value); }\n");
  writeFileSync(
    file,
    [
      "import { pathSegment } from './path.ts';",
      'async function requestJson(client: unknown, spec: object): Promise<unknown> { return [client, spec]; }',
      "export async function thingCreate(client: unknown, input: object) { return requestJson(client, { method: 'PUT', path: 'things', json: input }); }",
      "export async function thingRead(client: unknown, id: string, options = {}) { const path = `things/${pathSegment(id, 'id')}`; return requestJson(client, { path, options }); }",
      "function ttl(client: unknown, verb: string, id: string) { return requestJson(client, { method: 'PUT', path: `things/${verb}/${pathSegment(id, 'id')}`, options: {} }); }",
      "export async function thingPass(client: unknown, id: string) { return ttl(client, 'pass', id); }",
      'export async function thingLocal(client: unknown) { return client; }',
      "export async function thingError(client: unknown, id: string) { throw new Error('gone', { cause: { method: 'PUT', path: `things/${id}` } }); }",
    ].join('\n'),
  );
  const followed = /group\.ts$/;

  it('reads the method (GET when none is given) and the path, with path arguments as :name', () => {
    expect(endpointsOfExport(file, 'thingCreate', followed)).toEqual(['PUT /v1/things']);
    expect(endpointsOfExport(file, 'thingRead', followed)).toEqual(['GET /v1/things/:id']);
  });

  it('follows a helper with its parameters bound to the arguments', () => {
    expect(endpointsOfExport(file, 'thingPass', followed)).toEqual(['PUT /v1/things/pass/:id']);
  });

  it('finds nothing where no request is built (an error describing one does not count)', () => {
    expect(endpointsOfExport(file, 'thingLocal', followed)).toEqual([]);
    expect(endpointsOfExport(file, 'thingError', followed)).toEqual([]);
  });
});
