/**
 * Service discovery with failover: a live set of a service's healthy instances, kept current by a
 * blocking watch of `/v1/health/service/:name`, and a `fetch`-like helper that sends a request to one
 * instance and, when it cannot connect, to the next.
 *
 * ```ts
 * import { discovery } from 'consulate/discovery';
 * await using web = discovery(client, 'web', { strategy: 'round-robin' });
 * await web.ready();
 * const response = await web.fetch('/api/users');
 * ```
 *
 * No call waits for Consul: `pick()` and `fetch()` use the last known set, and an empty set is a
 * {@link NoInstancesError} that says so. The watch keeps running in the background (retrying failed
 * reads with backoff; the last known set stays in use meanwhile) until `stop()`.
 *
 * Works on every runtime. In a browser, though, CORS usually keeps a page from reaching service
 * instances directly (they would have to answer the page's origin), and the agent's HTTP API needs a
 * CORS proxy too; discovery there is mostly useful to show the set, not to send to it.
 * @see https://developer.hashicorp.com/consul/api-docs/health#list-nodes-for-service
 * @module
 */
import type { Client } from '../core/client.ts';
import { asyncDispose } from '../core/async.ts';
import { InputError, NetworkError, NoInstancesError } from '../core/errors.ts';
import { classifyFetchFailure } from '../core/failover.ts';
import type { WatchOptions } from '../core/watch.ts';
import { watch } from '../core/watch.ts';
import { service as healthService } from '../endpoints/health.ts';
import type { ServiceEntry } from '../schemas/health.ts';

/** How {@link ServiceDiscovery.pick} chooses an instance. */
export type DiscoveryStrategy = 'round-robin' | 'random' | 'nearest';

/** One instance of the discovered service, with where to reach it. */
export interface ServiceInstance {
  /** `Service.Address`, or `Node.Address` when the service has none; an IPv6 address without brackets. */
  readonly host: string;
  /** `Service.Port` (`0` when the service registered none). */
  readonly port: number;
  /** `host:port` for a URL: an IPv6 host in brackets (`[::1]:8080`); the host alone when the port is 0. */
  readonly authority: string;
  /** The instance as Consul returned it: `Node`, `Service`, `Checks` (Consul's field names). */
  readonly entry: ServiceEntry;
}

/** Options of {@link discovery}: which instances (Consul's query options), how to choose, the watch's. */
export interface DiscoveryOptions extends Omit<WatchOptions, 'index' | 'distinct' | 'opaqueIndex'> {
  /**
   * Only instances whose checks (node checks included) all pass (`?passing`).
   * @default true
   */
  passing?: boolean | undefined;
  /** Only instances with this tag, or with all of these tags. */
  tag?: string | readonly string[] | undefined;
  /**
   * How `pick()` chooses and in which order `fetch()` tries instances: `round-robin` (each call the
   * next instance), `random`, or `nearest` (the lowest round-trip time from `near` first — Consul sorts
   * the set by network coordinates when `near` is given; `near` defaults to `_agent`, the agent you talk to).
   * @default "round-robin"
   */
  strategy?: DiscoveryStrategy | undefined;
  /**
   * Scheme of the URLs `fetch()` builds.
   * @default "http"
   */
  scheme?: 'http' | 'https' | undefined;
  /**
   * The `fetch` that `fetch()` sends requests to instances with (not the one the client talks to
   * Consul with).
   * @default globalThis.fetch
   */
  fetch?: ((input: string, init?: RequestInit) => Promise<Response>) | undefined;
  /** Called with the new set each time it changes (after the first read too). A throw is ignored. */
  onChange?: ((instances: readonly ServiceInstance[]) => void) | undefined;
}

/** Options of {@link ServiceDiscovery.fetch}: a `RequestInit`, plus whether it may be sent again. */
export interface DiscoveryRequestInit extends RequestInit {
  /**
   * Whether the request may be sent to another instance after a connection failure that may have
   * reached the first one (a reset or hang-up after connecting, or a failure the runtime gives no reason
   * for, as browsers do). A failure that certainly sent nothing (connection refused, host unreachable or
   * not found, connect timeout, TLS handshake) moves any request on. By default, per RFC 9110 §9.2.2,
   * GET, HEAD, OPTIONS, TRACE, PUT and DELETE are idempotent and POST, PATCH… are not; `true` opts a
   * request in, `false` out. A `ReadableStream` body cannot be sent twice: such a request is tried once.
   */
  idempotent?: boolean | undefined;
}

