// Live typed configuration against real Consul agents: JSON and tree formats, invalid updates reported and
// not applied, debounce, and the health state through an agent stopped and restarted on the same port.
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as kv from '../../src/endpoints/kv.ts';
import { createClient, isForbiddenError, isInputError, isResponseValidationError } from '../../src/index.ts';
import type { ResponseValidationError } from '../../src/index.ts';
import type { LiveConfigHealth, LiveConfigState } from '../../src/recipes/live-config.ts';
import { liveConfig } from '../../src/recipes/live-config.ts';
import type { Agent } from '../support/agent.mjs';
import { freePort, startAgent } from '../support/agent.mjs';
import { testClient, uniquePrefix } from '../support/client.ts';

const client = testClient();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, tries = 400): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value) return value;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const App = v.object({ port: v.number(), name: v.string() });

describe('liveConfig: a JSON key', () => {
  it('yields the value, applies valid updates, reports invalid ones without applying them', async () => {
    const key = `${uniquePrefix('live-json')}config`;
    await kv.set(client, key, JSON.stringify({ port: 8080, name: 'a' }));
    const changes: unknown[] = [];
    const refused: ResponseValidationError[] = [];
    const states: LiveConfigState[] = [];
    await using config = liveConfig(client, key, {
      schema: App,
      onChange: (value) => changes.push(value),
      onInvalid: (error) => refused.push(error),
      onHealthChange: (health) => states.push(health.state),
    });
    expect(config.key).toBe(key);
    expect(config.health.state).toBe('pending');
    expect(await config.ready()).toEqual({ port: 8080, name: 'a' });
    expect(config.health).toMatchObject({ state: 'fresh', invalid: undefined, failingSince: undefined, closed: false });

    // wrong type: reported (path and message), not applied
    await kv.set(client, key, JSON.stringify({ port: 'eighty', name: 'b' }));
    await until(() => refused.length === 1, 'the refusal');
    expect(config.value).toEqual({ port: 8080, name: 'a' });
    expect(config.health.state).toBe('invalid');
    expect(refused[0]!.issues[0]!.path).toBe('port');
    expect(refused[0]!.message).toContain(`live config key "${key}" is invalid: port:`);
    expect(config.health.invalid).toBe(refused[0]);

    // not JSON at all
    await kv.set(client, key, '{ port: 1');
    await until(() => refused.length === 2, 'the second refusal');
    expect(refused[1]!.message).toMatch(/is not JSON/);
    expect(config.value).toEqual({ port: 8080, name: 'a' });

    // valid again: applied, fresh
    await kv.set(client, key, JSON.stringify({ port: 9090, name: 'c' }));
    await until(() => changes.length === 2, 'the second value');
    expect(config.value).toEqual({ port: 9090, name: 'c' });
    expect(config.health).toMatchObject({ state: 'fresh', invalid: undefined });
    expect(changes).toEqual([{ port: 8080, name: 'a' }, { port: 9090, name: 'c' }]);
    expect(states).toEqual(['fresh', 'invalid', 'fresh']);
  });

  it('does not report a change for an update that validates to an equal value (same JSON, other bytes)', async () => {
    const key = `${uniquePrefix('live-same')}config`;
    await kv.set(client, key, '{"port":1,"name":"x"}');
    const changes: unknown[] = [];
    await using config = liveConfig(client, key, { schema: App, onChange: (value) => changes.push(value) });
    await config.ready();
    await kv.set(client, key, '{ "name": "x", "port": 1 }');
    await kv.set(client, key, '{"port":2,"name":"x"}');
    await until(() => changes.length === 2, 'the second value');
    expect(changes).toEqual([{ port: 1, name: 'x' }, { port: 2, name: 'x' }]);
  });

  it('gives a missing key to the schema as undefined (a default applies), and follows its creation', async () => {
    const key = `${uniquePrefix('live-missing')}config`;
    await using config = liveConfig(client, key, { schema: v.optional(v.object({ level: v.string() }), { level: 'info' }) });
    expect(await config.ready()).toEqual({ level: 'info' });
    const seen: unknown[] = [];
    const iterating = (async () => {
      for await (const value of config) {
        seen.push(value);
        if (seen.length === 2) break;
      }
    })();
    await until(() => seen.length === 1, 'the current value');
    await kv.set(client, key, '{"level":"debug"}');
    await iterating;
    expect(seen).toEqual([{ level: 'info' }, { level: 'debug' }]);
    expect(config.health.state).toBe('fresh'); // breaking out of a loop does not close the live config
  });

  it('ready({ signal }) rejects with the validation error when Consul holds only an invalid config', async () => {
    const key = `${uniquePrefix('live-invalid-first')}config`;
    await kv.set(client, key, '{"port":true}');
    await using config = liveConfig(client, key, { schema: App });
    const error = await config.ready({ signal: AbortSignal.timeout(1500) }).catch((e: unknown) => e);
    expect(isResponseValidationError(error)).toBe(true);
    expect((error as ResponseValidationError).issues.map((i) => i.path).sort()).toEqual(['name', 'port']);
    expect((error as Error).cause).toBeInstanceOf(DOMException); // the signal's reason
    expect(config.health.state).toBe('invalid');
    expect(config.value).toBeUndefined();
  });

  it('accepts async schemas and transforms (the value is the schema output)', async () => {
    const key = `${uniquePrefix('live-async')}config`;
    await kv.set(client, key, '{"hosts":"a,b,c"}');
    const schema = v.pipeAsync(
      v.object({ hosts: v.string() }),
      v.checkAsync(async (input) => input.hosts.length > 0, 'no hosts'),
      v.transform((input) => input.hosts.split(',')),
    );
    await using config = liveConfig(client, key, { schema });
    const hosts: string[] = await config.ready();
    expect(hosts).toEqual(['a', 'b', 'c']);
  });
});

