// Locks (Go's api.Lock format) against a real Consul agent, including interop with `consul lock`.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import * as kv from '../../src/endpoints/kv.ts';
import * as session from '../../src/endpoints/session.ts';
import * as txn from '../../src/endpoints/txn.ts';
import {
  Consul,
  CONSULATE_LOCK_FLAGS,
  isInputError,
  isLockConflictError,
  isLockHeldError,
  isLockLostError,
  isLockTimeoutError,
  isTransactionError,
  LOCK_FLAG_VALUE,
  lock,
  semaphore,
  withLock,
} from '../../src/index.ts';
import type { TransactionError } from '../../src/index.ts';
import { raw, testClient, uniquePrefix } from '../support/client.ts';
import { originalLock } from '../support/original-lock.ts';

const client = testClient();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const env = () => ({ ...process.env, CONSUL_HTTP_ADDR: inject('consulAddress') });

/** A prefix without the trailing slash, as `consul lock` takes it. */
const prefixFor = (name: string) => uniquePrefix(name).replace(/\/$/, '');

async function until<T>(probe: () => Promise<T | undefined | false>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (value) return value;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
  });
}

/** Runs the consul CLI, resolving with its exit code and output (never rejects on a non-zero exit). */
function consulCli(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(inject('consulBin'), args, { env: env(), timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** Starts a long-running `consul lock …`; stop() kills it by PID and waits for it to exit. */
function consulLockProcess(args: string[]): { pid: number; stop(): Promise<void> } {
  const child = spawn(inject('consulBin'), ['lock', ...args], { env: env(), stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(child.pid!, 'SIGTERM'); // the CLI stops its child and releases the lock
      } catch {}
      const gone = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!gone) {
        try {
          process.kill(child.pid!, 'SIGKILL');
        } catch {}
        await exited;
      }
    },
  };
}

async function sessionExists(id: string): Promise<boolean> {
  return (await session.read(client, id)).data !== undefined;
}

describe('lock: acquire and release', () => {
  it("stores Go's format (flags 0x2ddccbc058a50c18, session, value) and releases", async () => {
    const key = `${uniquePrefix('lock')}leader`;
    const held = await lock(client, key, { value: 'host-1' });
    expect(held.key).toBe(key);
    const rec = (await kv.getRecord(client, key)).data!;
    expect(rec.Session).toBe(held.session);
    expect(rec.Flags).toBe(LOCK_FLAG_VALUE);
    expect(rec.Flags).toBe(3304740253564472344n);
    expect(new TextDecoder().decode(rec.Value)).toBe('host-1');
    const info = (await session.read(client, held.session)).data!;
    expect(info).toMatchObject({ Name: 'Consul API Lock', TTL: '15s' });
    expect(held.signal.aborted).toBe(false);
    await held.release();
    expect(held.signal.aborted).toBe(true);
    expect(isLockLostError(held.signal.reason)).toBe(false);
    expect((await kv.getRecord(client, key)).data?.Session).toBeUndefined();
    expect(await sessionExists(held.session)).toBe(false);
    await held.release(); // idempotent
  });

  it('releases with await using', async () => {
    const key = `${uniquePrefix('lock-using')}k`;
    let id = '';
    {
      await using held = await lock(client, key, { sessionName: 'using-test', ttl: '10s' });
      id = held.session;
      expect((await kv.getRecord(client, key)).data?.Session).toBe(id);
    }
    expect((await kv.getRecord(client, key)).data?.Session).toBeUndefined();
    expect(await sessionExists(id)).toBe(false);
  });

  it('refuses with LockHeldError (tryOnce) or LockTimeoutError (wait) while held, and cleans up its session', async () => {
    const key = `${uniquePrefix('lock-held')}k`;
    const name = `held-test-${Date.now()}`;
    await using held = await lock(client, key);
    const error = await lock(client, key, { tryOnce: true, sessionName: name }).catch((e: unknown) => e);
    expect(isLockHeldError(error)).toBe(true);
    expect(error).toMatchObject({ key, holder: held.session });
    await expect(lock(client, key, { wait: '300ms', sessionName: name })).rejects.toSatisfy(isLockTimeoutError);
    const leftovers = (await session.list(client)).data.filter((s) => s.Name === name);
    expect(leftovers).toEqual([]);
  });

  it('refuses a key that is not a lock (other flags) with LockConflictError', async () => {
    const key = `${uniquePrefix('lock-conflict')}k`;
    await kv.set(client, key, 'plain');
    await expect(lock(client, key, { tryOnce: true })).rejects.toSatisfy(isLockConflictError);
    expect((await kv.get(client, key)).data).toBe('plain');
  });

  it('with flags: CONSULATE_LOCK_FLAGS, locks in the Python consulate\'s format (flags 0) and refuses a Go-format key', async () => {
    const key = `${uniquePrefix('lock-flags')}k`;
    {
      await using held = await lock(client, key, { flags: CONSULATE_LOCK_FLAGS });
      expect((await kv.getRecord(client, key)).data).toMatchObject({ Flags: 0n, Session: held.session });
      // a Go-format lock does not take a flags-0 key, even to wait for it: another kind of lock
      const error = await lock(client, key, { tryOnce: true }).catch((e: unknown) => e);
      expect(isLockConflictError(error)).toBe(true);
      expect((error as Error).message).toContain(`held by session ${held.session}`);
    }
    expect((await kv.getRecord(client, key)).data).toMatchObject({ Flags: 0n }); // released with its flags
    const goKey = `${uniquePrefix('lock-flags-go')}k`;
    await (await lock(client, goKey)).release();
    await expect(lock(client, goKey, { flags: 0, tryOnce: true })).rejects.toSatisfy(isLockConflictError);
    await expect(lock(client, goKey, { flags: -1 })).rejects.toSatisfy(isInputError);
  });

  it('refuses bad arguments before sending', async () => {
    await expect(lock(client, '')).rejects.toSatisfy(isInputError);
    await expect(lock(client, 'x', { tryOnce: true, wait: '1s' })).rejects.toSatisfy(isInputError);
    await expect(lock(client, 'x', { ttl: '5s' })).rejects.toSatisfy(isInputError);
    await expect(lock(client, 'x', { monitorRetries: -1 })).rejects.toSatisfy(isInputError);
    // such keys are only reachable through /v1/txn, which cannot block: waiting on them would spin
    await expect(lock(client, 'jobs//nightly/.lock')).rejects.toThrow(/blocking reads/);
  });
});

describe('lock: mutual exclusion', () => {
  it('5 contenders x 10 increments of a shared counter end at exactly 50', async () => {
    const p = uniquePrefix('lock-counter');
    const lockKey = `${p}.lock`;
    const counter = `${p}counter`;
    await kv.set(client, counter, '0');
    let inside = 0;
    let maxInside = 0;
    const contender = async () => {
      for (let i = 0; i < 10; i++) {
        await withLock(client, lockKey, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          const { data } = await kv.get(client, counter);
          await sleep(Math.random() * 5);
          await kv.set(client, counter, String(Number(data) + 1));
          inside--;
        });
      }
    };
    await Promise.all(Array.from({ length: 5 }, contender));
    expect((await kv.get(client, counter)).data).toBe('50');
    expect(maxInside).toBe(1);
  });

  it('a waiting contender gets the lock when it is released', async () => {
    const key = `${uniquePrefix('lock-wait')}k`;
    const first = await lock(client, key);
    const order: string[] = [];
    const second = lock(client, key).then((held) => {
      order.push('second acquired');
      return held;
    });
    await sleep(200);
    order.push('first releasing');
    await first.release();
    const held = await second;
    expect(order).toEqual(['first releasing', 'second acquired']);
    await held.release();
  });

  it('waits out a lock-delay after the holder was invalidated (and tryOnce reports it)', async () => {
    const key = `${uniquePrefix('lock-delay')}k`;
    const first = await lock(client, key, { lockDelay: '2500ms' });
    await raw(`/v1/session/destroy/${first.session}`, { method: 'PUT' });
    await aborted(first.signal);
    await expect(lock(client, key, { tryOnce: true })).rejects.toThrow(/lock-delay/);
    const second = await lock(client, key, { wait: '10s' });
    expect((await kv.getRecord(client, key)).data?.Session).toBe(second.session);
    await second.release();
    await first.release();
  });

  it('aborting a waiting acquisition rejects with the reason and destroys its session', async () => {
    const key = `${uniquePrefix('lock-abort')}k`;
    const name = `abort-test-${Date.now()}`;
    await using _held = await lock(client, key);
    const controller = new AbortController();
    const waiting = lock(client, key, { signal: controller.signal, sessionName: name });
    await sleep(200);
    controller.abort(new Error('not needed any more'));
    await expect(waiting).rejects.toThrow('not needed any more');
    expect((await session.list(client)).data.filter((s) => s.Name === name)).toEqual([]);
  });
});

