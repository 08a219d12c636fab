/**
 * Distributed locks, done the way HashiCorp's Go `api` `Lock` does them, and stored in its format,
 * so that `consul lock PREFIX cmd` (which locks `PREFIX/.lock`) and {@link lock} on `PREFIX/.lock`
 * exclude each other in both directions:
 *
 * - a session (default TTL 15 s, renewed every TTL/2) is created unless one is given;
 * - the key is read with a blocking query while someone else holds it, then acquired with
 *   `?acquire=<session>` and Go's flags `0x2ddccbc058a50c18`;
 * - when an acquire fails although nobody holds the key, a lock-delay is in effect: it is waited
 *   out with short retries;
 * - once held, the key is monitored (consistent blocking reads): the lock's `signal` fires when the
 *   session is invalidated, the key is taken or deleted, or Consul has not answered for
 *   `monitorTimeout` (2 s by default; Go's client gives up at the first failed read, but waits on
 *   a hung agent as long as its HTTP client lets it);
 * - a held lock carries a fencing token (`fencingToken`, the key's `LockIndex`) and makes fenced
 *   writes (`txn`): transactions that Consul itself refuses once the lock's session no longer holds it.
 *
 * The Python consulate's locks are plain session-acquired keys with flags 0: with `flags:
 * CONSULATE_LOCK_FLAGS` the same algorithm locks in that format, and excludes (and is excluded by) the
 * original's `consul.lock.acquire` and `run_once` on the same key. `consul.lock` (`createLockApi`) and
 * `consulate run_once` do so.
 *
 * **The remaining window.** No client can know at once that Consul gave its lock away. If the
 * agent the client talks to dies or hangs, Consul invalidates the sessions of that node when serf
 * declares it failed (a few seconds with Consul's default gossip settings: 3–7.5 s measured on
 * loopback; less with faster gossip settings), and a waiter may acquire then (after the lock-delay,
 * 15 s by default). The monitor gives the lock up when Consul has not answered it for
 * `monitorTimeout` (2 s by default; its reads block for half of that), so the `signal` fires before
 * that — but a process that was paused (GC, SIGSTOP, a VM migration) can still act on a lock it no
 * longer holds between the loss and noticing it. Keep `monitorTimeout` (+ `monitorRetries` ×
 * `monitorRetryTime`) below Consul's failure detection and keep a lock-delay; and make what the lock
 * protects safe with fencing: write through {@link HeldLock.txn}, or check {@link HeldLock.fencingToken}
 * in the resource you write to.
 * @see https://developer.hashicorp.com/consul/docs/dynamic-app-config/sessions/application-leader-election
 * @module
 */
import type { Client } from '../core/client.ts';
import type { FacadeEntry } from '../core/bind.ts';
import { perClient } from '../core/bind.ts';
import type { Duration } from '../core/encoding.ts';
import { needsTxn, normalizeKey, uint64 } from '../core/encoding.ts';
import { InputError, LockConflictError, LockHeldError, LockLostError, LockTimeoutError } from '../core/errors.ts';
import type { WriteOptions } from '../core/query.ts';
import type { Result } from '../core/request.ts';
import { asyncDispose, sleep } from '../core/async.ts';
import { blockingWait, checkDeadline, contention, fencedTxn, lockSession, monitorClient, releaseVia, monitorHold, runHeld, writeOptions } from './contention.ts';
import { BACKOFF, backoff } from '../core/retry.ts';
import type { KVValue } from '../endpoints/kv.ts';
import { acquireLock, getRecord, releaseLock, remove } from '../endpoints/kv.ts';
import { encodeValue } from '../schemas/kv.ts';
import type { TxnInput, TxnOptions, TxnResults } from '../endpoints/txn.ts';

/** Go's `api.LockFlagValue`: the flags of a lock key (above 2^53, hence a bigint). */
export const LOCK_FLAG_VALUE: bigint = 0x2ddccbc058a50c18n;
/**
 * The flags of the Python consulate's lock keys (`consulate.api.lock.Lock` sets none, so Consul stores 0):
 * the flags of `consul.lock` and of `consulate run_once`, so that they and the original exclude each other.
 */
export const CONSULATE_LOCK_FLAGS: bigint = 0n;
/** Go's `api.DefaultLockSessionName`. */
export const DEFAULT_LOCK_SESSION_NAME = 'Consul API Lock';
export { DEFAULT_LOCK_SESSION_TTL } from './contention.ts';


