// Semaphores (Go's api.Semaphore format) against a real Consul agent, including `consul lock -n N`.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import * as kv from '../../src/endpoints/kv.ts';
import * as session from '../../src/endpoints/session.ts';
import {
  Consul,
  isInputError,
  isLockConflictError,
  isLockHeldError,
  isLockLostError,
  isLockTimeoutError,
  isTransactionError,
  LOCK_FLAG_VALUE,
  lock,
  SEMAPHORE_FLAG_VALUE,
  semaphore,
  withSemaphore,
} from '../../src/index.ts';
import type { TransactionError } from '../../src/index.ts';
import { raw, testClient, uniquePrefix } from '../support/client.ts';

const client = testClient();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const env = () => ({ ...process.env, CONSUL_HTTP_ADDR: inject('consulAddress') });
const prefixFor = (name: string) => uniquePrefix(name).replace(/\/$/, '');

async function lockState(prefix: string): Promise<{ Limit: number; Holders: Record<string, boolean> } | undefined> {
  const rec = (await kv.getRecord(client, `${prefix}/.lock`)).data;
  return rec && rec.Value.length ? JSON.parse(new TextDecoder().decode(rec.Value)) : undefined;
}

function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
  });
}

function consulCli(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(inject('consulBin'), args, { env: env(), timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

function consulLockProcess(args: string[]): { stop(): Promise<void> } {
  const child = spawn(inject('consulBin'), ['lock', ...args], { env: env(), stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(child.pid!, 'SIGTERM');
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

describe('semaphore: acquire and release', () => {
  it("stores Go's format: contender key PREFIX/<session> and PREFIX/.lock {Limit, Holders} with flags 0xe0f69a2baa414de0", async () => {
    const prefix = prefixFor('sem');
    const slot = await semaphore(client, `${prefix}/`, 2, { value: 'worker-1' });
    expect(slot).toMatchObject({ prefix, limit: 2, key: `${prefix}/${slot.session}` });
    const contender = (await kv.getRecord(client, slot.key)).data!;
    expect(contender.Session).toBe(slot.session);
    expect(contender.Flags).toBe(SEMAPHORE_FLAG_VALUE);
    expect(contender.Flags).toBe(16210313421097356768n);
    expect(new TextDecoder().decode(contender.Value)).toBe('worker-1');
    const lockRec = (await kv.getRecord(client, `${prefix}/.lock`)).data!;
    expect(lockRec.Flags).toBe(SEMAPHORE_FLAG_VALUE);
    expect(JSON.parse(new TextDecoder().decode(lockRec.Value))).toEqual({ Limit: 2, Holders: { [slot.session]: true } });
    expect((await session.read(client, slot.session)).data).toMatchObject({ Name: 'Consul API Semaphore', Behavior: 'delete' });
    await slot.release();
    expect(slot.signal.aborted).toBe(true);
    expect(isLockLostError(slot.signal.reason)).toBe(false);
    expect(await lockState(prefix)).toEqual({ Limit: 2, Holders: {} });
    expect((await kv.getRecord(client, slot.key)).data).toBeUndefined();
    expect((await session.read(client, slot.session)).data).toBeUndefined();
  });

  it('admits at most `limit` holders; the next one gets LockHeldError (tryOnce) or LockTimeoutError (wait)', async () => {
    const prefix = prefixFor('sem-full');
    await using a = await semaphore(client, prefix, 2);
    await using b = await semaphore(client, prefix, 2);
    expect(a.session).not.toBe(b.session);
    await expect(semaphore(client, prefix, 2, { tryOnce: true })).rejects.toSatisfy(isLockHeldError);
    await expect(semaphore(client, prefix, 2, { wait: '300ms' })).rejects.toSatisfy(isLockTimeoutError);
    // failed contenders left nothing behind
    expect((await kv.keys(client, `${prefix}/`)).data.sort()).toEqual([`${prefix}/.lock`, a.key, b.key].sort());
  });

  it('a waiting contender gets a slot when one is released', async () => {
    const prefix = prefixFor('sem-wait');
    const a = await semaphore(client, prefix, 1);
    const waiting = semaphore(client, prefix, 1);
    await sleep(200);
    await a.release();
    const b = await waiting;
    expect(await lockState(prefix)).toEqual({ Limit: 1, Holders: { [b.session]: true } });
    await b.release();
  });

  it('4 contenders x 3 rounds with limit 2: never more than 2 inside', async () => {
    const prefix = prefixFor('sem-concurrency');
    let inside = 0;
    let maxInside = 0;
    let runs = 0;
    const contender = async () => {
      for (let i = 0; i < 3; i++) {
        await withSemaphore(client, prefix, 2, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await sleep(20);
          inside--;
          runs++;
        });
      }
    };
    await Promise.all(Array.from({ length: 4 }, contender));
    expect(runs).toBe(12);
    expect(maxInside).toBeLessThanOrEqual(2);
    expect(maxInside).toBeGreaterThanOrEqual(1);
  });

  it('prunes holders whose session died, and signals the lost slot', async () => {
    const prefix = prefixFor('sem-prune');
    const a = await semaphore(client, prefix, 1, { lockDelay: '0s' });
    await raw(`/v1/session/destroy/${a.session}`, { method: 'PUT' }); // behavior=delete removes its contender key
    expect(isLockLostError(await aborted(a.signal))).toBe(true);
    const b = await semaphore(client, prefix, 1, { tryOnce: true });
    expect(await lockState(prefix)).toEqual({ Limit: 1, Holders: { [b.session]: true } });
    await b.release();
    await a.release();
  });

  it('refuses a limit that disagrees with PREFIX/.lock, a lock key, and bad arguments', async () => {
    const prefix = prefixFor('sem-conflict');
    await using _a = await semaphore(client, prefix, 2);
    await expect(semaphore(client, prefix, 3, { tryOnce: true })).rejects.toSatisfy(isLockConflictError);
    // a lock (not a semaphore) on PREFIX/.lock
    const lockPrefix = prefixFor('sem-vs-lock');
    await using _l = await lock(client, `${lockPrefix}/.lock`);
    expect((await kv.getRecord(client, `${lockPrefix}/.lock`)).data?.Flags).toBe(LOCK_FLAG_VALUE);
    await expect(semaphore(client, lockPrefix, 2, { tryOnce: true })).rejects.toSatisfy(isLockConflictError);
    await expect(lock(client, `${prefix}/.lock`, { tryOnce: true })).rejects.toSatisfy(isLockConflictError);
    await expect(semaphore(client, prefix, 0)).rejects.toSatisfy(isInputError);
    await expect(semaphore(client, '/', 2)).rejects.toSatisfy(isInputError);
  });

  it('is bound on the facade (acquire, with)', async () => {
    const consul = new Consul({ address: inject('consulAddress') });
    const prefix = prefixFor('sem-facade');
    {
      await using slot = await consul.semaphore.acquire(prefix, 1);
      expect(await lockState(prefix)).toEqual({ Limit: 1, Holders: { [slot.session]: true } });
    }
    const result = await consul.semaphore.with(prefix, 1, async (slot) => (await lockState(prefix))?.Holders[slot.session]);
    expect(result).toBe(true);
  });
});

describe('semaphore: interop with `consul lock -n N`', () => {
  it('`consul lock -n 2 -timeout=2s` does not run while we hold both slots; we are refused while the CLI holds one of 2 taken', async () => {
    const prefix = prefixFor('sem-cli');
    const dir = mkdtempSync(join(tmpdir(), 'consulate-sem-'));
    const marker = join(dir, 'ran');
    let cli: { stop(): Promise<void> } | undefined;
    try {
      const a = await semaphore(client, prefix, 2);
      const b = await semaphore(client, prefix, 2);
      const refused = await consulCli(['lock', '-n', '2', '-timeout=2s', prefix, 'touch', marker]);
      expect(refused.code).not.toBe(0);
      expect(refused.output).toMatch(/timeout during lock acquisition/);
      expect(existsSync(marker)).toBe(false);

      await b.release();
      cli = consulLockProcess(['-n', '2', prefix, 'sleep', '30']);
      let state = await lockState(prefix);
      for (let i = 0; i < 200 && Object.keys(state?.Holders ?? {}).length < 2; i++) {
        await sleep(50);
        state = await lockState(prefix);
      }
      expect(state?.Limit).toBe(2);
      const cliSession = Object.keys(state!.Holders).find((s) => s !== a.session)!;
      expect(cliSession).toBeDefined();
      expect((await kv.getRecord(client, `${prefix}/${cliSession}`)).data?.Flags).toBe(SEMAPHORE_FLAG_VALUE);
      await expect(semaphore(client, prefix, 2, { tryOnce: true })).rejects.toSatisfy(isLockHeldError);

      await cli.stop();
      cli = undefined;
      const c = await semaphore(client, prefix, 2, { wait: '10s' }); // the CLI's slot is free again
      expect(Object.keys((await lockState(prefix))!.Holders).sort()).toEqual([a.session, c.session].sort());
      await c.release();
      await a.release();
      const ran = await consulCli(['lock', '-n', '2', '-timeout=5s', prefix, 'touch', marker]);
      expect(ran.code).toBe(0);
      expect(existsSync(marker)).toBe(true);
    } finally {
      await cli?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('semaphore: fencing', () => {
  it('txn() applies writes while the slot is held, and Consul refuses them once its session is gone', async () => {
    const prefix = prefixFor('sem-fence');
    const slot = await semaphore(client, prefix, 2);
    const { data } = await slot.txn([{ KV: { Verb: 'set', Key: `${prefix}-data`, Value: 'one' } }]);
    expect(data.kv.map((p) => p.Key)).toEqual([`${prefix}-data`]);
    await raw(`/v1/session/destroy/${slot.session}`, { method: 'PUT' }); // deletes the contender key too
    const refused = await slot.txn([{ KV: { Verb: 'set', Key: `${prefix}-data`, Value: 'two' } }]).catch((e: unknown) => e);
    expect(isTransactionError(refused)).toBe(true);
    expect((refused as TransactionError).errors[0]?.OpIndex).toBe(0);
    expect(new TextDecoder().decode((await kv.getRecord(client, `${prefix}-data`)).data?.Value)).toBe('one');
    expect(isLockLostError(await aborted(slot.signal))).toBe(true);
    await slot.release();
  });
});
