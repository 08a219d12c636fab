/**
 * The retry policy, declared once: which requests and statuses are retried, how many times, the
 * backoff between attempts and how far a `Retry-After` may push it — and every other backoff consulate
 * runs (watches, lock-delay retries, session renewals). The ky transport hands the request policy to
 * ky's `retry` ({@link kyRetry}); the Node transport asks {@link requestRetryDelay}; watches, locks and the
 * session renewer call {@link backoff} with their row of {@link BACKOFF}, and all of them wait with the
 * one `sleep` of `core/async.ts`. Internal: not a subpath export.
 * @module
 */

/** A request retry policy (the shape of a client's resolved `retry` option). */
export interface RetryPolicy {
  /** How many times a failed read is retried. */
  readonly limit: number;
  /** Statuses that are retried. */
  readonly statusCodes: readonly number[];
  /** Upper bound of the backoff between attempts, ms. */
  readonly backoffLimit: number;
}

/** The defaults of a client's `retry` option: reads retried twice on 408, 429, 502, 503, 504, backoff ≤ 3 s. */
export const RETRY_DEFAULTS: RetryPolicy = Object.freeze({
  limit: 2,
  statusCodes: Object.freeze([408, 429, 502, 503, 504]),
  backoffLimit: 3000,
});

/** Statuses whose `Retry-After` header is honoured (ky's `afterStatusCodes`). */
export const RETRY_AFTER_STATUSES: readonly number[] = Object.freeze([429, 503]);

/** The longest `Retry-After` honoured for a request without a timeout, ms. */
export const RETRY_AFTER_CAP_MS = 60_000;

/**
 * The longest `Retry-After` honoured for a request with this timeout: the timeout itself (a proxy's
 * large `Retry-After` must not hold a read far past it), or {@link RETRY_AFTER_CAP_MS} without one.
 */
export function retryAfterCap(timeout: number | false): number {
  return timeout === false ? RETRY_AFTER_CAP_MS : timeout;
}

/** An exponential backoff: `initial` ms, doubling with every attempt, capped at `max` ms. */
export interface Backoff {
  /** Delay before the first retry, ms. */
  readonly initial: number;
  /** Longest delay, ms. */
  readonly max: number;
  /** Half fixed, half random (spreads clients that failed together); none by default. */
  readonly jitter?: boolean | undefined;
}

/**
 * A request's retries (ky's default delay): 0.3 s doubling, capped at the policy's `backoffLimit`. Its own
 * function, so that a bundle with the transport alone does not carry the whole {@link BACKOFF} table.
 */
function requestBackoff(policy: Pick<RetryPolicy, 'backoffLimit'>): Backoff {
  return { initial: 300, max: policy.backoffLimit };
}

/** Every backoff consulate runs, in one table. */
export const BACKOFF: {
  readonly request: (policy: Pick<RetryPolicy, 'backoffLimit'>) => Backoff;
  readonly watch: Backoff;
  readonly lockDelay: Backoff;
  readonly sessionRenew: Backoff;
} = /* @__PURE__ */ Object.freeze({
  /** A request's retries (ky's default delay): 0.3 s doubling, capped at the policy's `backoffLimit`. */
  request: requestBackoff,
  /** A watch after a failed read (its `backoff` option's defaults): 1 s doubling to 30 s, jittered. */
  watch: /* @__PURE__ */ Object.freeze({ initial: 1000, max: 30_000, jitter: true }),
  /** Lock and semaphore retries while a lock-delay is in effect: 100 ms doubling to Go's `DefaultLockRetryTime` (5 s). */
  lockDelay: /* @__PURE__ */ Object.freeze({ initial: 100, max: 5000 }),
  /** The session renewer after a failed renewal: 0.5 s doubling to 5 s (and never past the TTL). */
  sessionRenew: /* @__PURE__ */ Object.freeze({ initial: 500, max: 5000 }),
});

/**
 * The delay before retry number `attempt` (1-based): `initial` × 2^(attempt−1), capped at `max`;
 * with `jitter`, a random point in its upper half.
 */
export function backoff(attempt: number, policy: Backoff): number {
  const base = Math.min(policy.max, policy.initial * 2 ** (attempt - 1));
  return policy.jitter ? base / 2 + (Math.random() * base) / 2 : base;
}

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date; never negative), or undefined. */
export function parseRetryAfter(value: string | readonly string[] | null | undefined): number | undefined {
  const text = typeof value === 'string' ? value : value?.[0];
  if (text === undefined || text.trim() === '') return undefined;
  const seconds = Number(text);
  const ms = Number.isNaN(seconds) ? Date.parse(text) - Date.now() : seconds * 1000;
  return Number.isNaN(ms) ? undefined : Math.max(0, ms);
}

/** What a transport knows of one request when deciding on a retry. */
export interface RetryRequest {
  /** Retry limit of this request (0 for writes). */
  readonly retries: number;
  /** Statuses the endpoint takes as data (never retried). */
  readonly accept?: readonly number[] | undefined;
  /** The request's timeout (caps a `Retry-After`). */
  readonly timeout: number | false;
}

/** Whether a response with this status is retried (when attempts are left). */
export function retriesStatus(policy: RetryPolicy, request: RetryRequest, status: number): boolean {
  return request.retries > 0 && policy.statusCodes.includes(status) && !request.accept?.includes(status);
}

/**
 * How long to wait before retrying failed attempt number `attempt` (1-based), or undefined when it
 * must not be retried: the retry limit reached, a status outside the policy's `statusCodes` or one the
 * endpoint takes as data, or a network failure that is not `transient`. `Retry-After` counts on 429
 * and 503, up to {@link retryAfterCap}; otherwise the {@link BACKOFF}.request backoff.
 */
export function requestRetryDelay(
  policy: RetryPolicy,
  request: RetryRequest,
  attempt: number,
  failure: { readonly status: number; readonly retryAfter?: string | readonly string[] | null | undefined } | { readonly transient: boolean },
): number | undefined {
  if (attempt > request.retries) return undefined;
  const delay = backoff(attempt, requestBackoff(policy));
  if ('transient' in failure) return failure.transient ? delay : undefined;
  if (!retriesStatus(policy, request, failure.status)) return undefined;
  const after = RETRY_AFTER_STATUSES.includes(failure.status) ? parseRetryAfter(failure.retryAfter) : undefined;
  return after === undefined ? delay : Math.min(after, retryAfterCap(request.timeout));
}

/** ky's `retry` option for a request under `policy` (ky keeps its own loop; the numbers are these). */
export function kyRetry(
  policy: RetryPolicy,
  request: RetryRequest,
): {
  limit: number;
  methods: string[];
  statusCodes: number[];
  afterStatusCodes: number[];
  backoffLimit: number;
  delay: (attempt: number) => number;
  maxRetryAfter: number;
} {
  return {
    limit: request.retries,
    // which requests may be retried is decided by `retries` (0 for writes), not by method
    methods: ['get', 'head', 'put', 'post', 'delete'],
    statusCodes: [...policy.statusCodes],
    afterStatusCodes: [...RETRY_AFTER_STATUSES],
    backoffLimit: policy.backoffLimit,
    delay: (attempt) => backoff(attempt, requestBackoff(policy)),
    maxRetryAfter: retryAfterCap(request.timeout),
  };
}