/** Options of {@link lock} and {@link withLock}. */
export interface LockAcquireOptions extends WriteOptions {
  /** Value stored in the lock key while held (Go stores it on acquire and on release). @default "" */
  value?: KVValue | undefined;
  /**
   * The lock key's flags (uint64): stored on acquire and release, and expected of an existing key — a key
   * with other flags is not a lock of this kind ({@link LockConflictError}). Go's `LockFlagValue` by
   * default, which `consul lock` uses; {@link CONSULATE_LOCK_FLAGS} (0) is the Python consulate's format.
   * @default LOCK_FLAG_VALUE (0x2ddccbc058a50c18)
   */
  flags?: number | bigint | undefined;
  /** TTL of the session created for the lock (10 s … 24 h), renewed every TTL/2. @default "15s" */
  ttl?: Duration | undefined;
  /**
   * Lock-delay of the created session: after the session is invalidated (not after a release), the
   * key cannot be acquired for this long. [Consul's default: 15 s]
   */
  lockDelay?: Duration | undefined;
  /**
   * Give up after waiting this long, with a {@link LockTimeoutError}. Waits forever by default.
   */
  wait?: Duration | undefined;
  /** Do not wait: throw a {@link LockHeldError} when the lock is held (or in lock-delay). */
  tryOnce?: boolean | undefined;
  /** Aborts the acquisition (rejects with the signal's reason; the session is destroyed). */
  signal?: AbortSignal;
  /** Name of the created session. @default "Consul API Lock" */
  sessionName?: string | undefined;
  /** Use this existing session instead of creating (and renewing, and destroying) one. */
  session?: string | undefined;
  /**
   * The longest the hold may go unconfirmed: the monitor's consistent blocking reads wait half of it,
   * a read that fails is tried again while it lasts, and when Consul has not answered for this long
   * the lock is given up (its `signal` fires). Keep it below Consul's failure detection of a dead or
   * hung agent (3 s or more with Consul's default gossip settings), or the lock may be handed on
   * before this holder knows. A Go duration or milliseconds, at least 100 ms; longer means fewer
   * reads (one per `monitorTimeout`/2 while nothing changes). @default "2s"
   */
  monitorTimeout?: Duration | undefined;
  /**
   * Widens the monitor's window by this many `monitorRetryTime`s, like `consul lock -monitor-retry`:
   * the hold is given up after `monitorTimeout` + `monitorRetries` × `monitorRetryTime` without
   * confirmation. Riding out a longer outage this way lets a lock be handed on before the holder
   * knows. @default 0 (Go's `MonitorRetries`)
   */
  monitorRetries?: number | undefined;
  /** See `monitorRetries`. @default 1000 */
  monitorRetryTime?: Duration | undefined;
  /** On release, also delete the key if nobody else took it meanwhile (check-and-set), like Go's `Lock.Destroy`. @default false */
  cleanup?: boolean | undefined;
}

