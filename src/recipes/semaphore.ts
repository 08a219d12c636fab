/**
 * Distributed semaphores (up to `limit` holders), done the way HashiCorp's Go `api` `Semaphore`
 * does them and stored in its format, so that they interoperate with `consul lock -n N PREFIX cmd`
 * and Go's `api.Semaphore`:
 *
 * - each contender creates a session (behavior `delete`, TTL renewed every TTL/2) and acquires the
 *   key `PREFIX/<session>` with flags `0xe0f69a2baa414de0`;
 * - the slot holders are listed in `PREFIX/.lock` as JSON `{"Limit":N,"Holders":{"<session>":true}}`
 *   (same flags), updated with check-and-set; holders whose contender key is gone are pruned;
 * - while all slots are taken, the prefix is read with blocking queries; once held, it is monitored
 *   and the semaphore's `signal` fires when the slot is lost, or when the hold could not be confirmed
 *   for `monitorTimeout` (2 s by default).
 *
 * The slot is given up before Consul can hand it on when the agent dies or hangs, as long as
 * `monitorTimeout` stays below Consul's failure detection; a paused process can still act late.
 * See the note on the remaining window in `consulate/lock`, and use {@link HeldSemaphore.txn} for
 * writes that Consul refuses once the slot's session is gone.
 * @see https://developer.hashicorp.com/consul/docs/dynamic-app-config/sessions
 * @module
 */
import type { Client } from '../core/client.ts';
import type { FacadeEntry } from '../core/bind.ts';
import { perClient } from '../core/bind.ts';
import { needsTxn, normalizeKey, parseJson } from '../core/encoding.ts';
import { ConsulError, InputError, LockConflictError, LockHeldError, LockLostError } from '../core/errors.ts';
import { asyncDispose, sleep } from '../core/async.ts';
import type { KVPair } from '../endpoints/kv.ts';
import { acquireLock, getRecord, records, remove, set } from '../endpoints/kv.ts';
import { encodeValue } from '../schemas/kv.ts';
import type { Result } from '../core/request.ts';
import type { TxnInput, TxnOptions, TxnResults } from '../endpoints/txn.ts';
import type { LockAcquireOptions } from './lock.ts';
import { blockingWait, checkDeadline, contention, fencedTxn, lockSession, monitorClient, releaseVia, monitorHold, runHeld, writeOptions } from './contention.ts';

/** Go's `api.SemaphoreFlagValue`: the flags of a semaphore's keys (above 2^53, hence a bigint). */
export const SEMAPHORE_FLAG_VALUE: bigint = 0xe0f69a2baa414de0n;
/** Go's `api.DefaultSemaphoreSessionName`. */
export const DEFAULT_SEMAPHORE_SESSION_NAME = 'Consul API Semaphore';
/** Go's `api.DefaultSemaphoreKey`: the coordination key inside the prefix. */
export const SEMAPHORE_LOCK_KEY = '.lock';

/**
 * Options of {@link semaphore}: the same as a lock's (`value` is stored in the contender key,
 * `cleanup` is not used; the session is created with behavior `delete`).
 */
export type SemaphoreOptions = Omit<LockAcquireOptions, 'cleanup'>;

