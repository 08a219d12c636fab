// watch(): blocking-query iterators, against the shared agent, a restarted agent, and scripted reads.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { watch } from '../../src/core/watch.ts';
import type { WatchRead } from '../../src/core/watch.ts';
import * as kv from '../../src/endpoints/kv.ts';
import {
  BadRequestError, Consul, createClient, ForbiddenError, HttpError, InputError, isForbiddenError, isNetworkError, isServerError, isTimeoutError,
  NetworkError, NotFoundError, ServerError, TimeoutError,
} from '../../src/index.ts';
import type { FetchLike, QueryMeta, ReadOptions, Result } from '../../src/index.ts';
import type { Agent } from '../support/agent.mjs';
import { freePort, startAgent } from '../support/agent.mjs';
import { startMisbehavingServer } from '../support/misbehaving-server.mjs';
import { raw, testClient, uniquePrefix } from '../support/client.ts';

const client = testClient();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function meta(index: bigint | undefined): QueryMeta {
  return {
    index, knownLeader: true, lastContact: 0, effectiveConsistency: undefined, defaultAclPolicy: undefined,
    resultsFilteredByAcls: undefined, translateAddresses: undefined, contentHash: undefined, cache: undefined,
    age: undefined, queryBackend: undefined, requestTime: undefined, status: 200,
  };
}

/** A read that plays a script and records the index it was asked to block on. */
function scripted<T>(steps: (Result<T> | Error)[]): { read: WatchRead<T>; asked: (bigint | number | undefined)[] } {
  const asked: (bigint | number | undefined)[] = [];
  const read: WatchRead<T> = async (_client, options: ReadOptions) => {
    asked.push(options.index);
    const step = steps.shift();
    if (step === undefined) return new Promise<never>(() => {}); // block forever
    if (step instanceof Error) throw step;
    return step;
  };
  return { read, asked };
}

/** A client whose fetch counts aborted requests. */
function abortCountingClient(): { client: ReturnType<typeof createClient>; aborted: () => number } {
  let aborted = 0;
  const counting: FetchLike = (input, init) => {
    const signal = input instanceof Request ? input.signal : init?.signal;
    signal?.addEventListener('abort', () => aborted++);
    return fetch(input, init);
  };
  return { client: createClient({ address: inject('consulAddress'), fetch: counting }), aborted: () => aborted };
}

