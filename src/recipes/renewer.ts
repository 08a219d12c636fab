/**
 * The session renewer: keeps a TTL session alive the way HashiCorp's Go `api` `Session.RenewPeriodic`
 * does — renewing at TTL/2, retrying failures with backoff until the TTL is spent, reporting expiry,
 * destroying the session on stop. Locks and semaphores hold their sessions with it.
 *
 * On the facade it sits with the session endpoints: `consul.session.renewPeriodically(id, { ttl })`.
 * @see https://developer.hashicorp.com/consul/api-docs/session#renew-session
 * @module
 */
import type { Client } from '../core/client.ts';
import type { Duration } from '../core/encoding.ts';
import { durationMs } from '../core/encoding.ts';
import { InputError, NotFoundError, TimeoutError } from '../core/errors.ts';
import type { WriteOptions } from '../core/query.ts';
import { asyncDispose, sleep } from '../core/async.ts';
import { BACKOFF, backoff } from '../core/retry.ts';
import { checkSessionId } from '../schemas/session.ts';
import { destroy, renew } from '../endpoints/session.ts';

/** Options of {@link renewPeriodically}. */
export interface RenewPeriodicallyOptions extends WriteOptions {
  /**
   * The session's TTL (as created), a Go duration or milliseconds. Renewals happen every TTL/2;
   * after a failure they are retried with backoff until the TTL is spent. Updated from Consul's answers.
   */
  ttl: Duration;
  /** Time between renewals instead of TTL/2. */
  interval?: Duration | undefined;
  /**
   * Destroy the session when the renewer is stopped (`stop()`, `signal`, `await using`), like Go's
   * `RenewPeriodic`. @default true
   */
  destroyOnStop?: boolean | undefined;
  /**
   * Called once when the session is found gone (renew answered 404: a `NotFoundError`) or when no
   * renewal succeeded for a whole TTL (the last error, or a `TimeoutError` when a renewal was still
   * waiting for an answer: it is aborted then). The renewer then ends with `"expired"`.
   */
  onExpired?: ((reason: unknown) => void) | undefined;
  /** Called for every failed renewal (and a failed destroy on stop); the renewer keeps trying. */
  onError?: ((error: unknown) => void) | undefined;
}

/** A running renewer, from {@link renewPeriodically}. */
export interface SessionRenewer {
  /** The session being renewed. */
  readonly id: string;
  /** Settles when the renewer ends: `"stopped"` (stop, abort) or `"expired"`. Never rejects. */
  readonly done: Promise<'stopped' | 'expired'>;
  /** Stops renewing (and destroys the session unless `destroyOnStop: false`); resolves when done. */
  stop(): Promise<void>;
  /** Same as {@link SessionRenewer.stop}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Keeps a TTL session alive: renews it every TTL/2, retries failed renewals with backoff (0.5 s,
 * doubling, at most 5 s) until the TTL is nearly spent, stops on `signal` or `stop()` and then
 * destroys the session (option), and reports expiry through `onExpired` — at the latest when a TTL
 * has passed since the last successful renewal: a renewal still waiting for an answer then is aborted.
 * @param id - the session id.
 * @returns a {@link SessionRenewer}; it is running already.
 * @throws {InputError} for a bad id or a TTL that is not a positive duration.
 * @see https://developer.hashicorp.com/consul/api-docs/session#renew-session
 * @example
 * ```ts
 * import { create } from 'consulate/session';
 * import { renewPeriodically } from 'consulate/renewer';
 * const { data: id } = await create(client, { TTL: '15s' });
 * await using renewer = renewPeriodically(client, id, {
 *   ttl: '15s',
 *   onExpired: () => console.error('session lost'),
 * });
 * ```
 */
export function renewPeriodically(client: Client, id: string, options: RenewPeriodicallyOptions): SessionRenewer {
  checkSessionId(id);
  const { ttl: ttlOption, interval: intervalOption, destroyOnStop = true, onExpired, onError, signal, ...write } = options;
  let ttl = durationMs(ttlOption, 'ttl');
  if (!(ttl > 0)) throw new InputError('ttl must be a positive duration (a session without a TTL needs no renewing)');
  const interval = intervalOption === undefined ? undefined : durationMs(intervalOption, 'interval');
  const stopper = new AbortController();
  const stop = (): void => stopper.abort();
  signal?.addEventListener('abort', stop, { once: true });
  if (signal?.aborted) stop();
  const report = (callback: ((value: unknown) => void) | undefined, value: unknown): void => {
    try {
      callback?.(value);
    } catch {
      // a throwing callback must not kill the renewer
    }
  };

  const run = async (): Promise<'stopped' | 'expired'> => {
    let lastRenew = Date.now();
    let failures = 0;
    let lastError: unknown;
    let wait = interval ?? ttl / 2;
    for (;;) {
      await sleep(wait, stopper.signal);
      if (stopper.signal.aborted) break;
      if (Date.now() - lastRenew >= ttl) {
        report(onExpired, lastError ?? new TimeoutError(`session ${id} could not be renewed within its TTL`));
        return 'expired';
      }
      // a renewal that hangs (a stopped agent) must not outlive the TTL: abort it when the TTL is spent
      const attempt = new AbortController();
      const onStop = (): void => attempt.abort(stopper.signal.reason);
      stopper.signal.addEventListener('abort', onStop, { once: true });
      const spent = new TimeoutError(`session ${id} could not be renewed within its TTL (a renewal got no answer)`);
      const timer = setTimeout(() => attempt.abort(spent), Math.max(0, lastRenew + ttl - Date.now()));
      try {
        const { data } = await renew(client, id, { ...write, signal: attempt.signal });
        if (!data) {
          report(onExpired, new NotFoundError(`session ${id} not found (expired or destroyed)`, { method: 'PUT', path: `/v1/session/renew/${id}`, status: 404 }));
          return 'expired';
        }
        failures = 0;
        lastRenew = Date.now();
        const serverTtl = data.TTL ? durationMs(data.TTL, 'TTL') : 0;
        if (serverTtl > 0) ttl = serverTtl;
        wait = interval ?? ttl / 2;
      } catch (error) {
        if (stopper.signal.aborted) break;
        if (attempt.signal.reason === spent) {
          report(onExpired, spent);
          return 'expired';
        }
        failures++;
        lastError = error;
        report(onError, error);
        const left = lastRenew + ttl - Date.now();
        wait = Math.max(0, Math.min(backoff(failures, BACKOFF.sessionRenew), left));
      } finally {
        clearTimeout(timer);
        stopper.signal.removeEventListener('abort', onStop);
      }
    }
    if (destroyOnStop) {
      try {
        await destroy(client, id, write);
      } catch (error) {
        report(onError, error);
      }
    }
    return 'stopped';
  };
  const done = run()
    .catch((error: unknown) => {
      report(onError, error);
      return 'stopped' as const;
    })
    .finally(() => signal?.removeEventListener('abort', stop));
  const stopAndWait = async (): Promise<void> => {
    stop();
    await done;
  };
  return { id, done, stop: stopAndWait, [asyncDispose]: stopAndWait };
}

/**
 * How the renewer nests on the `Consul` facade: next to the session endpoints, as
 * `consul.session.renewPeriodically(…)` (`consul.ts` adds it to the session group's description).
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const renewerFacade = {
  renewPeriodically: renewPeriodically as typeof renewPeriodically,
};