describe('lock: losing it', () => {
  it("fires the signal within the session TTL when the session is destroyed behind the holder's back", async () => {
    const key = `${uniquePrefix('lock-lost')}k`;
    const held = await lock(client, key, { ttl: '10s', lockDelay: '0s' });
    await raw(`/v1/session/destroy/${held.session}`, { method: 'PUT' });
    const reason = await Promise.race([aborted(held.signal), sleep(10_000).then(() => 'not within the TTL')]);
    expect(isLockLostError(reason)).toBe(true);
    expect((reason as Error).message).toMatch(/lost/);
    await held.release(); // still safe to call
  });

  it('fires the signal when the key is deleted', async () => {
    const key = `${uniquePrefix('lock-deleted')}k`;
    const held = await lock(client, key, { lockDelay: '0s' });
    await raw(`/v1/kv/${key}`, { method: 'DELETE' });
    expect(isLockLostError(await aborted(held.signal))).toBe(true);
    await held.release();
  });
});

describe('withLock', () => {
  it('returns the result and releases; releases on error too', async () => {
    const key = `${uniquePrefix('withlock')}k`;
    let id = '';
    const result = await withLock(client, key, async (held) => {
      id = held.session;
      expect(held.key).toBe(key);
      expect((await kv.getRecord(client, key)).data?.Session).toBe(held.session);
      return 42;
    });
    expect(result).toBe(42);
    expect(await sessionExists(id)).toBe(false);
    await expect(
      withLock(client, key, (held) => {
        id = held.session;
        throw new Error('job failed');
      }),
    ).rejects.toThrow('job failed');
    expect((await kv.getRecord(client, key)).data?.Session).toBeUndefined();
    expect(await sessionExists(id)).toBe(false);
  });

  it("fires fn's signal when the caller aborts, and still releases", async () => {
    const key = `${uniquePrefix('withlock-abort')}k`;
    const controller = new AbortController();
    let id = '';
    const result = await withLock(
      client,
      key,
      async (held) => {
        id = held.session;
        setTimeout(() => controller.abort(new Error('shutdown')), 50);
        const reason = await aborted(held.signal);
        return (reason as Error).message;
      },
      { signal: controller.signal },
    );
    expect(result).toBe('shutdown');
    expect(await sessionExists(id)).toBe(false);
  });
});