describe('liveConfig: a tree of keys', () => {
  it('maps the keys under a prefix to nested fields; conflicts and non-UTF-8 values are issues', async () => {
    const prefix = uniquePrefix('live-tree');
    await kv.set(client, `${prefix}db/host`, 'db.internal');
    await kv.set(client, `${prefix}db/port`, '5432');
    await kv.set(client, `${prefix}flags/`, ''); // a folder key: an empty object
    await kv.set(client, `${prefix}__proto__/polluted`, 'no'); // an own field, not a prototype
    // `prefix` without its trailing slash: the slash is added, so `…-tree-Napple` is not read
    await kv.set(client, `${prefix.slice(0, -1)}apple`, 'not mine');
    const schema = v.object({
      db: v.object({ host: v.string(), port: v.pipe(v.string(), v.toNumber(), v.integer()) }),
      flags: v.record(v.string(), v.string()),
    });
    const refused: ResponseValidationError[] = [];
    await using config = liveConfig(client, prefix.slice(0, -1), { format: 'tree', schema, onInvalid: (e) => refused.push(e) });
    expect(config.key).toBe(prefix);
    expect(await config.ready()).toEqual({ db: { host: 'db.internal', port: 5432 }, flags: {} });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();

    await kv.set(client, `${prefix}db/port/extra`, 'x'); // db/port has a value and a key below it
    await until(() => refused.length === 1, 'the conflict');
    expect(refused[0]!.issues).toEqual([
      { path: 'db.port.extra', message: `key "${prefix}db/port/extra" is below "${prefix}db/port", which has a value` },
    ]);
    await kv.remove(client, `${prefix}db/port/extra`);
    await kv.set(client, `${prefix}flags/bin`, new Uint8Array([0xff, 0xfe]));
    await until(() => refused.length === 2, 'the binary value');
    expect(refused[1]!.issues).toEqual([{ path: 'flags.bin', message: `value of key "${prefix}flags/bin" is not UTF-8 text` }]);
    expect(config.value).toEqual({ db: { host: 'db.internal', port: 5432 }, flags: {} });
    await kv.set(client, `${prefix}flags/bin`, 'on');
    await until(() => config.health.state === 'fresh' && config.value?.flags['bin'] === 'on', 'the fixed value');
  });

  it('debounce: changes that follow each other closely are applied once', async () => {
    const prefix = uniquePrefix('live-debounce');
    await kv.set(client, `${prefix}a`, '0');
    await kv.set(client, `${prefix}b`, '0');
    const changes: unknown[] = [];
    await using config = liveConfig(client, prefix, {
      format: 'tree',
      debounce: '1s',
      schema: v.object({ a: v.string(), b: v.string() }),
      onChange: (value) => changes.push(value),
    });
    await config.ready();
    // five writes well within the second: one change, the last state
    for (let i = 1; i <= 5; i++) await kv.set(client, `${prefix}${i % 2 ? 'a' : 'b'}`, String(i));
    await until(() => changes.length === 2, 'the debounced change');
    await sleep(300);
    expect(changes).toEqual([{ a: '0', b: '0' }, { a: '5', b: '4' }]);
  });

  it('debounce max: a steady stream of changes is still applied, at the latest every `max`', async () => {
    const key = `${uniquePrefix('live-debounce-max')}n`;
    await kv.set(client, key, '0');
    const changes: number[] = [];
    await using config = liveConfig(client, key, {
      schema: v.number(),
      debounce: { min: '400ms', max: '800ms' },
      onChange: (value) => changes.push(value),
    });
    await config.ready();
    let writes = 0;
    const end = Date.now() + 2500;
    while (Date.now() < end) {
      await kv.set(client, key, String(++writes));
      await sleep(100);
    }
    const duringWrites = changes.length - 1;
    await until(() => changes.at(-1) === writes, 'the last value');
    // without `max`, nothing would be applied until the writes stop
    expect(duringWrites).toBeGreaterThanOrEqual(2);
    expect(duringWrites).toBeLessThan(writes);
  });
});