/** A held lock, from {@link lock}. Release it with `release()` or `await using`. */
export interface HeldLock {
  /** The lock key. */
  readonly key: string;
  /** The session holding it. */
  readonly session: string;
  /**
   * The fencing token: the key's `LockIndex` when this hold began. Consul increments it at every
   * acquisition, so a later holder always has a larger one: a resource that remembers the largest
   * token it has seen can refuse writes carrying a smaller one. (`key` + `session` + `fencingToken`
   * is what Consul's docs call a sequencer.)
   */
  readonly fencingToken: number;
  /**
   * Fires when the lock is no longer held: lost (reason: a {@link LockLostError} — session
   * invalidated or expired, key taken or deleted, the hold not confirmed within `monitorTimeout`) or
   * released. It fires when the loss is noticed: see the module's note on the remaining window.
   */
  readonly signal: AbortSignal;
  /**
   * A fenced write: runs `ops` as one transaction preceded by a `check-session` of the lock key, so
   * Consul applies them only while this lock's session still holds the key — whatever this client
   * believes. Sent even after `signal` fired (Consul decides). The results are those of `ops`.
   * @throws {TransactionError} when Consul refuses: `errors` has `OpIndex` 0 when the lock was lost
   * (the `signal` then fires too); the operations of `ops` are numbered from 1.
   * @throws what `txn.run` throws (InputError for invalid operations, before sending; at most 63 operations, the check-session being the 64th).
   * @example
   * ```ts
   * await held.txn(txn.builder().kv.set('jobs/nightly/state', 'done'));
   * ```
   */
  txn(ops: TxnInput, options?: TxnOptions): Promise<Result<TxnResults>>;
  /**
   * Releases the lock and destroys the session it created. Idempotent. After a loss it resolves
   * (what cannot be undone on an unreachable agent is left to Consul: the session expires).
   */
  release(): Promise<void>;
  /** Same as {@link HeldLock.release}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Acquires a lock on `key` and keeps it until released; stored in Go's format (interoperable with
 * `consul lock` on `PREFIX/.lock` and with Go's `api.Lock`).
 * @param key - the lock key (e.g. `service/leader`, or `PREFIX/.lock` to share a lock with `consul lock PREFIX`).
 * @returns a {@link HeldLock}; its `signal` fires when the lock is lost (or could not be confirmed for
 *   `monitorTimeout`, 2 s by default — see the module's note on the remaining window).
 * @throws {LockHeldError} with `tryOnce` when someone holds the lock (or a lock-delay is in effect).
 * @throws {LockTimeoutError} when `wait` runs out.
 * @throws {LockConflictError} when the key exists with other flags than `flags` (a plain key, a semaphore).
 * @throws {InputError} for an empty key, bad `flags`, a bad TTL/duration (`monitorTimeout` below 100 ms) or `tryOnce` with `wait` — before sending.
 * @throws the `signal`'s reason when aborted.
 * @see https://developer.hashicorp.com/consul/api-docs/kv#acquire
 * @example
 * ```ts
 * await using held = await lock(client, 'jobs/nightly/.lock', { wait: '30s' });
 * await runJob({ signal: held.signal }); // stop when the lock is lost
 * // a write Consul itself refuses (TransactionError) if the lock was lost meanwhile
 * await held.txn(txn.builder().kv.set('jobs/nightly/state', 'done'));
 * ```
 */
export async function lock(client: Client, key: string, options: LockAcquireOptions = {}): Promise<HeldLock> {
  const k = normalizeKey(key);
  if (needsTxn(k)) throw new InputError(`lock key ${JSON.stringify(k)} has "//" or "."/".." segments: a lock needs blocking reads, which such keys cannot have`);
  if (k === '') throw new InputError('lock key must not be empty');
  const settings = contention(options);
  const value = encodeValue(options.value ?? '', k);
  const flags = options.flags === undefined ? LOCK_FLAG_VALUE : BigInt(uint64(options.flags, 'flags'));
  const write = writeOptions(options);
  const signal = options.signal;
  signal?.throwIfAborted();

  const held = new AbortController();
  const lose = (message: string, cause?: unknown): void => {
    if (!held.signal.aborted) held.abort(new LockLostError(`lock ${JSON.stringify(k)} lost: ${message}`, { key: k, cause }));
  };
  const session = await lockSession(client, options, settings, { name: DEFAULT_LOCK_SESSION_NAME }, (reason) =>
    lose('its session expired', reason),
  );
  const id = session.id;
  const reading = { ...write, ...(signal ? { signal } : {}) };
  let fencingToken = 0;
  let acquired = false;
  try {
    let index: bigint | undefined;
    let delayRetries = 0;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      if (attempt > 0 && !options.tryOnce) checkDeadline(settings, k, 'lock');
      const { data: pair, meta } = await getRecord(
        client,
        k,
        index === undefined ? reading : { ...reading, index, wait: blockingWait(settings) },
      );
      if (pair && pair.Flags !== flags) {
        const held = pair.Session ? `, held by session ${pair.Session}` : '';
        throw new LockConflictError(`key ${JSON.stringify(k)} exists with flags ${pair.Flags}${held}, not a lock's of this kind (${flags})`, { key: k, holder: pair.Session });
      }
      if (pair?.Session === id) {
        fencingToken = pair.LockIndex;
        break;
      }
      if (pair?.Session) {
        if (options.tryOnce) throw new LockHeldError(`lock ${JSON.stringify(k)} is held by session ${pair.Session}`, { key: k, holder: pair.Session });
        index = meta.index;
        continue;
      }
      const { data: locked } = await acquireLock(client, k, id, { ...reading, value, flags });
      if (locked) {
        acquired = true;
        // the acquire answers only true: read the LockIndex (the fencing token) it set
        const { data: mine } = await getRecord(client, k, { ...reading, consistency: 'consistent' });
        if (mine?.Session === id) {
          fencingToken = mine.LockIndex;
          break;
        }
        acquired = false;
        index = undefined; // lost at once (session invalidated): start over
        continue;
      }
      // Why did it fail? Held by someone who was faster, or a lock-delay.
      const again = await getRecord(client, k, reading);
      const holder = again.data?.Session;
      if (holder && holder !== id) {
        if (options.tryOnce) throw new LockHeldError(`lock ${JSON.stringify(k)} is held by session ${holder}`, { key: k, holder });
        index = again.meta.index;
        continue;
      }
      if (options.tryOnce) throw new LockHeldError(`lock ${JSON.stringify(k)} is in its lock-delay`, { key: k });
      checkDeadline(settings, k, 'lock');
      await sleep(Math.min(backoff(++delayRetries, BACKOFF.lockDelay), settings.deadline - Date.now()), signal);
      index = undefined;
    }
  } catch (error) {
    // acquired but not handed over (the LockIndex read failed or was aborted): let go at once, so that
    // a given session does not keep the key and a created one does not impose a lock-delay
    if (acquired) {
      const via = releaseVia(client, settings, write, true);
      await releaseLock(via.client, k, id, { ...via.write, value, flags }).catch(() => undefined);
      await session.close(via.signal).catch(() => undefined);
    } else {
      await session.close().catch(() => undefined);
    }
    throw error;
  }

