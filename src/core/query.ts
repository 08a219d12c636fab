/**
 * The options every read and every write accepts, and their translation to query parameters.
 * @module
 */
import type { Duration } from './encoding.ts';
import { durationMs, formatDuration, uint64 } from './encoding.ts';
import { InputError } from './errors.ts';

/** Options every write accepts. */
export interface WriteOptions {
  /**
   * Datacenter (`?dc=`); defaults to the client's `datacenter`. Where Consul routes by the body
   * instead (catalog register/deregister, a txn's Node operations) it is written there; where Consul
   * ignores it (agent endpoints, keyring, config entry and ACL writes) an explicit `datacenter` is an
   * `InputError`. The same word as the client config's `datacenter`.
   */
  datacenter?: string;
  /** Namespace (`?ns=`, Enterprise; Consul OSS answers 400); defaults to the client's `namespace`. */
  namespace?: string;
  /**
   * Admin partition (`?partition=`, Enterprise, Consul 1.11+); defaults to the client's `partition`.
   * Consul before 1.11 ignores it silently.
   */
  partition?: string;
  /** ACL token for this call, sent in `X-Consul-Token` (overrides the client's). */
  token?: string;
  /** Aborts the request. */
  signal?: AbortSignal;
}

/** Options every read accepts. */
export interface ReadOptions extends WriteOptions {
  /**
   * Consistency mode: `default`, `consistent` (leader-verified) or `stale` (any server).
   * @default "default"
   */
  consistency?: 'default' | 'consistent' | 'stale';
  /**
   * Blocking query: return when the data's index exceeds this (`X-Consul-Index` of a previous read).
   * Anything ≤ 0 returns immediately.
   */
  index?: number | bigint;
  /**
   * Longest time a blocking query waits, a Go duration or milliseconds (Consul: default 5 min, max 10 min).
   * @example { index: meta.index, wait: "30s" }
   */
  wait?: Duration;
  /** Filter expression (`?filter=`), e.g. `Service.Tags contains "primary"`. */
  filter?: string;
  /** Sort by round-trip time from this node (`?near=`, `_agent` for the local agent). */
  near?: string;
  /** Only nodes with this metadata (`?node-meta=key:value`, repeated). */
  nodeMeta?: Record<string, string>;
  /** Use the agent's cache (`?cached`); `maxAge`/`staleIfError` set `Cache-Control`. */
  cached?: boolean | { maxAge?: Duration; staleIfError?: Duration };
  /**
   * Read the data a cluster peer exported to this cluster (`?peer=`, Consul 1.13+): catalog and health
   * reads of services and nodes. Older Consul versions ignore it (they answer the local data).
   */
  peer?: string;
  /**
   * Merge the central configuration (`service-defaults`, `proxy-defaults`) into the returned service
   * definitions (`?merge-central-config`, Consul 1.13+): catalog and health service reads and the agent's
   * service reads. Older Consul versions ignore it.
   */
  mergeCentralConfig?: boolean;
  /**
   * Read through a sameness group (`?sameness-group=`, the Go client's spelling of Consul's `sg`):
   * health service reads. Consul Enterprise 1.16+; Consul OSS and older versions ignore it.
   */
  samenessGroup?: string;
}

/**
 * Query parameter values: `true` is a bare flag (`?recurse`), `undefined`/`false` are left out, an
 * array repeats the parameter (`?tag=a&tag=b`).
 */
export type QueryValue = string | number | bigint | boolean | readonly string[] | undefined;

/** Builds search params from endpoint params plus the common options (client defaults applied by the caller). */
export function buildQuery(
  params: Record<string, QueryValue> | undefined,
  options: ReadOptions,
  defaults: { datacenter?: string | undefined; namespace?: string | undefined; partition?: string | undefined },
): URLSearchParams {
  const query = new URLSearchParams();
  const dc = options.datacenter ?? defaults.datacenter;
  const ns = options.namespace ?? defaults.namespace;
  const partition = options.partition ?? defaults.partition;
  if (dc) query.set('dc', dc);
  if (ns) query.set('ns', ns);
  if (partition) query.set('partition', partition);
  if (options.consistency === 'consistent') query.set('consistent', '');
  else if (options.consistency === 'stale') query.set('stale', '');
  else if (options.consistency !== undefined && options.consistency !== 'default') {
    throw new InputError(`consistency must be "default", "consistent" or "stale", got ${JSON.stringify(options.consistency)}`);
  }
  if (options.index !== undefined) query.set('index', uint64(options.index, 'index'));
  if (options.wait !== undefined) query.set('wait', formatDuration(options.wait, 'wait'));
  if (options.filter !== undefined) query.set('filter', options.filter);
  if (options.near !== undefined) query.set('near', options.near);
  if (options.nodeMeta) {
    for (const [key, value] of Object.entries(options.nodeMeta)) query.append('node-meta', `${key}:${value}`);
  }
  if (options.cached) query.set('cached', '');
  if (options.peer !== undefined) query.set('peer', options.peer);
  if (options.mergeCentralConfig) query.set('merge-central-config', '');
  if (options.samenessGroup !== undefined) query.set('sameness-group', options.samenessGroup);
  if (params) {
    for (const [key, value] of Object.entries(params)) {
      if (value === undefined || value === false) continue;
      if (typeof value === 'object') for (const item of value) query.append(key, item);
      else query.set(key, value === true ? '' : String(value));
    }
  }
  return query;
}

/** `Cache-Control` for `cached: { maxAge, staleIfError }`. */
export function cacheControl(options: ReadOptions): string | undefined {
  const cached = options.cached;
  if (typeof cached !== 'object') return undefined;
  const parts: string[] = [];
  if (cached.maxAge !== undefined) parts.push(`max-age=${Math.round(toSeconds(cached.maxAge))}`);
  if (cached.staleIfError !== undefined) parts.push(`stale-if-error=${Math.round(toSeconds(cached.staleIfError))}`);
  return parts.length ? parts.join(', ') : undefined;
}

function toSeconds(value: Duration): number {
  return durationMs(value, 'cached.maxAge/staleIfError') / 1000;
}
