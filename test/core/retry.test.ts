// The one retry policy (src/core/retry.ts): backoffs, Retry-After, and the request retry decision that
// both transports apply (ky through kyRetry, consulate/node through requestRetryDelay).
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/core/config.ts';
import {
  BACKOFF,
  backoff,
  kyRetry,
  parseRetryAfter,
  requestRetryDelay,
  RETRY_AFTER_CAP_MS,
  RETRY_DEFAULTS,
} from '../../src/core/retry.ts';

const read = { retries: 2, timeout: 10_000 } as const;

describe('retry policy', () => {
  it('is the default of a client\'s retry option', () => {
    expect(resolveConfig().retry).toEqual({ limit: 2, statusCodes: [408, 429, 502, 503, 504], backoffLimit: 3000 });
    expect(resolveConfig().retry).toEqual({ ...RETRY_DEFAULTS, statusCodes: [...RETRY_DEFAULTS.statusCodes] });
  });

  it('backs off exponentially up to the cap; with jitter, in the upper half', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoff(n, BACKOFF.request({ backoffLimit: 3000 })))).toEqual([300, 600, 1200, 2400, 3000]);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoff(n, BACKOFF.lockDelay))).toEqual([100, 200, 400, 800, 1600, 3200, 5000]);
    expect([1, 2, 3, 4, 5].map((n) => backoff(n, BACKOFF.sessionRenew))).toEqual([500, 1000, 2000, 4000, 5000]);
    for (let n = 1; n <= 8; n++) {
      const base = Math.min(30_000, 1000 * 2 ** (n - 1));
      const delay = backoff(n, BACKOFF.watch);
      expect(delay).toBeGreaterThanOrEqual(base / 2);
      expect(delay).toBeLessThanOrEqual(base);
    }
  });

  it('reads Retry-After as seconds or an HTTP date, never negative', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(['0.5', '9'])).toBe(500);
    const later = parseRetryAfter(new Date(Date.now() + 5000).toUTCString())!;
    expect(later).toBeGreaterThan(3000);
    expect(later).toBeLessThanOrEqual(5000);
    expect(parseRetryAfter(new Date(Date.now() - 5000).toUTCString())).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(' ')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('retries a read on the policy\'s statuses and transient failures, within the limit', () => {
    const policy = RETRY_DEFAULTS;
    expect(requestRetryDelay(policy, read, 1, { status: 502 })).toBe(300);
    expect(requestRetryDelay(policy, read, 2, { status: 504 })).toBe(600);
    expect(requestRetryDelay(policy, read, 3, { status: 502 })).toBeUndefined(); // limit reached
    expect(requestRetryDelay(policy, read, 1, { status: 500 })).toBeUndefined(); // not a retried status
    expect(requestRetryDelay(policy, { ...read, accept: [503] }, 1, { status: 503 })).toBeUndefined(); // data
    expect(requestRetryDelay(policy, { retries: 0, timeout: 10_000 }, 1, { status: 502 })).toBeUndefined(); // a write
    expect(requestRetryDelay(policy, read, 1, { transient: true })).toBe(300);
    expect(requestRetryDelay(policy, read, 1, { transient: false })).toBeUndefined();
  });

  it('honours Retry-After on 429 and 503 only, capped at the timeout (60 s without one)', () => {
    const policy = RETRY_DEFAULTS;
    expect(requestRetryDelay(policy, read, 1, { status: 429, retryAfter: '2' })).toBe(2000);
    expect(requestRetryDelay(policy, read, 1, { status: 503, retryAfter: '1' })).toBe(1000);
    expect(requestRetryDelay(policy, read, 1, { status: 502, retryAfter: '2' })).toBe(300);
    expect(requestRetryDelay(policy, read, 1, { status: 429, retryAfter: '3600' })).toBe(10_000);
    expect(requestRetryDelay(policy, { retries: 2, timeout: false }, 1, { status: 429, retryAfter: '3600' })).toBe(RETRY_AFTER_CAP_MS);
  });

  it('gives ky the same numbers', () => {
    const policy = { limit: 3, statusCodes: [502], backoffLimit: 1000 };
    const retry = kyRetry(policy, { retries: 3, timeout: 5000 });
    expect(retry).toMatchObject({ limit: 3, statusCodes: [502], afterStatusCodes: [429, 503], backoffLimit: 1000, maxRetryAfter: 5000 });
    expect([1, 2, 3].map(retry.delay)).toEqual([300, 600, 1000]);
    expect(kyRetry(policy, { retries: 0, timeout: false })).toMatchObject({ limit: 0, maxRetryAfter: RETRY_AFTER_CAP_MS });
  });
});