describe('watch on a key (shared agent)', () => {
  it('yields the initial value, then each change, never a duplicate', async () => {
    const key = `${uniquePrefix('watch')}k`;
    await kv.set(client, key, 'v1');
    // short waits: several blocking reads time out without a change in between
    const it = watch(client, (c, o) => kv.get(c, key, o), { wait: '200ms' });
    try {
      expect((await it.next()).value?.data).toBe('v1');
      const second = it.next();
      await sleep(500); // > 2 timeouts of the blocking read
      await kv.set(client, key, 'v2');
      expect((await second).value?.data).toBe('v2');
      const third = it.next();
      await kv.set(client, key, 'v2'); // same bytes: no new index, nobody woken
      await kv.set(client, `${key}-other`, 'x'); // moves the KV index, not this key's data
      await sleep(500);
      await kv.set(client, key, 'v3');
      const r3 = await third;
      expect(r3.value?.data).toBe('v3');
      expect(typeof r3.value?.meta.index).toBe('bigint');
      await kv.delete(client, key);
      expect((await it.next()).value?.data).toBeUndefined();
    } finally {
      await it.return();
    }
  });

  it('with distinct: false yields every new index, still never the same index twice', async () => {
    const key = `${uniquePrefix('watch-indexes')}k`;
    await kv.set(client, key, 'a');
    const seen: bigint[] = [];
    const it = watch(client, (c, o) => kv.get(c, key, o), { wait: '200ms', distinct: false });
    try {
      for (let i = 0; i < 3; i++) {
        const pending = it.next();
        if (i > 0) await kv.set(client, key, `b${i}`);
        seen.push((await pending).value!.meta.index!);
      }
    } finally {
      await it.return();
    }
    expect(new Set(seen).size).toBe(3);
  });

  it('ends cleanly on abort and cancels the blocking read in flight', async () => {
    const key = `${uniquePrefix('watch-abort')}k`;
    await kv.set(client, key, 'x');
    const { client: counting, aborted } = abortCountingClient();
    const controller = new AbortController();
    const values: (string | undefined)[] = [];
    // a 60 s wait: the test would time out if abort did not cancel the request
    const loop = (async () => {
      for await (const { data } of watch(counting, (c, o) => kv.get(c, key, o), { wait: '60s', signal: controller.signal })) {
        values.push(data);
      }
      return 'ended';
    })();
    while (values.length === 0) await sleep(20);
    await sleep(100); // let the blocking read start
    controller.abort();
    expect(await loop).toBe('ended');
    expect(values).toEqual(['x']);
    expect(aborted()).toBeGreaterThanOrEqual(1);
  });

  it('return() while next() is pending cancels the read and resolves done; break ends the loop', async () => {
    const key = `${uniquePrefix('watch-return')}k`;
    await kv.set(client, key, 'x');
    const { client: counting, aborted } = abortCountingClient();
    const it = watch(counting, (c, o) => kv.get(c, key, o), { wait: '60s' });
    expect((await it.next()).value?.data).toBe('x');
    const pending = it.next();
    await sleep(100);
    expect(await it.return()).toEqual({ done: true, value: undefined });
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(aborted()).toBeGreaterThanOrEqual(1);
    expect(await it.next()).toEqual({ done: true, value: undefined });

    let count = 0;
    for await (const _ of watch(client, (c, o) => kv.get(c, key, o), { wait: '60s' })) {
      count++;
      break;
    }
    expect(count).toBe(1);
    {
      await using disposable = watch(client, (c, o) => kv.get(c, key, o));
      expect((await disposable.next()).value?.data).toBe('x');
    }
  });
});

