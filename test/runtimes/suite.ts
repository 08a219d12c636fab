// The runtime-neutral suite of the runtime matrix: plain TypeScript using only web APIs (fetch, URL,
// TextEncoder, AbortController, crypto) and ./assert.ts, run against a real Consul agent by Node, Deno,
// Bun, workerd, the edge runtime and a browser page, from source (src/index.ts, src/recipes/*.ts) and from
// the built package (dist/index.js, dist/recipes/*.js: the files package.json exports for each subpath).
// Entry points: ./entry.ts (Node, Deno, Bun), ./edge-entry.ts, ./browser-entry.ts; driver: ./run.mjs.
import * as v from 'valibot';
import type * as Consulate from '../../src/index.ts';
import type * as Discovery from '../../src/recipes/discovery.ts';
import type * as Election from '../../src/recipes/election.ts';
import type * as KVSync from '../../src/recipes/kv-sync.ts';
import type * as LiveConfig from '../../src/recipes/live-config.ts';
import type * as Registration from '../../src/recipes/registration.ts';
import { describe, eq, ok, rejects } from './assert.ts';

/** The package's main entry, from source or from dist. */
export type Lib = typeof Consulate;

/** The recipe subpaths the suite uses: its name for each → the package's export (`consulate/discovery`…). */
export const RECIPE_SUBPATHS = {
  discovery: './discovery',
  registration: './registration',
  liveConfig: './live-config',
  election: './election',
  kvSync: './kv-sync',
} as const;

/** The recipe modules, from source or from dist (the same target as {@link Lib}). */
export interface Recipes {
  discovery: typeof Discovery;
  registration: typeof Registration;
  liveConfig: typeof LiveConfig;
  election: typeof Election;
  kvSync: typeof KVSync;
}

/** What a runtime hands the suite. */
export interface SuiteContext {
  /** The module under test. */
  lib: Lib;
  /** The recipe subpaths under test ({@link RECIPE_SUBPATHS}). */
  recipes: Recipes;
  /** The agent's address as the runtime reaches it (the CORS proxy's origin in a browser). */
  address: string;
  /** `/consul` behind the CORS proxy. */
  pathPrefix?: string | undefined;
  /**
   * In a browser page: the agent's own address, which sends no CORS headers (the page reaches the API
   * through the proxy at `address`). Elsewhere undefined.
   */
  corslessAddress?: string | undefined;
  /** A label such as `deno/src`, used in key prefixes. */
  runtime: string;
  /** Prints one line. */
  log(line: string): void;
}

/** Counts of one run. */
export interface SuiteSummary {
  passed: number;
  failed: number;
  skipped: number;
  failures: string[];
}

/** The marker line a runtime prints last, read by run.mjs. */
export const RESULT_MARKER = '@@consulate-runtime-result ';

interface TestCase {
  name: string;
  run(): Promise<void>;
  /** Why the test cannot run here (e.g. a module that has not landed). */
}

