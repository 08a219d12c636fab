/**
 * A service's own registration, kept alive: registers the service with its TTL check, keeps the check
 * passing with a heartbeat, registers again when the agent forgot it (a restarted `-dev` agent, a
 * `consul reload` of one, an agent that lost its state), turns the check critical with the app's
 * error when the app says it is unhealthy, and deregisters on stop.
 *
 * ```ts
 * import { serviceRegistration } from 'consulate/registration';
 * const registration = serviceRegistration(client, { Name: 'web', ID: 'web-1', Port: 8080, Check: { TTL: '10s' } });
 * await registration.ready();
 * // …
 * await registration.unhealthy(new Error('database unreachable'));
 * ```
 *
 * Isomorphic: stopping is up to the caller (`stop()`, or `signal`). On Node (and Bun), `selfRegistration`
 * of `consulate/node` wires it to SIGTERM/SIGINT; on Deno pass a `signal` aborted from
 * `Deno.addSignalListener('SIGTERM', …)`.
 * @see https://developer.hashicorp.com/consul/api-docs/agent/service#register-service
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-update
 * @module
 */
import type { Client } from '../core/client.ts';
import { asyncDispose, sleep } from '../core/async.ts';
import type { Duration } from '../core/encoding.ts';
import { durationMs } from '../core/encoding.ts';
import { InputError, isHttpError, isInputError } from '../core/errors.ts';
import type { WriteOptions } from '../core/query.ts';
import { BACKOFF, backoff } from '../core/retry.ts';
import type { CheckDefinition, ServiceDefinition } from '../endpoints/agent.ts';
import { checkUpdate, serviceDeregister, serviceRegister } from '../endpoints/agent.ts';

/** Options of {@link serviceRegistration}. */
export interface ServiceRegistrationOptions extends Omit<WriteOptions, 'datacenter'> {
  /**
   * Time between heartbeats (TTL check updates), a Go duration or milliseconds; less than the TTL.
   * @default a third of the check's TTL (a heartbeat may fail once and be retried before the check expires)
   */
  heartbeat?: Duration | undefined;
  /** The check's output while passing (the TTL update's `Output`). @default "" */
  note?: string | undefined;
  /**
   * Deregister the service when stopped (`stop()`, `signal`, `await using`).
   * @default true
   */
  deregisterOnStop?: boolean | undefined;
  /**
   * Called with every failed registration, heartbeat or deregistration; the heartbeat keeps trying
   * (after a backoff of 0.5 s doubling to at most the heartbeat). A throw is ignored.
   */
  onError?: ((error: unknown) => void) | undefined;
  /** Called after each registration: the first, and each one after the agent had forgotten the service. */
  onRegister?: ((info: { count: number }) => void) | undefined;
}