/** The live instance set of a service, from {@link discovery}. */
export interface ServiceDiscovery {
  /** The service watched. */
  readonly service: string;
  /** The last known set (empty before the first read answered). */
  instances(): readonly ServiceInstance[];
  /**
   * Resolves with the set once the first read has answered (at once after that). Rejects with the
   * watch's error when it ended before (a 403, say), or when stopped before.
   */
  ready(): Promise<readonly ServiceInstance[]>;
  /**
   * An instance of the last known set, chosen by the strategy. Never waits for Consul.
   * @throws {NoInstancesError} when the set is empty, or no read has answered yet.
   * @throws the watch's error when it ended with one (a 403 after `onError`, say).
   */
  pick(): ServiceInstance;
  /**
   * Sends a request to an instance (`scheme://authority` + `path`) and returns its response,
   * whatever its status. On a connection failure (the `fetch` rejected, not aborted) the request is sent
   * to the next instance, until each of the set was tried once — a request that is not idempotent only
   * when the failure certainly sent nothing (see {@link DiscoveryRequestInit.idempotent}).
   * @param path - path and query, starting with `/`.
   * @throws {NoInstancesError} when the set is empty, or no read has answered yet.
   * @throws {NetworkError} when every instance tried failed to connect (or one failed in a way that may
   *   have reached it and the request is not idempotent); its message names each instance and its reason, `cause` is an
   *   `AggregateError` of the `fetch` errors.
   * @throws the `fetch`'s own error when `init.signal` aborted it.
   * @throws {InputError} for a path without a leading `/` or a request `fetch` would refuse, before sending.
   */
  fetch(path: string, init?: DiscoveryRequestInit): Promise<Response>;
  /** Stops the watch (the last known set stays readable); resolves once it stopped. */
  stop(): Promise<void>;
  /** Same as {@link ServiceDiscovery.stop}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Methods that RFC 9110 §9.2.2 defines as idempotent. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
const STRATEGIES: readonly string[] = ['round-robin', 'random', 'nearest'];

/** Where to reach an instance: `Service.Address` else `Node.Address`, an IPv6 host bracketed (its zone escaped). */
function toInstance(entry: ServiceEntry): ServiceInstance {
  const host = entry.Service.Address || entry.Node.Address;
  const port = entry.Service.Port ?? 0;
  const urlHost = host.includes(':') ? `[${host.replace(/%(?!25)/, '%25')}]` : host;
  return { host, port, authority: port > 0 ? `${urlHost}:${port}` : urlHost, entry };
}

/** Why a `fetch` rejected, short: the cause's code (`ECONNREFUSED`) or message. */
function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string' && cause.message !== '') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Starts discovering a service: watches `/v1/health/service/:name` (blocking queries; `passing` by
 * default; `tag`, `filter`, `near`, `nodeMeta`, `datacenter`, `token`, `cached`… apply) and keeps the
 * last known set of its instances, which `pick()` and `fetch()` use without waiting. Failed reads
 * are retried with backoff for as long as discovery runs (report them with `onError`); errors a retry
 * cannot fix (400, 401, 403) end the watch, and `pick()` then throws that error.
 * @param client - the client that talks to Consul.
 * @param service - the service's name.
 * @param options - which instances, the strategy, the watch's options.
 * @returns a running {@link ServiceDiscovery}; call `stop()` (or `await using`) to end it.
 * @throws {InputError} for an empty service name, an unknown strategy or bad watch options, at once.
 * @see https://developer.hashicorp.com/consul/api-docs/health#list-nodes-for-service
 * @example
 * ```ts
 * import { discovery } from 'consulate/discovery';
 * import { isNoInstancesError } from 'consulate';
 * const web = discovery(client, 'web', { tag: 'v2', strategy: 'nearest', onError: (e) => console.warn(e) });
 * await web.ready();
 * try {
 *   const users = await (await web.fetch('/users', { signal: AbortSignal.timeout(5000) })).json();
 * } catch (error) {
 *   if (isNoInstancesError(error)) console.error('web has no healthy instance');
 *   else throw error;
 * }
 * await web.stop();
 * ```
 */