/** A held semaphore slot, from {@link semaphore}. Release it with `release()` or `await using`. */
export interface HeldSemaphore {
  /** The semaphore's prefix (without a trailing `/`). */
  readonly prefix: string;
  /** The number of slots. */
  readonly limit: number;
  /** The contender key, `<prefix>/<session>`. */
  readonly key: string;
  /** The session holding the slot. */
  readonly session: string;
  /**
   * Fires when the slot is no longer held: lost (reason: a {@link LockLostError} — session
   * invalidated, removed from the holders, the hold not confirmed within `monitorTimeout`) or released.
   */
  readonly signal: AbortSignal;
  /**
   * A fenced write: runs `ops` as one transaction preceded by a `check-session` of the contender key,
   * so Consul applies them only while this slot's session lives (its contender key is deleted with
   * it) — whatever this client believes.
   * @throws {TransactionError} when Consul refuses: `errors` has `OpIndex` 0 when the slot's session is
   * gone (the `signal` then fires too); the operations of `ops` are numbered from 1 (at most 63 of them).
   * @example await slot.txn(txn.builder().kv.set('jobs/encoders/out/1', 'done'));
   */
  txn(ops: TxnInput, options?: TxnOptions): Promise<Result<TxnResults>>;
  /**
   * Gives the slot back, deletes the contender key and destroys the session it created. Idempotent.
   * After a loss it resolves whatever Consul answers (an unreachable agent, a lost slot): the session
   * and its contender key are Consul's to clean up then.
   */
  release(): Promise<void>;
  /** Same as {@link HeldSemaphore.release}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** The decoded `.lock` value. */
interface SemaphoreLock {
  Limit: number;
  Holders: Record<string, boolean>;
}

function decodeLock(pair: KVPair | undefined, prefix: string, limit: number): SemaphoreLock {
  if (!pair || pair.Value.length === 0) return { Limit: limit, Holders: {} };
  let value: unknown;
  try {
    value = parseJson(new TextDecoder().decode(pair.Value));
  } catch {
    value = undefined;
  }
  const v = value as Partial<SemaphoreLock> | undefined;
  if (!v || typeof v !== 'object' || typeof v.Limit !== 'number' || (v.Holders !== null && typeof v.Holders !== 'object')) {
    throw new LockConflictError(`${pair.Key} does not hold a semaphore's {"Limit","Holders"} JSON`, { key: prefix });
  }
  return { Limit: v.Limit, Holders: { ...(v.Holders ?? {}) } };
}

/** Removes holders whose contender key is gone (their session was invalidated). */
function pruneDeadHolders(lock: SemaphoreLock, pairs: KVPair[]): void {
  const alive = new Set(pairs.flatMap((p) => (p.Session ? [p.Session] : [])));
  for (const holder of Object.keys(lock.Holders)) if (!alive.has(holder)) delete lock.Holders[holder];
}

/**
 * Takes one of `limit` slots of the semaphore at `prefix` and keeps it until released; stored in
 * Go's format (interoperable with `consul lock -n <limit> <prefix>` and Go's `api.Semaphore`).
 * @param prefix - the semaphore's KV prefix (a trailing `/` is ignored).
 * @param limit - the number of slots; every contender must agree on it.
 * @returns a {@link HeldSemaphore}; its `signal` fires when the slot is lost, or when Consul has not
 *   answered its monitor for `monitorTimeout` (2 s by default; see the remaining window in `consulate/lock`).
 * @throws {LockHeldError} with `tryOnce` when all slots are taken.
 * @throws {LockTimeoutError} when `wait` runs out.
 * @throws {LockConflictError} when `<prefix>/.lock` is not a semaphore's or has another limit.
 * @throws {InputError} for an empty prefix, a limit < 1, bad TTL/durations — before sending.
 * @throws the `signal`'s reason when aborted.
 * @example
 * ```ts
 * await using slot = await semaphore(client, 'jobs/encoders', 2, { wait: '1m' });
 * await encode({ signal: slot.signal });
 * ```
 */
export async function semaphore(client: Client, prefix: string, limit: number, options: SemaphoreOptions = {}): Promise<HeldSemaphore> {
  const p = normalizeKey(prefix).replace(/\/+$/, '');
  if (needsTxn(`${p}/x`)) throw new InputError(`semaphore prefix ${JSON.stringify(p)} has "//" or "."/".." segments: a semaphore needs blocking reads, which such keys cannot have`);
  if (p === '') throw new InputError('semaphore prefix must not be empty');
  if (!Number.isSafeInteger(limit) || limit < 1) throw new InputError(`semaphore limit must be a positive integer, got ${String(limit)}`);
  const settings = contention(options);
  const value = encodeValue(options.value ?? '', p);
  const write = writeOptions(options);
  const signal = options.signal;
  signal?.throwIfAborted();
  const lockKey = `${p}/${SEMAPHORE_LOCK_KEY}`;
  const listPrefix = `${p}/`;

  const held = new AbortController();
  const lose = (message: string, cause?: unknown): void => {
    if (!held.signal.aborted) held.abort(new LockLostError(`semaphore ${JSON.stringify(p)} slot lost: ${message}`, { key: p, cause }));
  };
  const session = await lockSession(
    client,
    options,
    settings,
    { name: DEFAULT_SEMAPHORE_SESSION_NAME, behavior: 'delete' },
    (reason) => lose('its session expired', reason),
  );
  const id = session.id;
  const contenderKey = `${p}/${id}`;
  const reading = { ...write, ...(signal ? { signal } : {}) };

  const findLock = (pairs: KVPair[]): KVPair | undefined => pairs.find((pair) => pair.Key === lockKey);
  const checkLock = (pair: KVPair | undefined): SemaphoreLock => {
    if (pair && pair.Flags !== SEMAPHORE_FLAG_VALUE) {
      throw new LockConflictError(`${lockKey} exists with flags ${pair.Flags}, not a semaphore's (${SEMAPHORE_FLAG_VALUE})`, { key: p });
    }
    const decoded = decodeLock(pair, p, limit);
    if (decoded.Limit !== limit) {
      throw new LockConflictError(`semaphore ${JSON.stringify(p)} has limit ${decoded.Limit}, not ${limit}`, { key: p });
    }
    return decoded;
  };

  try {
    const { data: made } = await acquireLock(client, contenderKey, id, { ...reading, value, flags: SEMAPHORE_FLAG_VALUE });
    if (!made) throw new ConsulError(`could not create the contender entry ${contenderKey}`);
    let index: bigint | undefined;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      if (attempt > 0 && !options.tryOnce) checkDeadline(settings, p, 'semaphore');
      const { data: pairs, meta } = await records(
        client,
        listPrefix,
        index === undefined ? reading : { ...reading, index, wait: blockingWait(settings) },
      );
      const lockPair = findLock(pairs);
      const state = checkLock(lockPair);
      pruneDeadHolders(state, pairs);
      if (state.Holders[id]) break;
      if (Object.keys(state.Holders).length >= state.Limit) {
        if (options.tryOnce) {
          throw new LockHeldError(`all ${state.Limit} slots of semaphore ${JSON.stringify(p)} are taken`, { key: p });
        }
        index = meta.index;
        continue;
      }
      state.Holders[id] = true;
      const { data: swapped } = await set(client, lockKey, JSON.stringify(state), {
        ...reading,
        cas: lockPair?.ModifyIndex ?? 0,
        flags: SEMAPHORE_FLAG_VALUE,
      });
      if (swapped) break;
      // raced with another contender: look again at once
      index = undefined;
    }
  } catch (error) {
    await remove(client, contenderKey, write).catch(() => undefined);
    await session.close().catch(() => undefined);
    throw error;
  }

