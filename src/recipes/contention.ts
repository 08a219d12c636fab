/**
 * What locks and semaphores share: option checks, the session (created and renewed, or given),
 * deadlines and retry pauses, and running a callback under a held lock. Internal: not a subpath export.
 * @module
 */
import type { Client } from '../core/client.ts';
import type { Duration } from '../core/encoding.ts';
import { durationMs, formatDuration } from '../core/encoding.ts';
import type { TransactionError } from '../core/errors.ts';
import { InputError, isNetworkError, isServerError, isTimeoutError, isTooManyRequestsError, isTransactionError, LockTimeoutError, TimeoutError } from '../core/errors.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import type { Result } from '../core/request.ts';
import { sleep } from '../core/async.ts';
import { create as createSession, destroy as destroySession } from '../endpoints/session.ts';
import { checkSessionTtl } from '../schemas/session.ts';
import type { TxnInput, TxnOperation, TxnOptions, TxnResults } from '../endpoints/txn.ts';
import { run as runTxn } from '../endpoints/txn.ts';
import type { SessionRenewer } from './renewer.ts';
import { renewPeriodically } from './renewer.ts';

/** Longest single blocking read while waiting (Go's `DefaultLockWaitTime`). */
const LOCK_WAIT_MS = 15_000;
/**
 * Default of `monitorTimeout`: the longest a hold goes unconfirmed. Shorter than Consul's failure
 * detection of a dead or hung agent (serf, default gossip settings: 3–7.5 s measured on loopback), after
 * which a session tied to that agent's node is invalidated and the lock handed on.
 */
export const DEFAULT_MONITOR_TIMEOUT_MS = 2_000;
/** Pause before a monitor read that failed is tried again within the window. */
const MONITOR_RETRY_PAUSE_MS = 200;

/** Failures a monitor may ride out: network, timeouts, 429 and 5xx. @internal */
export function isRetryable(error: unknown): boolean {
  return isNetworkError(error) || isTimeoutError(error) || isServerError(error) || isTooManyRequestsError(error);
}

/** The checked common options of a lock or semaphore. @internal */
export interface Contention {
  /** Absolute deadline (ms since epoch), Infinity without `wait`. */
  deadline: number;
  /** Session TTL text, `""` for none. */
  ttl: string;
  /**
   * How long a hold may go unconfirmed before it is given up, ms: `monitorTimeout` +
   * `monitorRetries` × `monitorRetryTime`.
   */
  monitorWindowMs: number;
  /** Wait of the monitor's blocking reads, ms (half of `monitorTimeout`). */
  monitorWaitMs: number;
}

/** Go's `api.DefaultLockSessionTTL`. */
export const DEFAULT_LOCK_SESSION_TTL = '15s';

/**
 * What this module reads of a lock's or semaphore's options (`LockAcquireOptions` in `recipes/lock.ts`
 * documents each field). @internal
 */
export interface ContentionOptions extends WriteOptions {
  ttl?: Duration | undefined;
  lockDelay?: Duration | undefined;
  wait?: Duration | undefined;
  tryOnce?: boolean | undefined;
  sessionName?: string | undefined;
  session?: string | undefined;
  monitorTimeout?: Duration | undefined;
  monitorRetries?: number | undefined;
  monitorRetryTime?: Duration | undefined;
}

/** Checks the options shared by locks and semaphores. @internal */
export function contention(options: ContentionOptions): Contention {
  if (options.tryOnce && options.wait !== undefined) throw new InputError('give tryOnce or wait, not both');
  const ttl = checkSessionTtl(options.ttl ?? DEFAULT_LOCK_SESSION_TTL);
  const waitMs = options.wait === undefined ? Number.POSITIVE_INFINITY : durationMs(options.wait, 'wait');
  const monitorRetries = options.monitorRetries ?? 0;
  if (!Number.isInteger(monitorRetries) || monitorRetries < 0) {
    throw new InputError(`monitorRetries must be a non-negative integer, got ${String(options.monitorRetries)}`);
  }
  const monitorRetryMs = options.monitorRetryTime === undefined ? 1000 : durationMs(options.monitorRetryTime, 'monitorRetryTime');
  const monitorTimeoutMs = options.monitorTimeout === undefined ? DEFAULT_MONITOR_TIMEOUT_MS : durationMs(options.monitorTimeout, 'monitorTimeout');
  if (!(monitorTimeoutMs >= 100)) throw new InputError(`monitorTimeout must be at least 100ms, got ${JSON.stringify(options.monitorTimeout)}`);
  return {
    deadline: Date.now() + waitMs,
    ttl: durationMs(ttl, 'ttl') === 0 ? '' : ttl,
    monitorWindowMs: monitorTimeoutMs + monitorRetries * monitorRetryMs,
    // Consul answers a blocking read within wait + wait/16: half the timeout leaves the rest for the trip
    monitorWaitMs: Math.max(10, Math.floor(monitorTimeoutMs / 2)),
  };
}