describe('liveConfig: arguments and ending', () => {
  it('refuses bad arguments at once', () => {
    expect(() => liveConfig(client, 'k', {} as never)).toThrow(/options.schema/);
    const empty = (() => {
      try {
        liveConfig(client, '', { schema: v.string() });
      } catch (error) {
        return error;
      }
    })();
    expect(isInputError(empty)).toBe(true);
    expect(() => liveConfig(client, 'k', { schema: v.string(), format: 'yaml' as never })).toThrow(/format must be/);
    expect(() => liveConfig(client, 'a//b', { schema: v.string() })).toThrow(/cannot be watched/);
    expect(() => liveConfig(client, 'k', { schema: v.string(), debounce: 'soon' })).toThrow(/debounce/);
    expect(() => liveConfig(client, 'k', { schema: v.string(), debounce: { min: '2s', max: '1s' } })).toThrow(/debounce.max/);
    expect(() => liveConfig(client, 'k', { schema: v.string(), staleAfter: -1 })).toThrow(/staleAfter/);
  });

  it('close() ends iterations and rejects a pending ready() with an AbortError', async () => {
    const key = `${uniquePrefix('live-close')}config`;
    const config = liveConfig(client, key, { schema: v.string() }); // missing key: invalid, never ready
    const ready = config.ready().catch((e: unknown) => e);
    const iteration = (async () => {
      const seen: unknown[] = [];
      for await (const value of config) seen.push(value);
      return seen;
    })();
    await until(() => config.health.state === 'invalid', 'the invalid state');
    await config.close();
    expect(((await ready) as DOMException).name).toBe('AbortError');
    expect(await iteration).toEqual([]);
    expect(config.health).toMatchObject({ state: 'stale', closed: true });
    await config.close(); // idempotent
  });

  it('a callback that throws ends the live config with its error', async () => {
    const key = `${uniquePrefix('live-throw')}config`;
    await kv.set(client, key, '"v1"');
    const boom = new Error('boom');
    const config = liveConfig(client, key, { schema: v.string(), onChange: () => { throw boom; } });
    await expect(config.ready()).resolves.toBe('v1'); // the value was applied before the callback ran
    await until(() => config.health.closed, 'the end');
    expect(config.health).toMatchObject({ state: 'stale', error: boom });
    await expect(config[Symbol.asyncIterator]().next()).resolves.toEqual({ done: false, value: 'v1' });
    await config.close();
  });
});

