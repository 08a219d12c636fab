// The runtime-neutral suite as an edge function: a module Worker (`export default { fetch }`) for
// Cloudflare's workerd, and the same handler on `globalThis` for Vercel's edge runtime (@edge-runtime/vm
// evaluates scripts, not modules). Bundled by ./edge.mjs with esbuild from source as written, or with
// `../../src/index.ts` and the recipe sources (./recipes.ts) redirected to the package's built files
// (./entries.mjs).
//
//   GET /suite?address=http://127.0.0.1:8500&runtime=workerd-src  → the suite's SuiteSummary as JSON
//   GET /shared?address=…&step=1|2&runtime=workerd|edge-runtime      → a module-scope client and a module-scope
//                                                                       recipe (discovery) used by two requests
//
// Each response is the JSON summary; the suite's lines go to console.log (workerd and the vm print them).
import * as lib from '../../src/index.ts';
import { describe, eq, rejects } from './assert.ts';
import { recipes } from './recipes.ts';
import type { SuiteSummary } from './suite.ts';
import { runSuite } from './suite.ts';

/**
 * One client for the whole isolate, made on the first request and reused by later ones: what a Worker
 * written the usual way does (a client at module scope). workerd refuses I/O objects (a stream, a
 * pending fetch) that cross from one request to another, so this checks the client holds none.
 */
let shared: { consul: lib.Consul; key: string } | undefined;

async function sharedClient(address: string, step: string): Promise<void> {
  if (step === '1') {
    const key = `rt/edge-shared-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
    shared = { consul: new lib.Consul({ address }), key };
    await shared.consul.kv.set(key, 'from the first request');
    // a watch left open by this request must not break the next one
    const iterator = shared.consul.watch.key(key, { wait: '5s' });
    await iterator.next();
    await iterator.return();
  } else {
    if (!shared) throw new Error('step 2 ran in a new isolate: the module-scope client is gone');
    const { data } = await shared.consul.kv.get(shared.key);
    if (data !== 'from the first request') throw new Error(`read ${JSON.stringify(data)}`);
    await shared.consul.kv.delete(shared.key);
  }
}

/**
 * A recipe at module scope, started in one request and used in the next: what a Worker that discovers a
 * service once per isolate would do. Its background watch belongs to the request that started it. On
 * workerd that request's I/O ends with it: the set stops following Consul (frozen, no error) and `stop()`
 * throws workerd's "Cannot perform I/O on behalf of a different request" — what the README's runtime table
 * says. The edge runtime has no such rule: the set follows health and `stop()` resolves.
 */
let sharedDiscovery: { consul: lib.Consul; id: string; instances: ReturnType<typeof recipes.discovery.discovery> } | undefined;

async function sharedRecipe(address: string, step: string, runtime: string): Promise<void> {
  if (step === '1') {
    const consul = new lib.Consul({ address });
    const name = `rt-edge-shared-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
    const id = `${name}-1`;
    await consul.agent.service.register({ Name: name, ID: id, Check: { CheckID: `${id}-ttl`, TTL: '60s' } });
    await consul.agent.check.ttlPass(`${id}-ttl`);
    sharedDiscovery = { consul, id, instances: recipes.discovery.discovery(consul.client, name, { wait: '10s' }) };
    eq((await sharedDiscovery.instances.ready()).length, 1, 'instances in the first request');
    return;
  }
  if (!sharedDiscovery) throw new Error('step 2 ran in a new isolate: the module-scope discovery is gone');
  const { consul, id, instances } = sharedDiscovery;
  try {
    await consul.agent.check.ttlFail(`${id}-ttl`);
    if (runtime === 'workerd') {
      await new Promise((r) => setTimeout(r, 500));
      eq(instances.instances().length, 1, 'the set, frozen since the first request ended');
      await rejects(instances.stop(), (e) => e instanceof Error, 'stop() in another request', /Cannot perform I\/O on behalf of a different request/);
    } else {
      const deadline = Date.now() + 5000;
      while (instances.instances().length !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      eq(instances.instances().length, 0, 'the set after the instance turned critical');
      await instances.stop();
    }
  } finally {
    await consul.agent.service.deregister(id);
  }
}

/** Runs the module-scope checks of one step; one result each. */
async function sharedSteps(address: string, step: string, runtime: string): Promise<SuiteSummary> {
  const summary: SuiteSummary = { passed: 0, failed: 0, skipped: 0, failures: [] };
  const checks: [string, () => Promise<void>][] = [
    [`a client made in one request is used by the next one (step ${step})`, () => sharedClient(address, step)],
    [
      runtime === 'workerd'
        ? `consulate/discovery started in one request: frozen in the next, whose stop() throws workerd's cross-request I/O error (step ${step})`
        : `consulate/discovery started in one request keeps following health in the next, and stops there (step ${step})`,
      () => sharedRecipe(address, step, runtime),
    ],
  ];
  for (const [name, run] of checks) {
    try {
      await run();
      summary.passed++;
      console.log(`ok - ${name}`);
    } catch (error) {
      summary.failed++;
      summary.failures.push(`${name}: ${describe(error)}`);
      console.log(`not ok - ${name}\n    ${describe(error)}`);
    }
  }
  return summary;
}

async function handle(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const address = url.searchParams.get('address');
  if (!address) return new Response('address= is required', { status: 400 });
  if (url.pathname === '/shared') return Response.json(await sharedSteps(address, url.searchParams.get('step') ?? '1', url.searchParams.get('runtime') ?? 'edge'));
  if (url.pathname !== '/suite') return new Response('not found', { status: 404 });
  const summary = await runSuite({
    lib,
    recipes,
    address,
    runtime: url.searchParams.get('runtime') ?? 'edge',
    log: (line) => console.log(line),
  });
  return Response.json(summary);
}

(globalThis as { __consulateEdgeHandler?: typeof handle }).__consulateEdgeHandler = handle;

export default { fetch: handle };