/** A session for a lock or semaphore: given, or created and renewed. @internal */
export interface LockSession {
  id: string;
  /** Stops renewing and destroys the session when it was created here (best effort, within `signal`). */
  close(signal?: AbortSignal): Promise<void>;
}

/** Creates (and starts renewing) the session of a lock or semaphore, unless one was given. @internal */
export async function lockSession(
  client: Client,
  options: ContentionOptions,
  settings: Contention,
  defaults: { name: string; behavior?: 'delete' },
  onExpired: (reason: unknown) => void,
): Promise<LockSession> {
  const write = writeOptions(options);
  if (options.session !== undefined) return { id: options.session, close: async (_signal?: AbortSignal) => {} };
  const { data: id } = await createSession(
    client,
    {
      Name: options.sessionName ?? defaults.name,
      ...(settings.ttl ? { TTL: settings.ttl } : {}),
      ...(options.lockDelay === undefined ? {} : { LockDelay: formatDuration(options.lockDelay, 'lockDelay') }),
      ...(defaults.behavior ? { Behavior: defaults.behavior } : {}),
    },
    { ...write, ...(options.signal ? { signal: options.signal } : {}) },
  );
  let renewer: SessionRenewer | undefined;
  // the renewer does not destroy: close() does, within the caller's signal (a hung agent after a loss)
  if (settings.ttl) renewer = renewPeriodically(client, id, { ...write, ttl: settings.ttl, onExpired, destroyOnStop: false });
  return {
    id,
    close: async (signal?: AbortSignal) => {
      if (renewer) await renewer.stop();
      await destroySession(client, id, signal ? { ...write, signal } : write).catch(() => undefined);
    },
  };
}

/**
 * How a release talks to Consul: as asked while held; after a loss, best effort — no client retries
 * and at most one monitor window in all, so a dead or hung agent cannot hold the caller (the session
 * and keys are Consul's to clean up then). @internal
 */
export function releaseVia(client: Client, settings: Contention, write: WriteOptions, lost: boolean): { client: Client; write: WriteOptions; signal?: AbortSignal } {
  if (!lost) return { client, write };
  const signal = AbortSignal.timeout(settings.monitorWindowMs);
  return { client: monitorClient(client), write: { ...write, signal }, signal };
}

/** The WriteOptions part of lock options (datacenter, namespace, partition, token). @internal */
export function writeOptions(options: WriteOptions): WriteOptions {
  const out: WriteOptions = {};
  if (options.datacenter !== undefined) out.datacenter = options.datacenter;
  if (options.namespace !== undefined) out.namespace = options.namespace;
  if (options.partition !== undefined) out.partition = options.partition;
  if (options.token !== undefined) out.token = options.token;
  return out;
}

/** Throws the timeout error when the deadline has passed. @internal */
export function checkDeadline(settings: Contention, key: string, what: string): void {
  if (Date.now() >= settings.deadline) {
    throw new LockTimeoutError(`could not acquire ${what} ${JSON.stringify(key)} within the wait given`, { key });
  }
}

/** How long one blocking read may wait before the deadline. @internal */
export function blockingWait(settings: Contention): number {
  return Math.max(1, Math.min(LOCK_WAIT_MS, settings.deadline - Date.now()));
}

/** Runs `fn` with a view of `held` whose signal also fires on `outer`; always releases. @internal */
export async function runHeld<H extends { signal: AbortSignal; release(): Promise<void> }, T>(
  held: H,
  outer: AbortSignal | undefined,
  fn: (held: H) => T | Promise<T>,
): Promise<T> {
  const scope = new AbortController();
  const fromHeld = (): void => scope.abort(held.signal.reason);
  const fromOuter = (): void => scope.abort(outer?.reason);
  if (held.signal.aborted) fromHeld();
  else held.signal.addEventListener('abort', fromHeld, { once: true });
  if (outer?.aborted) fromOuter();
  else outer?.addEventListener('abort', fromOuter, { once: true });
  const view: H = Object.create(held, { signal: { value: scope.signal, enumerable: true } }) as H;
  let result: T;
  try {
    result = await fn(view);
  } catch (error) {
    await held.release().catch(() => undefined);
    throw error;
  } finally {
    held.signal.removeEventListener('abort', fromHeld);
    outer?.removeEventListener('abort', fromOuter);
  }
  await held.release();
  return result;
}