describe('watch loop logic (scripted reads)', () => {
  it("resets the index to 0 only when it goes backwards, and blocks on at least 1 after an index of 0 (Consul's guidance)", async () => {
    const { read, asked } = scripted<string>([
      { data: 'a', meta: meta(10n) },
      { data: 'b', meta: meta(12n) },
      { data: 'c', meta: meta(5n) }, // backwards: a restored/restarted cluster
      { data: 'c', meta: meta(5n) },
      { data: 'd', meta: meta(0n) }, // not > 0: block on 1, never 0 (which would return at once)
      { data: 'd', meta: meta(0n) },
      { data: 'd', meta: meta(7n) },
      { data: 'e', meta: meta(8n) },
    ]);
    const it = watch(client, read, { minInterval: 0 });
    const yielded: string[] = [];
    for (let i = 0; i < 5; i++) yielded.push((await it.next()).value!.data);
    await it.return();
    expect(yielded).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(asked).toEqual([undefined, 10n, 12n, 0n, 5n, 1n, 1n, 7n]);
  });

  it('starts from a given index', async () => {
    const { read, asked } = scripted<string>([{ data: 'a', meta: meta(42n) }]);
    const it = watch(client, read, { index: 41 });
    await it.next();
    await it.return();
    expect(asked).toEqual([41n]);
  });

  it('with a starting index, does not yield a result whose index did not move past it', async () => {
    const { read, asked } = scripted<string>([
      { data: 'same', meta: meta(41n) }, // the blocking read timed out: nothing changed since 41
      { data: 'new', meta: meta(45n) },
    ]);
    const it = watch(client, read, { index: 41, minInterval: 0 });
    const first = await it.next();
    await it.return();
    expect(first.value!.data).toBe('new');
    expect(asked).toEqual([41n, 41n]);
  });

  it('treats an opaque (event hash) index as given: no reset, yields on change, but never blocks on 0', async () => {
    const big = 11834445451503821006n;
    const { read, asked } = scripted<string[]>([
      { data: [], meta: meta(1n) },
      { data: ['e1'], meta: meta(big) },
      { data: ['e1', 'e2'], meta: meta(3n) }, // "smaller" but just another hash
      { data: ['e1', 'e2', 'e3'], meta: meta(0n) }, // 0 would return at once: block on 1
      { data: ['e4'], meta: meta(5n) },
    ]);
    const it = watch(client, read, { opaqueIndex: true, minInterval: 0 });
    const yielded: string[][] = [];
    for (let i = 0; i < 5; i++) yielded.push((await it.next()).value!.data);
    await it.return();
    expect(yielded).toEqual([[], ['e1'], ['e1', 'e2'], ['e1', 'e2', 'e3'], ['e4']]);
    expect(asked).toEqual([undefined, 1n, big, 3n, 1n]);
  });

  it('reports errors to onError with the attempt number, backs off, and keeps going', async () => {
    const boom = new ServerError('transient', { status: 500 });
    const { read } = scripted<string>([{ data: 'a', meta: meta(1n) }, boom, boom, { data: 'b', meta: meta(2n) }]);
    const reported: [unknown, number][] = [];
    const it = watch(client, read, { onError: (e, n) => reported.push([e, n]), backoff: { min: 10, max: 20 }, minInterval: 0 });
    expect((await it.next()).value?.data).toBe('a');
    expect((await it.next()).value?.data).toBe('b');
    await it.return();
    expect(reported).toEqual([[boom, 1], [boom, 2]]);
  });

  it('without onError, throws the last error after maxAttempts and ends', async () => {
    const boom = new Error('down');
    const { read, asked } = scripted<string>([boom, boom, boom, { data: 'never', meta: meta(1n) }]);
    const it = watch(client, read, { maxAttempts: 3, backoff: { min: 5, max: 10 }, minInterval: 0 });
    await expect(it.next()).rejects.toBe(boom);
    expect(asked).toHaveLength(3);
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('ends with the error thrown by onError, and at once on an InputError', async () => {
    const stop = new Error('give up');
    const { read } = scripted<string>([new Error('x')]);
    const it = watch(client, read, { onError: () => { throw stop; }, minInterval: 0 });
    await expect(it.next()).rejects.toBe(stop);
    const bad = scripted<string>([new InputError('bad argument'), { data: 'x', meta: meta(1n) }]);
    const it2 = watch(client, bad.read, { onError: () => {}, minInterval: 0 });
    await expect(it2.next()).rejects.toThrow('bad argument');
    expect(bad.asked).toHaveLength(1);
  });

  it('spaces wakeups by minInterval', async () => {
    const starts: number[] = [];
    let n = 0;
    const read: WatchRead<number> = async () => {
      starts.push(Date.now());
      n++;
      return { data: n, meta: meta(BigInt(n)) };
    };
    const it = watch(client, read, { minInterval: 100 });
    for (let i = 0; i < 4; i++) await it.next();
    await it.return();
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(95);
  });

  it('ends with a 400, 401, 403 or a foreign 404 once onError saw it (not transient); onError returning "retry" keeps the watch going', async () => {
    const denied = new ForbiddenError('Permission denied', { status: 403 });
    const unknownToken = new ForbiddenError('ACL not found', { status: 403 });
    const badRequest = new BadRequestError('Invalid wait time', { status: 400 });
    const disabled = new HttpError('ACL support disabled', { status: 401 });
    const foreign = new NotFoundError('GET http://proxy/v1/kv/k answered with a 404 HTML page: the server is not answering like Consul', { status: 404 });
    for (const error of [denied, unknownToken, badRequest, disabled, foreign]) {
      const { read, asked } = scripted<string>([{ data: 'a', meta: meta(1n) }, error, { data: 'b', meta: meta(2n) }]);
      const seen: [unknown, number, boolean][] = [];
      const it = watch(client, read, {
        onError: (e, n, { transient }) => { seen.push([e, n, transient]); },
        backoff: { min: 5, max: 10 },
        minInterval: 0,
      });
      expect((await it.next()).value?.data).toBe('a');
      await expect(it.next()).rejects.toBe(error);
      expect(seen).toEqual([[error, 1, false]]);
      expect(asked).toHaveLength(2);
      expect(await it.next()).toEqual({ done: true, value: undefined });
    }
    // without onError too: at once, not after maxAttempts
    const once = scripted<string>([denied, { data: 'never', meta: meta(1n) }]);
    await expect(watch(client, once.read, { backoff: { min: 5, max: 10 }, minInterval: 0 }).next()).rejects.toBe(denied);
    expect(once.asked).toHaveLength(1);

    const { read, asked } = scripted<string>([{ data: 'a', meta: meta(1n) }, denied, denied, { data: 'b', meta: meta(2n) }]);
    const attempts: number[] = [];
    const it = watch(client, read, {
      onError: (_e, n) => {
        attempts.push(n);
        return 'retry';
      },
      backoff: { min: 5, max: 10 },
      minInterval: 0,
    });
    expect((await it.next()).value?.data).toBe('a');
    expect((await it.next()).value?.data).toBe('b');
    await it.return();
    expect(attempts).toEqual([1, 2]);
    expect(asked).toHaveLength(4);
  });

  it('retries timeouts, network and server errors (transient); onError returning "stop" ends the watch with the error', async () => {
    const timeout = new TimeoutError('GET /v1/kv/k timed out after 1000 ms');
    const network = new NetworkError('GET /v1/kv/k failed: connect ECONNREFUSED 127.0.0.1:8500');
    const server = new ServerError('rpc error: No cluster leader', { status: 500 });
    const { read, asked } = scripted<string>([timeout, network, server, { data: 'a', meta: meta(3n) }]);
    const seen: [unknown, number, boolean][] = [];
    const it = watch(client, read, { onError: (e, n, { transient }) => { seen.push([e, n, transient]); }, backoff: { min: 5, max: 10 }, minInterval: 0 });
    expect((await it.next()).value?.data).toBe('a');
    await it.return();
    expect(seen).toEqual([[timeout, 1, true], [network, 2, true], [server, 3, true]]);
    expect(asked).toHaveLength(4);

    const stopped = scripted<string>([network, { data: 'never', meta: meta(1n) }]);
    const it2 = watch(client, stopped.read, { onError: () => 'stop', backoff: { min: 5, max: 10 }, minInterval: 0 });
    await expect(it2.next()).rejects.toBe(network);
    expect(stopped.asked).toHaveLength(1);
    expect(await it2.next()).toEqual({ done: true, value: undefined });
  });

  it('refuses bad options at once', () => {
    expect(() => watch(client, (c, o) => kv.get(c, 'x', o), { maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => watch(client, (c, o) => kv.get(c, 'x', o), { minInterval: '5' })).toThrow(/minInterval/);
    expect(() => watch(client, 'nope' as unknown as WatchRead<string>)).toThrow(/read function/);
  });
});

describe('watch against misbehaving servers', () => {
  const indexOf = (path: string) => new URL(path, 'http://x').searchParams.get('index');

  it('blocks on index 1 after a response with X-Consul-Index: 0, instead of polling', async () => {
    // answers index 0 at once to a non-blocking read (kv.get reads ?raw), and holds a blocking one (index >= 1) as Consul would
    await using server = await startMisbehavingServer((request) =>
      Number(indexOf(request.path) ?? 0) >= 1 ? 'never-answer' : { mode: 'respond', body: 'v', headers: { 'X-Consul-Index': '0' } });
    const c = createClient({ address: server.address, retry: { limit: 0 } });
    const it = watch(c, (cl, o) => kv.get(cl, 'k', o), { wait: '60s' });
    try {
      expect((await it.next()).value?.data).toBe('v');
      const pending = it.next();
      while (server.requests.length < 2) await sleep(20);
      expect(indexOf(server.requests[0]!.path)).toBeNull();
      expect(indexOf(server.requests[1]!.path)).toBe('1');
      await sleep(300);
      expect(server.requests).toHaveLength(2); // the second read is blocking, not answered and repeated
      await it.return();
      expect(await pending).toEqual({ done: true, value: undefined });
    } finally {
      await it.return();
    }
  });

  it('counts a read whose body stalls as one failed attempt (TimeoutError), then backs off and reads again', async () => {
    await using server = await startMisbehavingServer((_request, n) =>
      n === 0 ? { mode: 'stall-body', contentLength: 200 } : { mode: 'respond', body: 'after', headers: { 'X-Consul-Index': '9' } });
    const c = createClient({ address: server.address, timeout: 500, retry: { limit: 0 } });
    const seen: [unknown, number, boolean][] = [];
    const it = watch(c, (cl, o) => kv.get(cl, 'k', o), { onError: (e, n, { transient }) => { seen.push([e, n, transient]); }, backoff: { min: 10, max: 20 } });
    try {
      expect((await it.next()).value?.data).toBe('after');
    } finally {
      await it.return();
    }
    expect(seen).toHaveLength(1);
    expect(isTimeoutError(seen[0]![0])).toBe(true);
    expect(seen[0]!.slice(1)).toEqual([1, true]);
    expect(server.requests).toHaveLength(2);
  });
});

describe('watch on an ACL-enabled agent', () => {
  const masterToken = '6c5e6d3a-4f0e-4a8e-9d55-0c3b2f1a7e21';
  let agent: Agent | undefined;
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
  });

  it('ends with the 403 (Permission denied, ACL not found) after onError saw it, instead of retrying forever', async () => {
    agent = await startAgent({ name: 'consulate-watch-acl', acl: { masterToken } });
    await kv.set(createClient({ address: agent.address, token: masterToken }), 'secret/k', 'v');
    for (const [token, text] of [[undefined, /Permission denied/], ['00000000-0000-4000-8000-000000000000', /ACL not found/]] as const) {
      const c = createClient({ address: agent.address, ...(token ? { token } : {}) });
      const seen: unknown[] = [];
      const it = watch(c, (cl, o) => kv.get(cl, 'secret/k', o), {
        onError: (e, n) => {
          seen.push(e);
          if (n >= 3) throw new Error('kept retrying a 403');
        },
        backoff: { min: 10, max: 20 },
      });
      const failure = await it.next().then(() => undefined, (e: unknown) => e);
      expect(isForbiddenError(failure), String(failure)).toBe(true);
      expect((failure as Error).message).toMatch(text);
      expect(seen).toEqual([failure]);
    }
  });
});

describe('watch across an agent restart', () => {
  let agent: Agent | undefined;
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
  });

  it('keeps yielding after the agent restarts on the same address; errors in between go to onError', async () => {
    const port = await freePort();
    agent = await startAgent({ name: 'consulate-watch-restart', httpPort: port });
    const c = createClient({ address: agent.address, retry: { limit: 0 } });
    await kv.set(c, 'watched/key', 'before');
    const errors: unknown[] = [];
    const it = watch(c, (cl, o) => kv.get(cl, 'watched/key', o), {
      wait: '2s',
      onError: (e) => errors.push(e),
      backoff: { min: 100, max: 400 },
    });
    try {
      expect((await it.next()).value?.data).toBe('before');
      const pending = it.next(); // a blocking read is in flight when the agent goes away
      await sleep(100);
      await agent.stop();
      agent = undefined;
      while (errors.length < 2) await sleep(50);
      agent = await startAgent({ name: 'consulate-watch-restart', httpPort: port });
      await kv.set(c, 'watched/key', 'after');
      const values: (string | undefined)[] = [];
      let result = await pending;
      values.push(result.value?.data);
      while (result.value?.data !== 'after') {
        result = await it.next();
        values.push(result.value?.data);
      }
      expect(values.at(-1)).toBe('after');
      expect(errors.length).toBeGreaterThanOrEqual(2);
      // refused connections, and 500 "No cluster leader" from the new agent before its election (a retry can land
      // there under load): transient either way
      expect(errors.filter((e) => !isNetworkError(e) && !isServerError(e)).map(String)).toEqual([]);
      // and it keeps going on the new agent
      const next = it.next();
      await kv.set(c, 'watched/key', 'later');
      expect((await next).value?.data).toBe('later');
    } finally {
      await it.return();
    }
  });
});