/** A running registration, from {@link serviceRegistration}. */
export interface ServiceRegistration {
  /** The service instance's id (`ID`, else `Name`). */
  readonly serviceId: string;
  /** The TTL check's id (`CheckID`, else Consul's `service:<id>`, or `service:<id>:<n>` among several checks). */
  readonly checkId: string;
  /** Registrations so far: 1 after the first, one more each time the agent had forgotten the service. */
  readonly registrations: number;
  /** The last failed request since the last successful one (`undefined` while all is well). */
  readonly lastError: unknown;
  /**
   * Resolves once the service is registered and its check updated the first time.
   * @throws an `InputError` for a definition Consul would refuse, a `BadRequestError`/`ForbiddenError`
   *   for one it did refuse (the registration then ends), or the error of a `stop()` before that.
   */
  ready(): Promise<void>;
  /**
   * Marks the service unhealthy: the check goes critical with the error's message as its output, and
   * stays so at each heartbeat until {@link ServiceRegistration.healthy}.
   * @returns once Consul has the new state.
   * @throws the update's error when it failed (the heartbeat keeps trying).
   */
  unhealthy(error: unknown): Promise<void>;
  /**
   * Marks the service healthy again (passing, with `note` or the options' note as output).
   * @returns once Consul has the new state.
   * @throws the update's error when it failed (the heartbeat keeps trying).
   */
  healthy(note?: string): Promise<void>;
  /**
   * Stops the heartbeat and deregisters the service (unless `deregisterOnStop: false`).
   * @throws the deregistration's error (also given to `onError`).
   */
  stop(): Promise<void>;
  /** Same as {@link ServiceRegistration.stop}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** The TTL check of a definition and its id, as the agent will name it. */
function ttlCheck(definition: ServiceDefinition, serviceId: string): { checkId: string; ttl: number } {
  const checks: (CheckDefinition | undefined)[] = definition.Checks ?? [definition.Check];
  const index = checks.findIndex((check) => check?.TTL !== undefined);
  const check = checks[index];
  if (check === undefined) {
    throw new InputError("definition needs a TTL check to keep passing (Check: { TTL: '10s' }, or one in Checks)");
  }
  const ttl = durationMs(check.TTL as Duration, `definition's check TTL`);
  if (!(ttl > 0)) throw new InputError(`the check's TTL must be a positive duration, got ${JSON.stringify(check.TTL)}`);
  // the agent's own naming (agent.go, AddService): service:<id>, with :<n> among several checks
  const own = check.CheckID ?? (check as { ID?: string | undefined }).ID;
  const checkId = own ?? (checks.length > 1 ? `service:${serviceId}:${index + 1}` : `service:${serviceId}`);
  return { checkId, ttl };
}

/** Whether a failed TTL update says the agent does not know the check (Consul 1.8: 500 `CheckID "…" does not have associated TTL`; newer: 404 `Unknown check ID`). */
function isUnknownCheck(error: unknown): boolean {
  if (!isHttpError(error)) return false;
  if (error.status === 404) return true;
  return /does not have associated TTL|unknown check/i.test(error.consulMessage ?? error.message);
}

/** The output an error becomes: its message (its text for a non-Error). */
function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * Registers a service with its TTL check and keeps it so: heartbeats every `heartbeat` (a third of
 * the TTL by default, the TTL parsed as a Go duration), registers again when an update answers that the
 * agent does not know the check (the agent restarted or reloaded and forgot API registrations),
 * sends the app's health as reported by `unhealthy(error)`/`healthy()`, and deregisters on `stop()`
 * or `signal`. Failed requests are retried with backoff and given to `onError`.
 * @param client - the client of the agent to register with (agent endpoints act on the agent you talk to).
 * @param definition - the service in Consul's JSON, with a TTL check in `Check` or `Checks`; sent as it is.
 * @param options - heartbeat, note, callbacks, `token`, `signal`.
 * @returns a running {@link ServiceRegistration}.
 * @throws {InputError} at once for a definition without a TTL check, a TTL that is not a positive Go
 *   duration, or a heartbeat not shorter than the TTL.
 * @see https://developer.hashicorp.com/consul/api-docs/agent/service#register-service
 * @see https://developer.hashicorp.com/consul/api-docs/agent/check#ttl-check-update
 * @example
 * ```ts
 * import { serviceRegistration } from 'consulate/registration';
 * const controller = new AbortController();
 * const registration = serviceRegistration(
 *   client,
 *   { Name: 'web', ID: 'web-1', Port: 8080, Check: { TTL: '10s', DeregisterCriticalServiceAfter: '10m' } },
 *   { signal: controller.signal, onError: (e) => console.warn('consul:', e) },
 * );
 * await registration.ready();
 * db.on('error', (e) => registration.unhealthy(e).catch(() => {}));
 * db.on('ready', () => registration.healthy().catch(() => {}));
 * // on shutdown: controller.abort() (or await registration.stop())
 * ```
 */
export function serviceRegistration(client: Client, definition: ServiceDefinition, options: ServiceRegistrationOptions = {}): ServiceRegistration {
  if (typeof definition !== 'object' || definition === null) throw new InputError('definition must be a service definition object');
  if (typeof definition.Name !== 'string' || definition.Name === '') throw new InputError('definition.Name must be a non-empty string');
  const { heartbeat: heartbeatOption, note = '', deregisterOnStop = true, onError, onRegister, signal, ...write } = options;
  const serviceId = definition.ID ?? definition.Name;
  const { checkId, ttl } = ttlCheck(definition, serviceId);
  const heartbeat = heartbeatOption === undefined ? ttl / 3 : durationMs(heartbeatOption, 'heartbeat');
  if (!(heartbeat > 0 && heartbeat < ttl)) throw new InputError(`heartbeat must be positive and shorter than the check's TTL (${ttl} ms), got ${heartbeat} ms`);

  const report = (error: unknown): void => {
    try {
      onError?.(error);
    } catch {
      // a throwing callback must not stop the heartbeat
    }
  };
  const stopper = new AbortController();
  let registrations = 0;
  let registered = false;
  let lastError: unknown;
  let fatal: { error: unknown } | undefined;
  let health: { Status: 'passing' | 'critical'; Output: string } = { Status: 'passing', Output: note };
  /** Callers of unhealthy()/healthy() waiting for the next update to be sent. */
  let waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  let wake = new AbortController();
  let settleReady!: (error?: { error: unknown }) => void;
  const readyPromise = new Promise<{ error: unknown } | undefined>((resolve) => {
    settleReady = resolve;
  });

  const settleWaiters = (error?: { error: unknown }): void => {
    const settled = waiters;
    waiters = [];
    for (const waiter of settled) {
      if (error) waiter.reject(error.error);
      else waiter.resolve();
    }
  };

  const run = async (): Promise<void> => {
    let failures = 0;
    while (!stopper.signal.aborted) {
      const sending = health;
      let registeredNow = false;
      try {
        if (!registered) {
          await serviceRegister(client, definition, { ...write, signal: stopper.signal });
          registered = true;
          registeredNow = true;
          registrations++;
          try {
            onRegister?.({ count: registrations });
          } catch {
            // a throwing callback must not stop the heartbeat
          }
        }
        await checkUpdate(client, checkId, sending, { ...write, signal: stopper.signal });
        failures = 0;
        lastError = undefined;
        settleReady();
        if (sending === health) settleWaiters();
      } catch (error) {
        if (stopper.signal.aborted) break;
        if (isUnknownCheck(error) && !registeredNow) {
          // the agent forgot the service (restart, reload): register again at once
          registered = false;
          continue;
        }
        // unknown right after registering: the check id is not the TTL check's; say so rather than loop
        if (isUnknownCheck(error)) error = new InputError(`the agent has no TTL check ${JSON.stringify(checkId)} after registering ${JSON.stringify(serviceId)}: ${describe(error)}`, { cause: error });
        lastError = error;
        report(error);
        settleWaiters({ error });
        // a definition Consul refuses stays refused: end before the first registration rather than hammer it
        if (isInputError(error) || (registrations === 0 && isHttpError(error) && [400, 401, 403].includes(error.status ?? 0))) {
          fatal = { error };
          settleReady(fatal);
          return;
        }
        failures++;
        await sleep(Math.min(backoff(failures, BACKOFF.sessionRenew), heartbeat), stopper.signal);
        continue;
      }
      if (sending !== health) continue; // the app changed its health while this update was on its way
      wake = new AbortController();
      const onStop = (): void => wake.abort();
      stopper.signal.addEventListener('abort', onStop, { once: true });
      await sleep(heartbeat, wake.signal);
      stopper.signal.removeEventListener('abort', onStop);
    }
  };
  const running = run();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      stopper.abort();
      wake.abort();
      await running;
      settleReady(fatal ?? (registrations === 0 ? { error: new InputError(`the registration of ${serviceId} was stopped before it completed`) } : undefined));
      settleWaiters({ error: new InputError(`the registration of ${serviceId} was stopped`) });
      signal?.removeEventListener('abort', onAbort);
      if (!deregisterOnStop || registrations === 0) return;
      try {
        await serviceDeregister(client, serviceId, write);
      } catch (error) {
        report(error);
        throw error;
      }
    })();
    return stopping;
  };
  const onAbort = (): void => {
    stop().catch(() => undefined); // reported to onError
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });

  const setHealth = (next: { Status: 'passing' | 'critical'; Output: string }): Promise<void> => {
    if (fatal) return Promise.reject(fatal.error);
    if (stopper.signal.aborted) return Promise.reject(new InputError(`the registration of ${serviceId} was stopped`));
    health = next;
    const sent = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
    wake.abort();
    return sent;
  };

  return {
    serviceId,
    checkId,
    get registrations() {
      return registrations;
    },
    get lastError() {
      return lastError;
    },
    ready: async () => {
      const failed = await readyPromise;
      if (failed) throw failed.error;
    },
    unhealthy: (error: unknown) => setHealth({ Status: 'critical', Output: describe(error) }),
    healthy: (output?: string) => setHealth({ Status: 'passing', Output: output ?? note }),
    stop,
    [asyncDispose]: stop,
  };
}