describe('liveConfig: health through an agent stopped and restarted', () => {
  const MASTER = '5d0c7c4f-5c23-4d7a-9b0e-2f3e2c1a7b10';
  let agent: Agent | undefined;
  let port = 0;
  beforeAll(async () => {
    port = await freePort();
    agent = await startAgent({ name: 'consulate-live-config', httpPort: port, acl: { masterToken: MASTER } });
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('goes stale once reads have failed for staleAfter, keeps the last good value, and is fresh again after the restart', async () => {
    const own = createClient({ address: `http://127.0.0.1:${port}`, token: MASTER, timeout: 2000 });
    await kv.set(own, 'svc/config', '{"port":1,"name":"before"}');
    const events: string[] = [];
    const errors: unknown[] = [];
    await using config = liveConfig(own, 'svc/config', {
      schema: App,
      staleAfter: '1s',
      backoff: { min: 100, max: 300 },
      onHealthChange: (health: LiveConfigHealth) => events.push(health.state),
      onChange: (value) => events.push(`value ${value.name}`),
      onError: (error) => void errors.push(error),
    });
    await config.ready();

    await agent!.stop();
    const stoppedAt = Date.now();
    await until(() => config.health.state === 'stale', 'the stale state', 800);
    const health = config.health;
    expect(health.failingSince).toBeGreaterThanOrEqual(stoppedAt - 100);
    expect(health.since - health.failingSince!).toBeGreaterThanOrEqual(1000); // stale only after staleAfter
    expect(health.error).toBeDefined();
    expect(config.value).toEqual({ port: 1, name: 'before' }); // the last good value is kept
    expect(errors.length).toBeGreaterThan(0);

    agent = await startAgent({ name: 'consulate-live-config', httpPort: port, acl: { masterToken: MASTER } });
    // the restarted dev agent is empty: the key may be seen missing (invalid) before it is written again
    await kv.set(own, 'svc/config', '{"port":2,"name":"after"}');
    await until(() => config.value?.name === 'after', 'the new value', 800);
    expect(config.health).toMatchObject({ state: 'fresh', failingSince: undefined, error: undefined });
    expect(events.slice(0, 3)).toEqual(['value before', 'fresh', 'stale']);
    const afterStop = events.slice(3);
    expect(afterStop).toContain('value after');
    // stale → fresh at the first answered read, perhaps → invalid (the key missing on the empty agent) → fresh
    expect(afterStop.filter((e) => !e.startsWith('value')).at(-1)).toBe('fresh');
    expect(afterStop.every((e) => ['fresh', 'invalid', 'value after'].includes(e))).toBe(true);
    console.log(
      `live-config health events: ${events.join(' → ')}; stale ${health.since - stoppedAt} ms after the stop ` +
        `(staleAfter 1s, first failure ${health.failingSince! - stoppedAt} ms after it); ${errors.length} failed reads while stopped`,
    );
  });

  it('an error a retry cannot fix (403) ends the live config: stale, closed, ready() rejects with it', async () => {
    const anonymous = createClient({ address: `http://127.0.0.1:${port}` });
    const config = liveConfig(anonymous, 'svc/config', { schema: App });
    const error = await config.ready().catch((e: unknown) => e);
    expect(isForbiddenError(error)).toBe(true);
    expect(config.health).toMatchObject({ state: 'stale', closed: true, error });
    await config.close();
  });
});