const GO_LOCK_FLAG = 0x2ddccbc058a50c18n; // 3304740253564472344 > 2^53
const MAX_U64 = 18446744073709551615n;
const SECRET = 'f3b2c1d0-secret-token-never-printed';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `condition()` holds (polling every 20 ms), failing with `what` after `timeout` ms. */
async function until(condition: () => boolean, what: string, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * `promise`, or a rejection naming `what` when it is still pending after `ms` ms: an abort that fails to
 * stop an in-flight read shows as a failure here rather than as a wait of Consul's whole `wait`.
 */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Runs every test sequentially and returns the counts; never throws. */
export async function runSuite(ctx: SuiteContext): Promise<SuiteSummary> {
  const { lib, log, recipes } = ctx;
  const config = { address: ctx.address, ...(ctx.pathPrefix ? { pathPrefix: ctx.pathPrefix } : {}) };
  const client = lib.createClient(config);
  const consul = new lib.Consul(client);
  const kv = consul.kv;
  /**
   * A client whose every `fetch` call is counted: ky without `AbortSignal.any` (the edge runtime) used to
   * send an aborted read again after each backoff (src/core/http.ts, untilAborted).
   */
  const countingClient = (): { consul: InstanceType<Lib['Consul']>; calls: () => number } => {
    let calls = 0;
    const counted = lib.createClient({
      ...config,
      fetch: (input, init) => {
        calls++;
        return fetch(input, init);
      },
    });
    return { consul: new lib.Consul(counted), calls: () => calls };
  };
  const run = `${ctx.runtime.replace(/[^a-z0-9-]/gi, '-')}-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
  let n = 0;
  const prefix = (name: string): string => `rt/${run}/${name}-${n++}/`;
  /** Why a test cannot run: the facade lacks one of these groups (a module that has not landed), or undefined. */
  const tests: TestCase[] = [
    {
      name: 'exports: createClient, Consul, error classes and guards; the client is frozen',
      async run() {
        ok(typeof lib.createClient === 'function' && typeof lib.Consul === 'function', 'createClient/Consul');
        ok(Object.isFrozen(client) && Object.isFrozen(client.config), 'frozen client');
        eq(client.config.apiUrl, `${new URL(ctx.address).origin}${ctx.pathPrefix ?? ''}/v1/`, 'apiUrl');
        const e = new lib.NotFoundError('x', { status: 404 });
        ok(lib.isNotFoundError(e) && lib.isConsulError(e) && e instanceof lib.ConsulError, 'guards');
        ok(!lib.isNotFoundError(new Error('x')), 'guard on a plain error');
      },
    },
    {
      name: 'config errors are thrown by createClient (bad port, scheme, credentials)',
      async run() {
        for (const bad of [{ port: 70000 }, { address: 'ftp://x:1' }, { address: 'http://u:p@h:1' }, { address: 'h:1', port: 1 }]) {
          let error: unknown;
          try {
            lib.createClient(bad);
          } catch (e) {
            error = e;
          }
          ok(lib.isConfigError(error), `ConfigError for ${JSON.stringify(bad)} (got ${describe(error)})`);
        }
      },
    },
    {
      // what the README's runtime table says a user gets where only web fetch exists (edge, browser)
      name: 'limits: a unix:// address and Node-only TLS options are refused by createClient, naming consulate/node',
      async run() {
        const refused = (config: object): unknown => {
          try {
            lib.createClient(config as Parameters<Lib['createClient']>[0]);
          } catch (error) {
            return error;
          }
          return undefined;
        };
        const socket = refused({ address: 'unix:///var/run/consul/http.sock' });
        ok(lib.isConfigError(socket), `ConfigError for a unix:// address (got ${describe(socket)})`);
        ok(/unsupported scheme "unix".*consulate\/node/.test((socket as Error).message), `message names consulate/node: ${(socket as Error).message}`);
        for (const key of ['tls', 'rejectUnauthorized']) {
          const error = refused({ address: 'https://127.0.0.1:8501', [key]: key === 'tls' ? { certFile: 'client.pem' } : false });
          ok(lib.isConfigError(error) && (error as Error).message.includes(key), `ConfigError naming ${key} (got ${describe(error)})`);
        }
      },
    },
    {
      name: 'kv: text, unicode and empty values round-trip; a missing key is undefined with 404 meta',
      async run() {
        const p = prefix('text');
        eq((await kv.set(`${p}a`, 'hello')).data, true, 'set');
        eq((await kv.get(`${p}a`)).data, 'hello', 'get');
        const unicode = 'zürich ✓ 日本 🚀 \u0000 end';
        await kv.set(`${p}u`, unicode);
        eq((await kv.get(`${p}u`)).data, unicode, 'unicode');
        await kv.set(`${p}empty`, '');
        eq((await kv.get(`${p}empty`)).data, '', 'empty');
        const missing = await kv.get(`${p}missing`);
        eq(missing.data, undefined, 'missing');
        eq(missing.meta.status, 404, 'missing status');
        eq(typeof missing.meta.index, 'bigint', 'index type on 404');
      },
    },
    {
      name: 'kv: binary values round-trip byte for byte (all 256 byte values); get() refuses invalid UTF-8',
      async run() {
        const p = prefix('bin');
        const bytes = new Uint8Array(256).map((_, i) => i);
        await kv.set(`${p}bin`, bytes);
        eq((await kv.getBytes(`${p}bin`)).data, bytes, 'getBytes');
        eq((await kv.getRecord(`${p}bin`)).data?.Value, bytes, 'getRecord.Value');
        await kv.set(`${p}ab`, bytes.buffer);
        eq((await kv.getBytes(`${p}ab`)).data, bytes, 'ArrayBuffer value');
        await rejects(kv.get(`${p}bin`), lib.isResponseValidationError, 'get on binary');
      },
    },
    {
      name: 'kv: odd keys (? # % + space, %2F, unicode, quotes) are escaped exactly and listed back',
      async run() {
        const p = prefix('odd');
        const names = ['a?b', 'c#d', 'e%f', 'g+h', 'i j', 'k%2Fl', 'ü/ñ/日本', "m'n(o)*!~", 'p&q=r;s'];
        for (const name of names) await kv.set(p + name, name);
        for (const name of names) eq((await kv.get(p + name)).data, name, `value of ${name}`);
        eq((await kv.keys(p)).data.sort(), names.map((k) => p + k).sort(), 'keys');
        eq((await kv.keys(p, { separator: '/' })).data.sort(), names.filter((k) => !k.includes('/')).map((k) => p + k).concat(`${p}ü/`).sort(), 'keys with separator');
      },
    },
    {
      name: 'kv: keys with // and ./.. segments go through /v1/txn and are never moved',
      async run() {
        const p = prefix('dots');
        const keys = [`${p}a//b`, `${p}./c`, `${p}d/../e`];
        for (const key of keys) eq((await kv.set(key, `v:${key}`, { flags: 7 })).data, true, `set ${key}`);
        for (const key of keys) {
          eq((await kv.get(key)).data, `v:${key}`, `get ${key}`);
          eq((await kv.getRecord(key)).data?.Flags, 7n, `flags of ${key}`);
        }
        eq((await kv.get(`${p}a/b`)).data, undefined, 'nothing at the cleaned path');
        eq((await kv.keys(p)).data.sort(), [...keys].sort(), 'keys');
      },
    },
    {
      name: 'kv: uint64 flags stay exact above 2^53 (Go lock flag, max uint64)',
      async run() {
        const p = prefix('flags');
        await kv.set(`${p}go`, 'x', { flags: GO_LOCK_FLAG });
        await kv.set(`${p}max`, 'x', { flags: MAX_U64 });
        await kv.set(`${p}small`, 'x', { flags: 42 });
        eq((await kv.getRecord(`${p}go`)).data?.Flags, GO_LOCK_FLAG, 'go lock flag');
        eq((await kv.getRecord(`${p}max`)).data?.Flags, MAX_U64, 'max uint64');
        eq((await kv.records(p)).data.map((r) => r.Flags), [GO_LOCK_FLAG, MAX_U64, 42n], 'records flags');
        // what the agent stored, read without the SDK
        const raw = await fetch(`${client.config.apiUrl}kv/${p}max`);
        ok((await raw.text()).includes('18446744073709551615'), 'raw body has the exact digits');
      },
    },
    {
      name: 'kv: bad flags/cas and oversized values throw InputError before anything is sent',
      async run() {
        const p = prefix('bad');
        await rejects(kv.set(`${p}a`, 'x', { flags: -1 }), lib.isInputError, 'negative flags');
        await rejects(kv.set(`${p}a`, 'x', { flags: MAX_U64 + 1n }), lib.isInputError, 'flags > uint64');
        await rejects(kv.set(`${p}a`, 'x', { cas: 1.5 }), lib.isInputError, 'fractional cas');
        await rejects(kv.set(`${p}big`, new Uint8Array(512 * 1024 + 1)), lib.isInputError, 'value over 512 KiB', /512 KiB/);
        eq((await kv.has(`${p}a`)).data, false, 'nothing written');
        eq((await kv.has(`${p}big`)).data, false, 'nothing written (big)');
      },
    },
    {
      name: 'kv: JSON values, check-and-set, records order, find, delete and deleteTree',
      async run() {
        const p = prefix('ops');
        await kv.set(`${p}cfg`, { port: 8080, tags: ['a'], big: 2n ** 64n - 1n });
        eq((await kv.getJSON(`${p}cfg`)).data, { port: 8080, tags: ['a'], big: MAX_U64 }, 'getJSON (uint64 exact)');
        const rec = (await kv.getRecord(`${p}cfg`)).data;
        ok(rec, 'record');
        eq((await kv.set(`${p}cfg`, 'two', { cas: rec.ModifyIndex })).data, true, 'cas with the current index');
        eq((await kv.set(`${p}cfg`, 'three', { cas: rec.ModifyIndex })).data, false, 'cas with a stale index');
        eq((await kv.setRecord(`${p}cfg`, { value: 'x', replace: false })).data, false, 'replace: false on an existing key');
        await Promise.all(['c', 'a', 'b/d', 'b'].map((k) => kv.set(`${p}z/${k}`, k)));
        eq((await kv.records(`${p}z/`)).data.map((r) => r.Key), [`${p}z/a`, `${p}z/b`, `${p}z/b/d`, `${p}z/c`], 'records sorted');
        eq((await kv.find(`${p}z/`, { separator: '/' })).data, { [`${p}z/a`]: 'a', [`${p}z/b`]: 'b', [`${p}z/c`]: 'c' }, 'find one level');
        eq((await kv.delete(`${p}z/a`)).data, true, 'delete');
        eq((await kv.has(`${p}z/a`)).data, false, 'deleted');
        eq((await kv.deleteTree(p)).data, true, 'deleteTree');
        eq((await kv.keys(p)).data, [], 'tree gone');
      },
    },
    {
      name: 'query meta: index (bigint), knownLeader and lastContact are read from the X-Consul-* headers',
      async run() {
        const p = prefix('meta');
        await kv.set(`${p}k`, 'v');
        const { meta } = await kv.get(`${p}k`);
        ok(typeof meta.index === 'bigint' && meta.index > 0n, `index > 0n (got ${String(meta.index)})`);
        eq(meta.knownLeader, true, 'knownLeader');
        eq(meta.lastContact, 0, 'lastContact');
        eq(meta.status, 200, 'status');
      },
    },
    {
      name: 'blocking read: a get with index+wait returns when the key changes, with a higher index',
      async run() {
        const p = prefix('block');
        await kv.set(`${p}k`, 'v1');
        const first = await kv.get(`${p}k`);
        ok(first.meta.index !== undefined, 'index');
        const pending = kv.get(`${p}k`, { index: first.meta.index, wait: '20s' });
        await sleep(150); // let the long poll reach the agent (if not, it returns at once: same result)
        await kv.set(`${p}k`, 'v2');
        const second = await pending;
        eq(second.data, 'v2', 'new value');
        ok(second.meta.index! > first.meta.index, `index moved (${String(first.meta.index)} → ${String(second.meta.index)})`);
      },
    },
    {
      name: 'abort: an AbortSignal stops a blocking read with the caller\'s reason, and the read is not sent again',
      async run() {
        const p = prefix('abort');
        await kv.set(`${p}k`, 'v');
        const { meta } = await kv.get(`${p}k`);
        ok(meta.index !== undefined, 'index');
        const counted = countingClient();
        const controller = new AbortController();
        const reason = new Error('stopped by the test');
        // Consul's wait is 10 s: a read still pending at 8 s was not stopped by the abort
        const pending = counted.consul.kv.get(`${p}k`, { index: meta.index, wait: '10s', signal: controller.signal });
        setTimeout(() => controller.abort(reason), 100);
        await rejects(within(pending, 8000, 'the aborted read'), (e) => e === reason, 'aborted read');
        eq(counted.calls(), 1, 'fetch calls (no retry after the abort)');
      },
    },
    {
      name: 'errors: a Consul 500 becomes ServerError with Consul\'s text, and the token appears nowhere',
      async run() {
        const withToken = lib.createClient({ ...config, token: SECRET, retry: 0 });
        const p = prefix('err');
        const error = await rejects(
          new lib.Consul(withToken).kv.set(`${p}k`, 'x', { acquire: crypto.randomUUID() }),
          lib.isServerError,
          'acquire with an unknown session',
          /invalid session/,
        );
        const e = error as InstanceType<Lib['ServerError']>;
        eq(e.status, 500, 'status');
        eq(e.method, 'PUT', 'method');
        const everything = `${e.message} ${e.path ?? ''} ${e.stack ?? ''} ${JSON.stringify(e)} ${String(e)}`;
        ok(!everything.includes(SECRET), 'token not in the error');
      },
    },
    {
      name: 'errors: an unreachable agent gives NetworkError (no retries for the test)',
      async run() {
        const dead = lib.createClient({ address: 'http://127.0.0.1:1', retry: 0, timeout: 5000 });
        await rejects(new lib.Consul(dead).kv.get('x'), lib.isNetworkError, 'connection refused');
      },
    },
    {
      name: 'session: create with a TTL, info, renew, list, destroy; a TTL under 10 s is refused before sending',
      async run() {
        const session = consul.session;
        const name = `rt-${run}`;
        const { data: id } = await session.create({ Name: name, TTL: '10s', LockDelay: '0s', Behavior: 'delete' });
        ok(/^[0-9a-f-]{36}$/.test(id), `session id ${id}`);
        const info = (await session.read(id)).data;
        eq(info?.Name, name, 'info.Name');
        eq(info?.Behavior, 'delete', 'info.Behavior');
        eq((await session.renew(id)).data?.ID, id, 'renew');
        ok((await session.list()).data.some((s) => s.ID === id), 'listed');
        eq((await session.destroy(id)).data, true, 'destroy');
        eq((await session.read(id)).data, undefined, 'gone');
        await rejects(session.create({ TTL: '5s' }), lib.isInputError, 'TTL 5s', /10s/);
      },
    },
    {
      name: 'lock: acquire (Go\'s lock flags, uint64 > 2^53) holds the key under a session; a second acquire is refused; release frees it',
      async run() {
        const name = `rt-${run}-lock`;
        // the facade locks in the Python consulate's format (flags 0) by default; Go's flags put a bigint on the wire
        const held = await consul.lock.acquire(name, 'holder-1', { flags: lib.LOCK_FLAG_VALUE });
        try {
          const key = `${consul.lock.prefix}/${name}`;
          eq(held.key, key, 'key');
          const pair = (await kv.getRecord(key)).data;
          eq(pair?.Session, held.session, 'held by the lock session');
          eq(pair?.Flags, lib.LOCK_FLAG_VALUE, 'Go lock flag (uint64 > 2^53)');
          eq(lib.LOCK_FLAG_VALUE, GO_LOCK_FLAG, 'LOCK_FLAG_VALUE');
          eq(pair && new TextDecoder().decode(pair.Value), 'holder-1', 'value');
          await rejects(consul.lock.acquire(name, 'holder-2', { flags: lib.LOCK_FLAG_VALUE }), lib.isLockHeldError, 'second acquire');
          eq(held.signal.aborted, false, 'signal not aborted while held');
        } finally {
          await held.release();
        }
        eq(held.signal.aborted, true, 'signal aborted after release');
        eq((await kv.getRecord(held.key)).data?.Session, undefined, 'no session on the key after release');
        eq((await consul.session.read(held.session)).data, undefined, 'the lock session is destroyed');
      },
    },
    {
      name: 'watch: yields the current value, then each change, and stops on return()',
      async run() {
        const p = prefix('watch');
        await kv.set(`${p}k`, 'one');
        const seen: (string | undefined)[] = [];
        const iterator = consul.watch.key(`${p}k`, { wait: '20s' });
        // the next value that differs from the last one seen (a wake-up with the same data is allowed, at most a few)
        const nextChange = async (): Promise<IteratorResult<{ data: string | undefined; meta: { index: bigint | undefined } }, undefined>> => {
          for (let i = 0; i < 5; i++) {
            const r = await iterator.next();
            if (r.done || r.value.data !== seen[seen.length - 1]) {
              seen.push(r.done ? 'done' : r.value.data);
              return r;
            }
          }
          throw new Error(`no change after 5 results (seen ${JSON.stringify(seen)})`);
        };
        try {
          const first = await iterator.next();
          seen.push(first.done ? 'done' : first.value.data);
          const next = nextChange();
          await sleep(150);
          await kv.set(`${p}k`, 'two');
          const second = await next;
          ok(!second.done && !first.done && second.value.meta.index! > first.value.meta.index!, 'index moved');
          const third = nextChange();
          await kv.delete(`${p}k`);
          await third;
        } finally {
          await iterator.return();
        }
        eq(seen, ['one', 'two', undefined], 'values seen');
        eq((await iterator.next()).done, true, 'done after return()');
      },
    },
    {
      name: 'watch: an AbortSignal ends the iteration cleanly while a blocking read is in flight',
      async run() {
        const p = prefix('watch-abort');
        await kv.set(`${p}k`, 'v');
        const counted = countingClient();
        const controller = new AbortController();
        const values: unknown[] = [];
        let callsAtAbort = -1;
        const iterate = async (): Promise<void> => {
          for await (const { data } of counted.consul.watch.key(`${p}k`, { wait: '10s', signal: controller.signal })) {
            values.push(data);
            // abort while the next (blocking) read waits: the key does not change, so it would wait 10 s
            if (values.length === 1) {
              setTimeout(() => {
                callsAtAbort = counted.calls();
                controller.abort();
              }, 150);
            }
          }
        };
        await within(iterate(), 8000, 'the watch after the abort');
        eq(values, ['v'], 'one value, then done');
        ok(callsAtAbort > 1, `the abort came while the blocking read was in flight (fetch calls then: ${callsAtAbort})`);
        eq(counted.calls(), callsAtAbort, 'fetch calls after the abort');
      },
    },
    {
      name: 'services: a registration with a TTL check is seen in the catalog and in health; ttlPass makes it passing',
      async run() {
        const name = `rt-svc-${run}`.toLowerCase();
        const id = `${name}-1`;
        await consul.agent.service.register({ Name: name, ID: id, Port: 8080, Tags: ['rt', 'v1'], Meta: { runtime: ctx.runtime }, Check: { CheckID: `${id}-ttl`, TTL: '60s' } });
        try {
          eq((await consul.catalog.services()).data[name]?.sort(), ['rt', 'v1'], 'catalog tags');
          const before = (await consul.health.service(name)).data;
          eq(before.map((e) => e.Service.ID), [id], 'health instances');
          eq(before[0]?.Service.Meta, { runtime: ctx.runtime }, 'service meta');
          eq(before[0]?.Checks.find((c) => c.CheckID === `${id}-ttl`)?.Status, 'critical', 'TTL check starts critical');
          eq((await consul.health.service(name, { passing: true })).data, [], 'no passing instance yet');
          await consul.agent.check.ttlPass(`${id}-ttl`, `ok from ${ctx.runtime}`);
          const after = (await consul.health.service(name, { passing: true })).data;
          eq(after.map((e) => e.Service.ID), [id], 'passing instance');
          eq(after[0]?.Checks.find((c) => c.CheckID === `${id}-ttl`)?.Output, `ok from ${ctx.runtime}`, 'check output');
          eq((await consul.health.service(name, { tag: 'nope' })).data, [], 'tag filter');
        } finally {
          await consul.agent.service.deregister(id);
        }
        eq((await consul.health.service(name)).data, [], 'deregistered');
      },
    },
    {
      name: 'services: a health watch receives the change when a check turns passing',
      async run() {
        const name = `rt-watch-svc-${run}`.toLowerCase();
        const id = `${name}-1`;
        await consul.agent.service.register({ Name: name, ID: id, Check: { CheckID: `${id}-ttl`, TTL: '60s' } });
        const iterator = consul.watch.service(name, { wait: '20s' });
        const status = (r: IteratorResult<{ data: { Checks: { CheckID: string; Status: string }[] }[] }, undefined>): string =>
          r.done ? 'done' : r.value.data.map((e) => e.Checks.find((c) => c.CheckID === `${id}-ttl`)?.Status ?? 'none').join(',');
        try {
          eq(status(await iterator.next()), 'critical', 'first result');
          const next = (async () => {
            // results until the status changes (a wake-up for an unrelated change is allowed, at most a few)
            for (let i = 0; i < 5; i++) {
              const now = status(await iterator.next());
              if (now !== 'critical') return now;
            }
            return 'still critical after 5 results';
          })();
          await sleep(150);
          await consul.agent.check.ttlPass(`${id}-ttl`);
          eq(await next, 'passing', 'after ttlPass');
        } finally {
          await iterator.return();
          await consul.agent.service.deregister(id);
        }
      },
    },
    // ---- the recipe subpaths (consulate/discovery, /live-config, /election, /kv-sync, /registration) ----
    {
      name: 'consulate/discovery: pick() follows health (an instance turned critical is dropped; none left → NoInstancesError); fetch() fails over from a dead instance',
      async run() {
        const name = `rt-disc-${run}`.toLowerCase();
        // the "live" instance is the agent itself (the CORS proxy in a browser), the other one a closed port
        const agentUrl = new URL(ctx.address);
        const live = { ID: `${name}-live`, Address: agentUrl.hostname, Port: Number(agentUrl.port || (agentUrl.protocol === 'https:' ? 443 : 80)) };
        const dead = { ID: `${name}-dead`, Address: '127.0.0.1', Port: 1 };
        for (const instance of [live, dead]) {
          await consul.agent.service.register({ Name: name, ...instance, Check: { CheckID: `${instance.ID}-ttl`, TTL: '60s' } });
          await consul.agent.check.ttlPass(`${instance.ID}-ttl`);
        }
        const tried: string[] = [];
        const sizes: number[] = [];
        const web = recipes.discovery.discovery(client, name, {
          wait: '10s',
          onChange: (set) => sizes.push(set.length),
          fetch: (url, init) => {
            tried.push(url);
            return fetch(url, init);
          },
        });
        try {
          eq((await web.ready()).map((i) => i.entry.Service.ID).sort(), [dead.ID, live.ID].sort(), 'both passing instances');
          // round-robin: one of two requests starts at the dead instance and moves on to the live one
          const path = `${ctx.pathPrefix ?? ''}/v1/status/leader`;
          for (let i = 0; i < 2; i++) {
            const response = await web.fetch(path);
            eq(response.status, 200, `fetch ${i + 1} status`);
            ok(/^"[^"]+:\d+"$/.test((await response.text()).trim()), `fetch ${i + 1} reached the agent`);
          }
          ok(tried.includes(`http://127.0.0.1:1${path}`), `the dead instance was tried (${tried.join(', ')})`);
          await consul.agent.check.ttlFail(`${dead.ID}-ttl`, 'down for the test');
          await until(() => web.instances().length === 1, 'the set without the critical instance');
          for (let i = 0; i < 3; i++) eq(web.pick().entry.Service.ID, live.ID, `pick ${i + 1}`);
          await consul.agent.check.ttlFail(`${live.ID}-ttl`);
          await until(() => web.instances().length === 0, 'an empty set');
          let error: unknown;
          try {
            web.pick();
          } catch (e) {
            error = e;
          }
          ok(lib.isNoInstancesError(error) && /the last known set is empty/.test((error as Error).message), `NoInstancesError for an empty set (got ${describe(error)})`);
          eq(sizes, [2, 1, 0], 'sets seen by onChange');
        } finally {
          await web.stop();
          for (const instance of [live, dead]) await consul.agent.service.deregister(instance.ID);
        }
      },
    },
    {
      // what discovery's TSDoc and the README's runtime table say about browsers
      name: 'consulate/discovery: fetch() to an instance that sends no CORS headers — a NetworkError naming it in a browser, its answer elsewhere',
      async run() {
        const name = `rt-disc-cors-${run}`.toLowerCase();
        const id = `${name}-1`;
        const agent = new URL(ctx.corslessAddress ?? ctx.address);
        await consul.agent.service.register({ Name: name, ID: id, Address: agent.hostname, Port: Number(agent.port) });
        const instances = recipes.discovery.discovery(client, name, { wait: '10s' });
        try {
          eq((await instances.ready()).map((i) => i.authority), [agent.host], 'the instance');
          const path = `${ctx.corslessAddress ? '' : (ctx.pathPrefix ?? '')}/v1/status/leader`;
          if (ctx.corslessAddress) {
            // the browser hides why (a CORS refusal looks like a connection failure): `TypeError: Failed to fetch`
            await rejects(instances.fetch(path), lib.isNetworkError, 'fetch from the page', new RegExp(`failed to connect to its instance: ${agent.host.replace(/\./g, '\\.')} \\(Failed to fetch\\)`));
          } else {
            eq((await instances.fetch(path)).status, 200, 'status');
          }
        } finally {
          await instances.stop();
          await consul.agent.service.deregister(id);
        }
      },
    },
    {
      name: 'consulate/live-config: ready() gives the JSON value; an update reaches onChange; an invalid one keeps the last good value (state invalid)',
      async run() {
        const key = `${prefix('live-config')}app`;
        await kv.set(key, '{"port":8080,"name":"web"}');
        const changes: unknown[] = [];
        const refused: unknown[] = [];
        const config = recipes.liveConfig.liveConfig(client, key, {
          schema: v.object({ port: v.number(), name: v.string() }),
          wait: '10s',
          onChange: (value) => changes.push(value),
          onInvalid: (error) => refused.push(error),
        });
        try {
          eq(await config.ready(), { port: 8080, name: 'web' }, 'ready()');
          eq(config.health.state, 'fresh', 'state after ready');
          await kv.set(key, '{"port":9090,"name":"web"}');
          await until(() => changes.length === 2, 'the update');
          eq(changes, [{ port: 8080, name: 'web' }, { port: 9090, name: 'web' }], 'onChange values');
          await kv.set(key, '{"port":"9091","name":"web"}');
          await until(() => refused.length === 1, 'the invalid update to be reported');
          const error = refused[0];
          ok(lib.isResponseValidationError(error), `onInvalid got a ResponseValidationError (got ${describe(error)})`);
          eq((error as InstanceType<Lib['ResponseValidationError']>).issues.map((i) => i.path), ['port'], 'issue path');
          eq(config.value, { port: 9090, name: 'web' }, 'last good value kept');
          eq(config.health.state, 'invalid', 'state');
          eq(changes.length, 2, 'no onChange for the invalid update');
        } finally {
          await config.close();
        }
        eq(config.health.closed, true, 'closed');
      },
    },
    {
      name: 'consulate/election: campaign → leader (a second candidate is refused); observe sees its value; resign hands it on',
      async run() {
        const key = `${prefix('election')}leader`;
        const value = `candidate on ${ctx.runtime}`;
        const observed: (string | undefined)[] = [];
        const stopObserving = new AbortController();
        const observing = (async () => {
          for await (const current of recipes.election.observe(client, key, { wait: '10s', signal: stopObserving.signal })) observed.push(current?.value);
        })();
        try {
          await until(() => observed.length === 1, 'the observer\'s first answer');
          const leadership = await recipes.election.campaign(client, key, value, { tryOnce: true });
          try {
            const { data: current } = await recipes.election.leader(client, key);
            eq([current?.value, current?.session, current?.fencingToken], [value, leadership.session, leadership.fencingToken], 'leader()');
            await rejects(recipes.election.campaign(client, key, 'another candidate', { tryOnce: true }), lib.isLockHeldError, 'a second candidate');
            await until(() => observed.includes(value), 'the observer to see the leader');
            eq(leadership.signal.aborted, false, 'signal while leading');
          } finally {
            await leadership.resign();
          }
          eq(leadership.signal.aborted, true, 'signal after resign');
          eq((await recipes.election.leader(client, key)).data, undefined, 'no leader after resign');
          await until(() => observed.length === 3, 'the observer to see no leader');
          eq(observed, [undefined, value, undefined], 'observed leaders');
        } finally {
          stopObserving.abort();
          await observing;
        }
      },
    },
    {
      name: 'consulate/kv-sync: diff and sync a small tree (a stale plan is refused, not applied); copy a tree',
      async run() {
        const p = prefix('kv-sync');
        const app = `${p}app`;
        await kv.set(`${app}/keep`, 'same');
        await kv.set(`${app}/change`, 'old');
        await kv.set(`${app}/drop`, 'gone soon');
        const plan = await recipes.kvSync.diff(client, { [`${app}/keep`]: 'same', [`${app}/change`]: 'new', [`${app}/add`]: 'added' }, app);
        eq([plan.add.map((e) => e.Key), plan.change.map((e) => e.Key), plan.delete.map((e) => e.Key), plan.unchanged], [[`${app}/add`], [`${app}/change`], [`${app}/drop`], 1], 'diff');
        const report = await recipes.kvSync.sync(client, plan);
        eq([report.ok, report.added, report.changed, report.deleted], [true, [`${app}/add`], [`${app}/change`], [`${app}/drop`]], 'sync report');
        const synced = { [`${app}/add`]: 'added', [`${app}/change`]: 'new', [`${app}/keep`]: 'same' };
        eq((await kv.find(`${app}/`)).data, synced, 'tree after sync');
        // the same plan again: the keys it read have changed since, so Consul refuses the transaction
        const stale = await recipes.kvSync.sync(client, plan);
        ok(!stale.ok && stale.failed[0]?.errors.length, `stale plan refused (report: ${JSON.stringify({ ok: stale.ok, failed: stale.failed.map((f) => f.errors) })})`);
        eq((await kv.find(`${app}/`)).data, synced, 'tree unchanged by the stale plan');
        const copied = await recipes.kvSync.copy(client, app, `${p}copy`);
        eq([copied.ok, copied.applied.map((i) => i.to)], [true, [`${p}copy/add`, `${p}copy/change`, `${p}copy/keep`]], 'copy report');
        eq((await kv.find(`${p}copy/`)).data, { [`${p}copy/add`]: 'added', [`${p}copy/change`]: 'new', [`${p}copy/keep`]: 'same' }, 'copied tree');
      },
    },
    {
      name: 'consulate/registration: registers with a 500ms TTL check kept passing by heartbeats past the TTL; unhealthy() → critical; stop() deregisters',
      async run() {
        const name = `rt-reg-${run}`.toLowerCase();
        const id = `${name}-1`;
        const note = `alive on ${ctx.runtime}`;
        const registration = recipes.registration.serviceRegistration(client, { Name: name, ID: id, Port: 8080, Check: { CheckID: `${id}-ttl`, TTL: '500ms' } }, { heartbeat: '100ms', note });
        const check = async (): Promise<string> => {
          const c = (await consul.agent.check.list()).data[`${id}-ttl`];
          return c ? `${c.Status}: ${c.Output}` : 'none';
        };
        try {
          await registration.ready();
          eq([registration.serviceId, registration.checkId, registration.registrations], [id, `${id}-ttl`, 1], 'registration');
          eq(await check(), `passing: ${note}`, 'check after ready()');
          await sleep(750); // 1.5 TTLs: only the heartbeats keep it passing
          eq(await check(), `passing: ${note}`, 'check after 1.5 TTLs');
          await registration.unhealthy(new Error('database unreachable'));
          eq(await check(), 'critical: database unreachable', 'check after unhealthy()');
        } finally {
          await registration.stop();
        }
        eq((await consul.agent.service.list()).data[id], undefined, 'service deregistered');
        eq(await check(), 'none', 'check deregistered');
      },
    },
  ];

  const summary: SuiteSummary = { passed: 0, failed: 0, skipped: 0, failures: [] };
  for (const test of tests) {
    const started = Date.now();
    try {
      await test.run();
      summary.passed++;
      log(`ok - ${test.name} (${Date.now() - started} ms)`);
    } catch (error) {
      summary.failed++;
      summary.failures.push(`${test.name}: ${describe(error)}`);
      log(`not ok - ${test.name}\n    ${describe(error)}`);
    }
  }
  try {
    await kv.deleteTree(`rt/${run}/`);
  } catch {
    // best effort
  }
  return summary;
}