  // Held: monitor the key until released or lost.
  const monitorStop = new AbortController();
  const monitoring = monitorClient(client);
  void monitorHold(settings, write, monitorStop.signal, (o) => getRecord(monitoring, k, o), (pair) => {
    if (!pair) return 'the key was deleted';
    if (pair.Session !== id) return pair.Session ? `taken by session ${pair.Session}` : 'its session was invalidated or the lock released';
    return undefined;
  }, lose);

  let releasing: Promise<void> | undefined;
  const release = (): Promise<void> => {
    releasing ??= (async () => {
      monitorStop.abort();
      const wasLost = held.signal.aborted;
      if (!wasLost) held.abort(new DOMException(`lock ${JSON.stringify(k)} released`, 'AbortError'));
      const via = releaseVia(client, settings, write, wasLost);
      try {
        await releaseLock(via.client, k, id, { ...via.write, value, flags });
        if (options.cleanup) {
          const { data: pair } = await getRecord(via.client, k, via.write);
          if (pair && !pair.Session && pair.Flags === flags) await remove(via.client, k, { ...via.write, cas: pair.ModifyIndex });
        }
      } catch (error) {
        // after a loss, Consul's answer (or an unreachable agent) changes nothing
        if (!wasLost) throw error;
      } finally {
        await session.close(via.signal);
      }
    })();
    return releasing;
  };
  const txn = (ops: TxnInput, txnOptions: TxnOptions = {}): Promise<Result<TxnResults>> =>
    fencedTxn(client, k, id, ops, { ...write, ...txnOptions }, (error) => lose(`Consul refused a fenced write: ${error.message}`, error));
  return { key: k, session: id, fencingToken, signal: held.signal, txn, release, [asyncDispose]: release };
}

/**
 * Runs `fn` while holding the lock on `key`; the lock is released and its session destroyed when
 * `fn` settles, throws, or the acquisition is aborted. `fn` receives the held lock: stop working when
 * `lock.signal` fires (it also fires when `options.signal` aborts while `fn` runs).
 * @returns what `fn` returns.
 * @throws what {@link lock} throws, and what `fn` throws.
 * @example
 * ```ts
 * const total = await withLock(client, 'counters/.lock', async ({ signal }) => {
 *   const { data } = await kv.get(client, 'counters/total', { signal });
 *   await kv.set(client, 'counters/total', String(Number(data ?? 0) + 1), { signal });
 * }, { wait: '10s' });
 * ```
 */
export async function withLock<T>(
  client: Client,
  key: string,
  fn: (lock: HeldLock) => T | Promise<T>,
  options: LockAcquireOptions = {},
): Promise<T> {
  const held = await lock(client, key, options);
  return runHeld(held, options.signal, fn);
}

