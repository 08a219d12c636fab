// Item 5 on a real cluster: a lock or semaphore holder whose client agent dies (SIGKILL) or hangs
// (SIGSTOP) is told it lost the hold BEFORE anybody else, connected through another client agent,
// acquires it. The tests assert the order of the two events and print the measured gap.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Consul, createClient, isLockLostError, lock, semaphore } from '../../src/index.ts';
import type { Client, HeldLock, HeldSemaphore } from '../../src/index.ts';
import { heal, kill } from '../support/cluster.mjs';

const cluster = inject('cluster');
const [c1, c2] = cluster.clients as [(typeof cluster.clients)[0], (typeof cluster.clients)[0]];
let counter = 0;
const unique = (name: string): string => `test/cluster-${name}-${process.pid}-${Date.now().toString(36)}-${counter++}`;

const toRelease: (HeldLock | HeldSemaphore)[] = [];
afterEach(async () => {
  await heal(cluster); // SIGCONT / restart what a test broke, then wait until every member is alive
  await Promise.all(toRelease.splice(0).map((h) => h.release().catch(() => undefined)));
});

/** Resolves with Date.now() when the signal fires (and its reason). */
function lossTime(signal: AbortSignal): Promise<{ at: number; reason: unknown }> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve({ at: Date.now(), reason: signal.reason });
    else signal.addEventListener('abort', () => resolve({ at: Date.now(), reason: signal.reason }), { once: true });
  });
}

/** Resolves with Date.now() when the acquisition settles. */
async function acquiredTime<T extends HeldLock | HeldSemaphore>(acquiring: Promise<T>): Promise<{ at: number; held: T }> {
  const held = await acquiring;
  toRelease.push(held);
  return { at: Date.now(), held };
}

function report(what: string, fault: string, faultAt: number, losses: number[], acquiredAt: number): void {
  const lastLoss = Math.max(...losses);
  console.log(
    `[item 5] ${what}, agent ${fault}: loss signalled ${losses.map((l) => `+${l - faultAt} ms`).join(', ')}; ` +
      `next holder acquired +${acquiredAt - faultAt} ms; gap ${acquiredAt - lastLoss} ms`,
  );
}

const clientOf = (agent: { address: string }): Client => createClient({ address: agent.address });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Longer than the default monitorTimeout (2 s): the holds have been confirmed by blocking reads meanwhile. */
const SETTLE_MS = 2_500;

describe.each(['SIGKILL', 'SIGSTOP'] as const)('holders behind a client agent that gets %s', (fault) => {
  it('a limit-2 semaphore: both old holders are told before the waiter gets a slot', async () => {
    const prefix = unique('sem');
    const old = clientOf(c1);
    const a = await semaphore(old, prefix, 2);
    const b = await semaphore(old, prefix, 2);
    toRelease.push(a, b);
    const lostA = lossTime(a.signal);
    const lostB = lossTime(b.signal);
    const waiting = acquiredTime(semaphore(clientOf(c2), prefix, 2, { wait: '30s' }));
    await sleep(SETTLE_MS);
    expect([a.signal.aborted, b.signal.aborted]).toEqual([false, false]); // a healthy hold is kept
    const faultAt = Date.now();
    await kill(c1, fault);
    const [la, lb, acquired] = await Promise.all([lostA, lostB, waiting]);
    expect(isLockLostError(la.reason)).toBe(true);
    expect(isLockLostError(lb.reason)).toBe(true);
    report('semaphore (limit 2)', fault, faultAt, [la.at, lb.at], acquired.at);
    expect(la.at).toBeLessThan(acquired.at);
    expect(lb.at).toBeLessThan(acquired.at);
  });

  it("a lock with lockDelay '0s': the old holder is told before the waiter acquires", async () => {
    const key = `${unique('lock')}/.lock`;
    const held = await lock(clientOf(c1), key, { lockDelay: '0s' });
    toRelease.push(held);
    const lost = lossTime(held.signal);
    const waiting = acquiredTime(lock(clientOf(c2), key, { lockDelay: '0s', wait: '30s' }));
    await sleep(SETTLE_MS);
    expect(held.signal.aborted).toBe(false);
    const faultAt = Date.now();
    await kill(c1, fault);
    const [l, acquired] = await Promise.all([lost, waiting]);
    expect(isLockLostError(l.reason)).toBe(true);
    report("lock (lockDelay '0s')", fault, faultAt, [l.at], acquired.at);
    expect(l.at).toBeLessThan(acquired.at);
  });
});

describe('release() after a loss, with the agent still down', () => {
  it('resolves for a semaphore slot and for a lock, also one that cleans up its key (no NetworkError from the dead agent)', async () => {
    const old = clientOf(c1);
    const slot = await semaphore(old, unique('sem-release'), 2);
    const held = await lock(old, `${unique('lock-release')}/.lock`, { lockDelay: '0s' });
    const tidy = await new Consul({ address: c1.address }).lock.acquire(unique('facade-release').replace(/\//g, '-'));
    const lost = Promise.all([slot, held, tidy].map((h) => lossTime(h.signal)));
    await kill(c1);
    for (const { reason } of await lost) expect(isLockLostError(reason)).toBe(true);
    await expect(slot.release()).resolves.toBeUndefined();
    await expect(held.release()).resolves.toBeUndefined();
    await expect(tidy.release()).resolves.toBeUndefined();
  });

  it('resolves while a hung (SIGSTOPped) agent never answers, long before the client timeout, for a slot and a lock', async () => {
    // a client timeout far longer than the test's: a release that waited for the hung agent could not resolve in time
    const old = createClient({ address: c1.address, timeout: 120_000 });
    const slot = await semaphore(old, unique('sem-hung'), 2);
    const held = await lock(old, `${unique('lock-hung')}/.lock`, { lockDelay: '0s' });
    const lost = Promise.all([slot, held].map((h) => lossTime(h.signal)));
    await kill(c1, 'SIGSTOP');
    for (const { reason } of await lost) expect(isLockLostError(reason)).toBe(true);
    let released = false;
    await Promise.all([slot.release(), held.release()]).then(() => {
      released = true;
    });
    // the agent is still stopped here (heal() resumes it after the test)
    expect(released).toBe(true);
  }, 30_000);
});
