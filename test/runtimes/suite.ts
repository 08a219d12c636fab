// The runtime-neutral suite of the runtime matrix: plain TypeScript using only web APIs (fetch, URL,
// TextEncoder, AbortController, crypto) and ./assert.ts, run against a real Consul agent by Deno, Bun
// and a browser page, from source (src/index.ts) and from the built package (dist/index.js).
// Entry points: ./entry.ts (Deno, Bun) and ./browser-entry.ts (the page); driver: ./run.mjs.
import type * as Consulate from '../../src/index.ts';
import { describe, eq, ok, rejects } from './assert.ts';

/** The package's main entry, from source or from dist. */
export type Lib = typeof Consulate;

/** What a runtime hands the suite. */
export interface SuiteContext {
  /** The module under test. */
  lib: Lib;
  /** The agent's address as the runtime reaches it (the CORS proxy's origin in a browser). */
  address: string;
  /** `/consul` behind the CORS proxy. */
  pathPrefix?: string | undefined;
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

/** Runs every test sequentially and returns the counts; never throws. */
export async function runSuite(ctx: SuiteContext): Promise<SuiteSummary> {
  const { lib, log } = ctx;
  const config = { address: ctx.address, ...(ctx.pathPrefix ? { pathPrefix: ctx.pathPrefix } : {}) };
  const client = lib.createClient(config);
  const consul = new lib.Consul(client);
  const kv = consul.kv;
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
      name: 'abort: an AbortSignal stops a blocking read with the caller\'s reason',
      async run() {
        const p = prefix('abort');
        await kv.set(`${p}k`, 'v');
        const { meta } = await kv.get(`${p}k`);
        ok(meta.index !== undefined, 'index');
        const controller = new AbortController();
        const reason = new Error('stopped by the test');
        const pending = kv.get(`${p}k`, { index: meta.index, wait: '60s', signal: controller.signal });
        setTimeout(() => controller.abort(reason), 100);
        await rejects(pending, (e) => e === reason, 'aborted read');
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
      name: 'lock: acquire stores Go\'s lock flag under a session; a second acquire is refused; release frees it',
      async run() {
        const name = `rt-${run}-lock`;
        const held = await consul.lock.acquire(name, 'holder-1');
        try {
          const key = `${consul.lock.prefix}/${name}`;
          eq(held.key, key, 'key');
          const pair = (await kv.getRecord(key)).data;
          eq(pair?.Session, held.session, 'held by the lock session');
          eq(pair?.Flags, lib.LOCK_FLAG_VALUE, 'Go lock flag (uint64 > 2^53)');
          eq(lib.LOCK_FLAG_VALUE, GO_LOCK_FLAG, 'LOCK_FLAG_VALUE');
          eq(pair && new TextDecoder().decode(pair.Value), 'holder-1', 'value');
          await rejects(consul.lock.acquire(name, 'holder-2'), lib.isLockHeldError, 'second acquire');
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
        const controller = new AbortController();
        const values: unknown[] = [];
        for await (const { data } of consul.watch.key(`${p}k`, { wait: '60s', signal: controller.signal })) {
          values.push(data);
          // abort while the next (blocking) read waits: the key does not change, so it would wait 60 s
          if (values.length === 1) setTimeout(() => controller.abort(), 150);
        }
        eq(values, ['v'], 'one value, then done');
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
  ];

  const summary: SuiteSummary = { passed: 0, failed: 0, skipped: 0, failures: [] };
  for (const test of tests) {
    try {
      await test.run();
      summary.passed++;
      log(`ok - ${test.name}`);
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