/** Options of `consul.lock.acquire` and `consul.lock.with`: a lock's options, and where the key goes. */
export interface LockApiOptions extends LockAcquireOptions {
  /**
   * The folder of the lock key, like the Python consulate's `consul.lock.prefix(value)`: the key is
   * `<prefix>/<key>`; `""` locks `<key>` itself (what the original's `run_once` does). Trailing `/`s are
   * dropped. @default "consulate/locks"
   */
  prefix?: string | undefined;
}

/**
 * `consul.lock`: the Python consulate's lock API, bound to a client. Its keys are the original's:
 * `consulate/locks/<key>` (another folder with `prefix`), flags 0, a session per lock, the key deleted on
 * release when nobody took it meanwhile, so that a Python process using `consul.lock.acquire(key)` and
 * this one exclude each other. The session has a TTL (15 s, renewed), where the original's has none.
 */
export interface LockApi {
  /** The default folder of the lock keys: `consulate/locks` (change it per call with the `prefix` option). */
  readonly prefix: string;
  /**
   * consulate's `lock.acquire(key, value)`: locks `consulate/locks/<key>` (a random UUID when no key
   * is given; another folder with `prefix`), with flags 0 like the original. Like consulate it does not
   * wait: a held lock throws {@link LockHeldError} (the original's `LockFailure`), unless `wait` (or
   * `tryOnce: false`) is given. The key is deleted on release when nobody else holds it.
   * @throws what {@link lock} throws; {@link InputError} for an empty key.
   * @example
   * ```ts
   * await using held = await consul.lock.acquire('nightly-report', 'host-1');
   * // the original's consul.lock.prefix('jobs'): jobs/nightly-report
   * await using job = await consul.lock.acquire('nightly-report', undefined, { prefix: 'jobs' });
   * ```
   */
  acquire(key?: string, value?: KVValue, options?: LockApiOptions): Promise<HeldLock>;
  /**
   * Runs `fn` under `consulate/locks/<key>` (same defaults as {@link LockApi.acquire}) and always releases.
   * @throws what {@link LockApi.acquire} throws, and what `fn` throws.
   * @example await consul.lock.with('nightly-report', async ({ signal }) => report(signal));
   */
  with<T>(key: string, fn: (lock: HeldLock) => T | Promise<T>, options?: LockApiOptions): Promise<T>;
}

/** The default folder of `consul.lock`'s keys (the Python consulate's `Lock.DEFAULT_PREFIX`). */
const DEFAULT_FACADE_PREFIX = 'consulate/locks';

/** The facade's lock key and options for consulate's defaults. */
function facadeArgs(key: string, options: LockApiOptions): [string, LockAcquireOptions] {
  const { prefix = DEFAULT_FACADE_PREFIX, ...rest } = options;
  const opts: LockAcquireOptions = { cleanup: true, flags: CONSULATE_LOCK_FLAGS, ...rest };
  if (opts.tryOnce === undefined && opts.wait === undefined) opts.tryOnce = true;
  if (typeof key !== 'string' || key === '') throw new InputError('lock name must be a non-empty string');
  if (typeof prefix !== 'string') throw new InputError(`lock prefix must be a string, got ${typeof prefix}`);
  const folder = prefix.replace(/\/+$/, '');
  return [folder === '' ? key : `${folder}/${key}`, opts];
}

/** Builds `consul.lock` for a client. */
export function createLockApi(client: Client): LockApi {
  return {
    prefix: DEFAULT_FACADE_PREFIX,
    async acquire(key?: string, value?: KVValue, options: LockApiOptions = {}) {
      const [k, opts] = facadeArgs(key ?? crypto.randomUUID(), value === undefined ? options : { ...options, value });
      return lock(client, k, opts);
    },
    async with<T>(key: string, fn: (held: HeldLock) => T | Promise<T>, options: LockApiOptions = {}) {
      const [k, opts] = facadeArgs(key, options);
      return withLock(client, k, fn, opts);
    },
  };
}

/** `consul.lock` on the `Consul` facade: {@link createLockApi} for the facade's client (built on {@link lock} and {@link withLock}). */
export const lockFacade: FacadeEntry<LockApi> = /* @__PURE__ */ perClient(createLockApi, lock, withLock);