describe('lock: interop with `consul lock`', () => {
  it('refuses our lock while `consul lock PREFIX sleep 30` holds PREFIX/.lock', async () => {
    const prefix = prefixFor('cli-holds');
    const cli = consulLockProcess([prefix, 'sleep', '30']);
    try {
      const rec = await until(async () => {
        const r = (await kv.getRecord(client, `${prefix}/.lock`)).data;
        return r?.Session ? r : undefined;
      }, 'consul lock to hold the key');
      expect(rec.Flags).toBe(LOCK_FLAG_VALUE); // Go wrote exactly our flags
      const error = await lock(client, `${prefix}/.lock`, { tryOnce: true }).catch((e: unknown) => e);
      expect(isLockHeldError(error)).toBe(true);
      expect(error).toMatchObject({ holder: rec.Session });
    } finally {
      await cli.stop();
    }
    // once the CLI is gone, we get it
    const held = await lock(client, `${prefix}/.lock`, { wait: '10s' });
    await held.release();
  });

  it('`consul lock -timeout=2s PREFIX cmd` does not run while we hold PREFIX/.lock, and runs once we release', async () => {
    const prefix = prefixFor('we-hold');
    const dir = mkdtempSync(join(tmpdir(), 'consulate-lock-'));
    const marker = join(dir, 'ran');
    try {
      const held = await lock(client, `${prefix}/.lock`);
      const refused = await consulCli(['lock', '-timeout=2s', prefix, 'touch', marker]);
      expect(refused.code).not.toBe(0);
      expect(refused.output).toMatch(/timeout during lock acquisition/);
      expect(existsSync(marker)).toBe(false);
      await held.release();
      const ran = await consulCli(['lock', '-timeout=5s', prefix, 'touch', marker]);
      expect(ran.code).toBe(0);
      expect(existsSync(marker)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('consul.lock (consulate facade)', () => {
  const consul = new Consul({ address: inject('consulAddress') });

  it('acquire(key, value) locks consulate/locks/<key>, is await-using-able, refuses when held, cleans up', async () => {
    const name = `facade-${Date.now().toString(36)}`;
    expect(consul.lock.prefix).toBe('consulate/locks');
    {
      await using held = await consul.lock.acquire(name, 'me');
      expect(held.key).toBe(`consulate/locks/${name}`);
      const rec = (await kv.getRecord(client, held.key)).data!;
      expect(rec.Session).toBe(held.session);
      expect(rec.Flags).toBe(0n); // the original's format
      expect(new TextDecoder().decode(rec.Value)).toBe('me');
      await expect(consul.lock.acquire(name)).rejects.toSatisfy(isLockHeldError);
    }
    expect((await kv.getRecord(client, `consulate/locks/${name}`)).data).toBeUndefined();
    const anonymous = await consul.lock.acquire();
    expect(anonymous.key).toMatch(/^consulate\/locks\/[0-9a-f-]{36}$/);
    await anonymous.release();
  });

  it("excludes the Python consulate's consul.lock.acquire(key) on the same key, both ways", async () => {
    const name = `facade-orig-${Date.now().toString(36)}`;
    const theirs = originalLock(inject('consulAddress'));
    expect(await theirs.acquire(name, 'python')).toBe(true);
    expect(theirs.item).toBe(`consulate/locks/${name}`);
    const error = await consul.lock.acquire(name).catch((e: unknown) => e);
    expect(isLockHeldError(error)).toBe(true);
    expect(error).toMatchObject({ key: `consulate/locks/${name}`, holder: theirs.session });
    await theirs.release();
    {
      await using held = await consul.lock.acquire(name);
      expect(await theirs.acquire(name)).toBe(false); // the original raises LockFailure
      expect((await kv.getRecord(client, held.key)).data?.Session).toBe(held.session);
    }
    expect(await theirs.acquire(name)).toBe(true);
    await theirs.release();
  });

  it("the prefix option is the original's lock.prefix(value): another folder, or '' for the key itself (run_once's)", async () => {
    const folder = uniquePrefix('facade-prefix');
    const name = `p-${Date.now().toString(36)}`;
    {
      await using held = await consul.lock.acquire(name, undefined, { prefix: folder });
      expect(held.key).toBe(`${folder}${name}`); // trailing '/' dropped, as Consul cleans the original's 'a//b'
      const theirs = originalLock(inject('consulAddress'), folder);
      expect(await theirs.acquire(name)).toBe(false);
    }
    const bare = `${folder}bare`;
    const seen = await consul.lock.with(bare, async (held) => held.key, { prefix: '' });
    expect(seen).toBe(bare);
    expect(consul.lock.prefix).toBe('consulate/locks'); // per call: the default is unchanged
    await expect(consul.lock.acquire('x', undefined, { prefix: 7 as unknown as string })).rejects.toSatisfy(isInputError);
  });

  it('with(key, fn) runs fn under the lock', async () => {
    const name = `facade-with-${Date.now().toString(36)}`;
    const seen = await consul.lock.with(name, async (held) => (await kv.getRecord(client, held.key)).data?.Session === held.session);
    expect(seen).toBe(true);
    expect((await kv.getRecord(client, `consulate/locks/${name}`)).data).toBeUndefined();
  });
});

describe('lock: fencing', () => {
  it('exposes the LockIndex as fencingToken; a later holder gets a larger one', async () => {
    const key = `${uniquePrefix('lock-fence-token')}k`;
    const first = await lock(client, key, { lockDelay: '0s' });
    expect(first.fencingToken).toBe((await kv.getRecord(client, key)).data?.LockIndex);
    expect(first.fencingToken).toBeGreaterThan(0);
    await first.release();
    const second = await lock(client, key, { lockDelay: '0s' });
    expect(second.fencingToken).toBeGreaterThan(first.fencingToken);
    await second.release();
  });

  it('txn() applies writes while held, and Consul itself refuses them once the session is gone', async () => {
    const prefix = uniquePrefix('lock-fence');
    const held = await lock(client, `${prefix}.lock`, { lockDelay: '0s' });
    const { data } = await held.txn(txn.builder().kv.set(`${prefix}data`, 'one').kv.get(`${prefix}data`));
    expect(data.kv.map((p) => [p.Key, new TextDecoder().decode(p.Value)])).toEqual([
      [`${prefix}data`, ''],
      [`${prefix}data`, 'one'],
    ]);
    // the session is destroyed behind the holder's back; the write is attempted at once, whatever the
    // client believes (txn() never consults the client-side lost flag): Consul refuses it
    await raw(`/v1/session/destroy/${held.session}`, { method: 'PUT' });
    const refused = await held.txn([{ KV: { Verb: 'set', Key: `${prefix}data`, Value: 'two' } }]).catch((e: unknown) => e);
    expect(isTransactionError(refused)).toBe(true);
    expect((refused as TransactionError).status).toBe(409); // Consul's answer, not a client-side refusal
    expect((refused as TransactionError).errors).toEqual([
      { OpIndex: 0, What: expect.stringMatching(/failed session check/) },
    ]);
    expect(new TextDecoder().decode((await kv.getRecord(client, `${prefix}data`)).data?.Value)).toBe('one');
    expect(isLockLostError(await aborted(held.signal))).toBe(true);
    await held.release();
  });

  it("txn() of an old holder is refused while the new holder's succeeds", async () => {
    const prefix = uniquePrefix('lock-fence-takeover');
    const old = await lock(client, `${prefix}.lock`, { lockDelay: '0s' });
    await raw(`/v1/session/destroy/${old.session}`, { method: 'PUT' });
    const next = await lock(client, `${prefix}.lock`, { wait: '10s' });
    expect(next.fencingToken).toBeGreaterThan(old.fencingToken);
    await expect(old.txn(txn.builder().kv.set(`${prefix}data`, 'old'))).rejects.toSatisfy(isTransactionError);
    await next.txn(txn.builder().kv.set(`${prefix}data`, 'new'));
    expect(new TextDecoder().decode((await kv.getRecord(client, `${prefix}data`)).data?.Value)).toBe('new');
    await old.release();
    await next.release();
  });
});

describe('lock: monitor options', () => {
  it('a healthy hold outlives many monitor windows: blocking reads of monitorTimeout/2 confirm it in time', async () => {
    const key = `${uniquePrefix('lock-monitor-healthy')}k`;
    const held = await lock(client, key, { monitorTimeout: '1s' });
    const slot = await semaphore(client, `${key}-sem`, 1, { monitorTimeout: '1s' });
    await sleep(3500); // several windows
    expect(held.signal.aborted).toBe(false);
    expect(slot.signal.aborted).toBe(false);
    await held.release();
    await slot.release();
  });

  it('refuses a monitorTimeout below 100 ms or that is not a duration, before sending', async () => {
    const key = `${uniquePrefix('lock-monitor-opt')}k`;
    await expect(lock(client, key, { monitorTimeout: '10ms' })).rejects.toSatisfy(isInputError);
    await expect(lock(client, key, { monitorTimeout: 'soon' as '1s' })).rejects.toSatisfy(isInputError);
    expect((await kv.getRecord(client, key)).data).toBeUndefined();
  });
});

describe('lock: a failure between the acquisition and the hand-over', () => {
  it('releases the key it acquired when reading its LockIndex fails, so nobody waits out a lock-delay', async () => {
    const key = `${uniquePrefix('lock-acquired-then-failed')}.lock`;
    let acquired = false;
    const failing = testClient({
      retry: { limit: 0 },
      // the first read after the acquiring PUT fails as an unreachable agent would
      fetch: async (input, init) => {
        const request = new Request(input, init);
        if (acquired && request.method === 'GET') {
          acquired = false;
          throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
        }
        const response = await fetch(request);
        if (request.method === 'PUT' && new URL(request.url).searchParams.has('acquire')) acquired = true;
        return response;
      },
    });
    await expect(lock(failing, key, { lockDelay: '15s' })).rejects.toThrow(/ECONNREFUSED|connection refused/);
    // not left held, and released rather than invalidated: the next holder gets it at once (no 15 s lock-delay)
    expect((await kv.getRecord(client, key)).data?.Session).toBeUndefined();
    const next = await lock(client, key, { tryOnce: true });
    await next.release();
  });
});