  const monitorStop = new AbortController();
  const monitoring = monitorClient(client);
  void monitorHold(settings, write, monitorStop.signal, (o) => records(monitoring, listPrefix, o), (pairs) => {
    const state = decodeLock(findLock(pairs), p, limit);
    pruneDeadHolders(state, pairs);
    return state.Holders[id] ? undefined : 'no longer among the holders (session invalidated or removed)';
  }, lose);

  let releasing: Promise<void> | undefined;
  const release = (): Promise<void> => {
    releasing ??= (async () => {
      monitorStop.abort();
      const wasLost = held.signal.aborted;
      if (!wasLost) held.abort(new DOMException(`semaphore ${JSON.stringify(p)} slot released`, 'AbortError'));
      const via = releaseVia(client, settings, write, wasLost);
      try {
        // Remove ourselves from the holders (check-and-set, retried on races), then the contender key.
        for (let tries = 0; tries < 100; tries++) {
          const { data: pair } = await getRecord(via.client, lockKey, via.write);
          if (!pair) break;
          let state: SemaphoreLock;
          try {
            state = decodeLock(pair, p, limit);
          } catch {
            break;
          }
          if (!state.Holders[id]) break;
          delete state.Holders[id];
          const { data: swapped } = await set(via.client, lockKey, JSON.stringify(state), {
            ...via.write,
            cas: pair.ModifyIndex,
            flags: SEMAPHORE_FLAG_VALUE,
          });
          if (swapped) break;
        }
        await remove(via.client, contenderKey, via.write);
      } catch (error) {
        // like a lock's release: after a loss, Consul's answer (or silence) changes nothing
        if (!wasLost) throw error;
      } finally {
        await session.close(via.signal);
      }
    })();
    return releasing;
  };
  const txn = (ops: TxnInput, txnOptions: TxnOptions = {}): Promise<Result<TxnResults>> =>
    fencedTxn(client, contenderKey, id, ops, { ...write, ...txnOptions }, (error) => lose(`Consul refused a fenced write: ${error.message}`, error));
  return { prefix: p, limit, key: contenderKey, session: id, signal: held.signal, txn, release, [asyncDispose]: release };
}

/**
 * Runs `fn` while holding a slot of the semaphore at `prefix`; the slot is released and the session
 * destroyed when `fn` settles or throws. `fn`'s `signal` fires when the slot is lost or `options.signal` aborts.
 * @returns what `fn` returns.
 * @throws what {@link semaphore} throws, and what `fn` throws.
 * @example
 * ```ts
 * await withSemaphore(client, 'jobs/encoders', 2, ({ signal }) => encode({ signal }), { wait: '1m' });
 * ```
 */
export async function withSemaphore<T>(
  client: Client,
  prefix: string,
  limit: number,
  fn: (slot: HeldSemaphore) => T | Promise<T>,
  options: SemaphoreOptions = {},
): Promise<T> {
  const held = await semaphore(client, prefix, limit, options);
  return runHeld(held, options.signal, fn);
}

/** `consul.semaphore`: {@link semaphore} and {@link withSemaphore} bound to a client (raw prefixes). */
export interface SemaphoreApi {
  /**
   * Takes a slot of the semaphore at `prefix` (waits unless `tryOnce` or `wait` say otherwise).
   * @example await using slot = await consul.semaphore.acquire('jobs/encoders', 2);
   */
  acquire(prefix: string, limit: number, options?: SemaphoreOptions): Promise<HeldSemaphore>;
  /**
   * Runs `fn` holding a slot of the semaphore at `prefix`; always releases.
   * @example await consul.semaphore.with('jobs/encoders', 2, ({ signal }) => encode({ signal }));
   */
  with<T>(prefix: string, limit: number, fn: (slot: HeldSemaphore) => T | Promise<T>, options?: SemaphoreOptions): Promise<T>;
}

/** Builds `consul.semaphore` for a client. */
export function createSemaphoreApi(client: Client): SemaphoreApi {
  return {
    acquire: (prefix, limit, options = {}) => semaphore(client, prefix, limit, options),
    with: (prefix, limit, fn, options = {}) => withSemaphore(client, prefix, limit, fn, options),
  };
}

/** `consul.semaphore` on the `Consul` facade: {@link createSemaphoreApi} for the facade's client. */
export const semaphoreFacade: FacadeEntry<SemaphoreApi> = /* @__PURE__ */ perClient(createSemaphoreApi, semaphore, withSemaphore);