/**
 * The client the monitor reads with: the same transport and settings, but without the client's own
 * retries (the monitor decides what to retry, within its window). @internal
 */
export function monitorClient(client: Client): Client {
  const config = Object.freeze({ ...client.config, retry: Object.freeze({ ...client.config.retry, limit: 0 }) });
  return Object.freeze({ ...client, config });
}

/**
 * Watches a held lock or semaphore slot until `stop` aborts, with consistent blocking reads (`read`,
 * which must not retry by itself: see {@link monitorClient}). `check` returns why the hold is lost
 * (or `undefined` while it holds). The hold counts as confirmed when a read is answered (the agent was
 * alive then, so Consul cannot declare its node failed for a few seconds more). Reads block for
 * `monitorWaitMs` and are aborted when Consul has not answered for `monitorWindowMs`; a read that
 * fails (network, 5xx, 429, timeout) is tried again after a short pause while the window lasts. Calls
 * `lose(reason, cause?)` once: when `check` says so, when the window runs out, or at a failure that is
 * not transient. Start it right after the acquisition was answered. @internal
 */
export async function monitorHold<T>(
  settings: Contention,
  write: WriteOptions,
  stop: AbortSignal,
  read: (options: ReadOptions) => Promise<Result<T>>,
  check: (data: T) => string | undefined,
  lose: (reason: string, cause?: unknown) => void,
): Promise<void> {
  let index: bigint | undefined;
  let confirmed = Date.now();
  let lastError: unknown;
  const window = settings.monitorWindowMs;
  while (!stop.aborted) {
    const left = confirmed + window - Date.now();
    if (left <= 0) {
      return lose(`not confirmed for ${window} ms (Consul did not answer)`, lastError ?? new TimeoutError(`no answer within ${window} ms`));
    }
    const attempt = new AbortController();
    const onStop = (): void => attempt.abort(stop.reason);
    stop.addEventListener('abort', onStop, { once: true });
    const timer = setTimeout(
      () => attempt.abort(new TimeoutError(`Consul did not answer the monitor for ${window} ms`)),
      left,
    );
    try {
      const opts: ReadOptions = { ...write, consistency: 'consistent', signal: attempt.signal, wait: settings.monitorWaitMs };
      const { data, meta } = await read(index === undefined ? opts : { ...opts, index });
      if (stop.aborted) return;
      const lost = check(data);
      if (lost !== undefined) return lose(lost);
      confirmed = Date.now();
      lastError = undefined;
      index = meta.index !== undefined && meta.index > 0n && (index === undefined || meta.index >= index) ? meta.index : undefined;
    } catch (error) {
      if (stop.aborted) return;
      const cause = attempt.signal.aborted ? attempt.signal.reason : error;
      if (!isRetryable(cause)) return lose('Consul could not be read', cause);
      lastError = cause;
      index = undefined;
      const pause = Math.min(MONITOR_RETRY_PAUSE_MS, confirmed + window - Date.now());
      if (pause > 0) await sleep(pause, stop);
    } finally {
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
    }
  }
}

/**
 * Runs `ops` as one transaction after a `check-session` of `key` by `session`: Consul applies them
 * only while the session holds the key. The check's own result (always the first) is left out. A refusal
 * of the check (OpIndex 0) is passed to `onLost` before the {@link TransactionError} is rethrown. @internal
 */
export async function fencedTxn(
  client: Client,
  key: string,
  session: string,
  ops: TxnInput,
  options: TxnOptions,
  onLost: (error: TransactionError) => void,
): Promise<Result<TxnResults>> {
  const list: unknown = Array.isArray(ops) ? ops : (ops as { ops?: unknown } | null | undefined)?.ops;
  if (!Array.isArray(list)) throw new InputError('a fenced write takes an array of operations (or a txn builder)');
  if (list.length > 63) throw new InputError(`a fenced write takes at most 63 operations (the check-session is the 64th), got ${list.length}`);
  const guard: TxnOperation = { KV: { Verb: 'check-session', Key: key, Session: session } };
  try {
    const { data, meta } = await runTxn(client, [guard, ...(list as readonly TxnOperation[])], options);
    // Consul answers the check with the lock key's entry (measured on 1.8.7): leave it out
    if (data.kv[0]?.Key === key) {
      data.results.shift();
      data.kv.shift();
    }
    return { data, meta };
  } catch (error) {
    if (isTransactionError(error) && error.errors.some((e) => e.OpIndex === 0)) onLost(error);
    throw error;
  }
}