describe('consul.watch conveniences', () => {
  const consul = new Consul({ address: inject('consulAddress') });

  it('watches a key and a prefix', async () => {
    const p = uniquePrefix('watch-facade');
    await consul.kv.set(`${p}a`, '1');
    const key = consul.watch.key(`${p}a`, { wait: '5s' });
    const prefix = consul.watch.keyPrefix(p, { wait: '5s' });
    try {
      expect((await key.next()).value?.data).toBe('1');
      expect((await prefix.next()).value?.data.map((r) => r.Key)).toEqual([`${p}a`]);
      const nextKey = key.next();
      const nextPrefix = prefix.next();
      await consul.kv.set(`${p}a`, '2');
      expect((await nextKey).value?.data).toBe('2');
      const pairs = (await nextPrefix).value!.data;
      expect(new TextDecoder().decode(pairs[0]!.Value)).toBe('2');
    } finally {
      await key.return();
      await prefix.return();
    }
  });

  it('watches a service through health (passing, tag) and the catalog', async () => {
    const name = `watch-svc-${Date.now().toString(36)}`;
    const services = consul.watch.services({ wait: '5s' });
    const healthy = consul.watch.service(name, { passing: true, tag: 'v1', wait: '5s' });
    try {
      expect((await services.next()).value?.data[name]).toBeUndefined();
      expect((await healthy.next()).value?.data).toEqual([]);
      const nextServices = services.next();
      const nextHealthy = healthy.next();
      await raw('/v1/agent/service/register', { method: 'PUT', body: JSON.stringify({ Name: name, ID: name, Tags: ['v1'], Port: 80 }) });
      expect((await nextServices).value?.data[name]).toEqual(['v1']);
      expect((await nextHealthy).value?.data.map((e) => e.Service.ID)).toEqual([name]);
    } finally {
      await services.return();
      await healthy.return();
      await raw(`/v1/agent/service/deregister/${name}`, { method: 'PUT' });
    }
  });

  it('watches checks of a service and checks in a state', async () => {
    const name = `watch-chk-${Date.now().toString(36)}`;
    await raw('/v1/agent/service/register', {
      method: 'PUT',
      body: JSON.stringify({ Name: name, ID: name, Check: { CheckID: `${name}-ttl`, TTL: '60s' } }),
    });
    const checks = consul.watch.checks(name, { wait: '5s' });
    const critical = consul.watch.checksInState('critical', { wait: '5s', filter: `ServiceName == "${name}"` });
    try {
      expect((await checks.next()).value?.data.map((c) => c.Status)).toEqual(['critical']);
      expect((await critical.next()).value?.data.map((c) => c.CheckID)).toEqual([`${name}-ttl`]);
      const nextChecks = checks.next();
      const nextCritical = critical.next();
      await raw(`/v1/agent/check/pass/${name}-ttl`, { method: 'PUT' });
      expect((await nextChecks).value?.data.map((c) => c.Status)).toEqual(['passing']);
      expect((await nextCritical).value?.data).toEqual([]);
    } finally {
      await checks.return();
      await critical.return();
      await raw(`/v1/agent/service/deregister/${name}`, { method: 'PUT' });
    }
  });

  it('watches the node list', async () => {
    const nodes = consul.watch.nodes();
    try {
      expect((await nodes.next()).value?.data.length).toBeGreaterThanOrEqual(1);
    } finally {
      await nodes.return();
    }
  });

  it('watches user events by name, blocking on the hash index', async () => {
    const name = `watch-ev-${Date.now().toString(36)}`;
    const events = consul.watch.events(name, { wait: '5s' });
    try {
      expect((await events.next()).value?.data).toEqual([]);
      const next = events.next();
      await raw(`/v1/event/fire/${name}`, { method: 'PUT', body: 'one' });
      const first = (await next).value!;
      expect(first.data.map((e) => new TextDecoder().decode(e.Payload))).toEqual(['one']);
      const again = events.next();
      await raw(`/v1/event/fire/${name}`, { method: 'PUT', body: 'two' });
      expect((await again).value!.data.map((e) => new TextDecoder().decode(e.Payload))).toEqual(['one', 'two']);
    } finally {
      await events.return();
    }
  });
});