export function discovery(client: Client, service: string, options: DiscoveryOptions = {}): ServiceDiscovery {
  if (typeof service !== 'string' || service === '') throw new InputError('service must be a non-empty service name');
  const { passing = true, tag, strategy = 'round-robin', scheme = 'http', fetch: fetchOption, onChange, maxAttempts, ...watchOptions } = options;
  if (!STRATEGIES.includes(strategy)) throw new InputError(`strategy must be "round-robin", "random" or "nearest", got ${JSON.stringify(strategy)}`);
  if (scheme !== 'http' && scheme !== 'https') throw new InputError(`scheme must be "http" or "https", got ${JSON.stringify(scheme)}`);
  if (strategy === 'nearest' && watchOptions.near === undefined) watchOptions.near = '_agent';
  const send = fetchOption ?? ((input: string, init?: RequestInit) => globalThis.fetch(input, init));

  const changes = watch(client, (c, o) => healthService(c, service, { ...o, passing, tag }), {
    ...watchOptions,
    maxAttempts: maxAttempts ?? Number.POSITIVE_INFINITY,
  });
  let current: readonly ServiceInstance[] = [];
  let known = false;
  let ended: { error: unknown } | undefined;
  let turn = 0;
  let settleReady: (() => void) | undefined;
  const readyPromise = new Promise<void>((resolve) => {
    settleReady = resolve;
  });

  const running = (async () => {
    try {
      for await (const { data } of changes) {
        current = Object.freeze(data.map(toInstance));
        known = true;
        settleReady?.();
        try {
          onChange?.(current);
        } catch {
          // a throwing listener must not stop discovery
        }
      }
    } catch (error) {
      ended = { error };
    } finally {
      settleReady?.();
    }
  })();

  const describe = (): string => {
    const filters = [passing ? 'passing' : '', tag === undefined ? '' : `tag ${JSON.stringify(tag)}`, watchOptions.filter ? `filter ${JSON.stringify(watchOptions.filter)}` : '']
      .filter(Boolean)
      .join(', ');
    const dc = watchOptions.datacenter ? ` in datacenter ${watchOptions.datacenter}` : '';
    return `service ${JSON.stringify(service)}${dc}${filters ? ` (${filters})` : ''}`;
  };

  /** The set in the order to try it: the strategy's choice first. */
  const ordered = (): ServiceInstance[] => {
    // the watch ended with an error a retry cannot fix (a 403…): say so rather than serve a set that no longer follows health
    if (ended !== undefined) throw ended.error;
    if (!known) throw new NoInstancesError(`no instances of ${describe()} known yet: the first health read has not answered (await ready() first)`, { service });
    const list = current;
    if (list.length === 0) throw new NoInstancesError(`no instances of ${describe()}: the last known set is empty`, { service });
    if (strategy === 'nearest') return [...list];
    const first = strategy === 'random' ? Math.floor(Math.random() * list.length) : turn++ % list.length;
    const rest = [...list.slice(first + 1), ...list.slice(0, first)];
    if (strategy === 'random') {
      for (let i = rest.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [rest[i], rest[j]] = [rest[j]!, rest[i]!];
      }
    }
    return [list[first]!, ...rest];
  };

  const stop = async (): Promise<void> => {
    await changes.return();
    await running;
  };

  return {
    service,
    instances: () => current,
    ready: async () => {
      await readyPromise;
      if (!known) throw ended?.error ?? new NoInstancesError(`discovery of ${describe()} was stopped before the first read answered`, { service });
      return current;
    },
    pick: () => ordered()[0]!,
    fetch: async (path: string, init: DiscoveryRequestInit = {}): Promise<Response> => {
      if (typeof path !== 'string' || !path.startsWith('/')) throw new InputError(`path must start with "/", got ${JSON.stringify(path)}`);
      const { idempotent: idempotentOption, ...requestInit } = init;
      const method = (requestInit.method ?? 'GET').toUpperCase();
      const replayable = !(typeof ReadableStream !== 'undefined' && requestInit.body instanceof ReadableStream);
      const again = replayable && (idempotentOption ?? IDEMPOTENT.has(method));
      const order = ordered();
      const urlOf = (instance: ServiceInstance): string => `${scheme}://${instance.authority}${path}`;
      if (replayable) {
        try {
          new Request(urlOf(order[0]!), requestInit);
        } catch (error) {
          throw new InputError(`fetch(${JSON.stringify(path)}) refuses this request: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
      }
      const failures: { instance: ServiceInstance; error: unknown }[] = [];
      let stopped = false;
      for (const instance of order) {
        try {
          return await send(urlOf(instance), requestInit);
        } catch (error) {
          if (requestInit.signal?.aborted) throw error;
          failures.push({ instance, error });
          // a request that must not run twice moves on only past an instance it certainly did not reach
          if (!again && !(replayable && classifyFetchFailure(error) === 'not-sent')) {
            stopped = failures.length < order.length;
            break;
          }
        }
      }
      const tried = failures.map((f) => `${f.instance.authority} (${reason(f.error)})`).join(', ');
      const reached = failures.length > 1 ? ' the last one may have been reached, so' : ' it may have been reached, so';
      const why = !stopped ? '' : replayable ? `;${reached} no other instance was tried: ${method} is not idempotent (pass idempotent: true to allow it)` : `;${reached} no other instance was tried: a stream body cannot be sent twice`;
      throw new NetworkError(`${method} ${path} to ${describe()} failed to connect to ${failures.length === 1 ? 'its instance' : `each of ${failures.length} instances`}: ${tried}${why}`, {
        method,
        path,
        cause: new AggregateError(failures.map((f) => f.error), 'connection failures'),
      });
    },
    stop,
    [asyncDispose]: stop,
  };
}
