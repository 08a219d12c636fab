/**
 * What locks and semaphores share: option checks, the session (created and renewed, or given),
 * deadlines and retry pauses, and running a callback under a held lock. Internal: not a subpath export.
 * @module
 */
import type { Client } from '../core/client.ts';
import { durationMs } from '../core/encoding.ts';
import { InputError, isNetworkError, isServerError, isTimeoutError, isTooManyRequestsError, LockTimeoutError } from '../core/errors.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import type { Result } from '../core/request.ts';
import { sleep } from '../core/async.ts';
import type { SessionRenewer } from '../endpoints/session.ts';
import { checkSessionTtl, create as createSession, destroy as destroySession, renewPeriodically } from '../endpoints/session.ts';
import type { LockAcquireOptions } from './lock.ts';
import { DEFAULT_LOCK_SESSION_TTL } from './lock.ts';

/** Longest single blocking read while waiting (Go's `DefaultLockWaitTime`). */
const LOCK_WAIT_MS = 15_000;
/** Retries while a lock-delay is in effect: from 100 ms doubling to Go's `DefaultLockRetryTime` (5 s). */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

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
  /** Monitor retries. */
  monitorRetries: number;
  /** Monitor retry pause, ms. */
  monitorRetryMs: number;
}

/** Checks the options shared by locks and semaphores. @internal */
export function contention(options: LockAcquireOptions): Contention {
  if (options.tryOnce && options.wait !== undefined) throw new InputError('give tryOnce or wait, not both');
  const ttl = checkSessionTtl(options.ttl ?? DEFAULT_LOCK_SESSION_TTL);
  const waitMs = options.wait === undefined ? Number.POSITIVE_INFINITY : durationMs(options.wait, 'wait');
  const monitorRetries = options.monitorRetries ?? 3;
  if (!Number.isInteger(monitorRetries) || monitorRetries < 0) {
    throw new InputError(`monitorRetries must be a non-negative integer, got ${String(options.monitorRetries)}`);
  }
  const monitorRetryMs = options.monitorRetryTime === undefined ? 1000 : durationMs(options.monitorRetryTime, 'monitorRetryTime');
  return { deadline: Date.now() + waitMs, ttl: durationMs(ttl, 'ttl') === 0 ? '' : ttl, monitorRetries, monitorRetryMs };
}

/** A session for a lock or semaphore: given, or created and renewed. @internal */
export interface LockSession {
  id: string;
  /** Stops renewing and destroys the session when it was created here. */
  close(): Promise<void>;
}

/** Creates (and starts renewing) the session of a lock or semaphore, unless one was given. @internal */
export async function lockSession(
  client: Client,
  options: LockAcquireOptions,
  settings: Contention,
  defaults: { name: string; behavior?: 'delete' },
  onExpired: (reason: unknown) => void,
): Promise<LockSession> {
  const write = writeOptions(options);
  if (options.session !== undefined) return { id: options.session, close: async () => {} };
  const { data: id } = await createSession(
    client,
    {
      name: options.sessionName ?? defaults.name,
      ...(settings.ttl ? { ttl: settings.ttl } : {}),
      ...(options.lockDelay === undefined ? {} : { lockDelay: options.lockDelay }),
      ...(defaults.behavior ? { behavior: defaults.behavior } : {}),
    },
    { ...write, ...(options.signal ? { signal: options.signal } : {}) },
  );
  let renewer: SessionRenewer | undefined;
  if (settings.ttl) renewer = renewPeriodically(client, id, { ...write, ttl: settings.ttl, onExpired });
  return {
    id,
    close: async () => {
      if (renewer) await renewer.stop();
      else await destroySession(client, id, write).catch(() => undefined);
    },
  };
}

/** The WriteOptions part of lock options (dc, ns, partition, token). @internal */
export function writeOptions(options: WriteOptions): WriteOptions {
  const out: WriteOptions = {};
  if (options.dc !== undefined) out.dc = options.dc;
  if (options.ns !== undefined) out.ns = options.ns;
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

/** The lock-delay retry pause for attempt n (1-based). @internal */
export function retryDelay(attempt: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (attempt - 1));
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
 * Watches a held lock or semaphore slot until `stop` aborts: consistent blocking reads with `read`;
 * `check` returns why the hold is lost (or `undefined` while it holds); transient failures are ridden
 * out `settings.monitorRetries` times. Calls `lose(reason, cause?)` once when the hold is lost. @internal
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
  let retries = settings.monitorRetries;
  const opts: ReadOptions = { ...write, consistency: 'consistent', signal: stop };
  while (!stop.aborted) {
    try {
      const { data, meta } = await read(index === undefined ? opts : { ...opts, index });
      if (stop.aborted) return;
      const lost = check(data);
      if (lost !== undefined) return lose(lost);
      retries = settings.monitorRetries;
      index = meta.index !== undefined && meta.index > 0n && (index === undefined || meta.index >= index) ? meta.index : undefined;
    } catch (error) {
      if (stop.aborted) return;
      if (retries > 0 && isRetryable(error)) {
        retries--;
        index = undefined;
        await sleep(settings.monitorRetryMs, stop);
        continue;
      }
      return lose('Consul could not be read', error);
    }
  }
}
