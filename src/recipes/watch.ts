/**
 * `consul.watch`: {@link watch} bound to a client, plus ready-made watches of the common reads
 * (`consul.watch.key(…)`, `consul.watch.service(…)`, `consul.watch.connectLeaf(…)`, `consul.watch.agentService(…)`…). Each returns an async iterator of
 * `{ data, meta }` built on blocking queries.
 * @module
 */
import type { FacadeEntry } from '../core/bind.ts';
import { perClient } from '../core/bind.ts';
import type { Client } from '../core/client.ts';
import type { WatchIterator, WatchOptions, WatchRead } from '../core/watch.ts';
import { watch } from '../core/watch.ts';
import type { KVPair } from '../endpoints/kv.ts';
import { get, records } from '../endpoints/kv.ts';
import type { HealthState } from '../endpoints/health.ts';
import { checks as healthChecks, service as healthService, state as healthState } from '../endpoints/health.ts';
import type { UserEvent } from '../endpoints/event.ts';
import { list as eventList } from '../endpoints/event.ts';
import { nodes as catalogNodes, services as catalogServices } from '../endpoints/catalog.ts';
import type { CARoots, LeafCert } from '../endpoints/agent.ts';
import type { AgentService } from '../schemas/catalog.ts';
import { connectCaLeaf, connectCaRoots, serviceRead } from '../endpoints/agent.ts';
import type { CatalogNode } from '../schemas/catalog.ts';
import type { HealthCheck, ServiceEntry } from '../schemas/health.ts';

/**
 * `consul.watch`: call it with any read (`consul.watch((c, o) => kv.get(c, key, o))`), or use a
 * ready-made watch. Each returns an async iterator of `{ data, meta }` built on blocking queries.
 */
export interface WatchApi {
  /** Watches any read; see {@link watch}. */
  <T>(read: WatchRead<T>, options?: WatchOptions): WatchIterator<T>;
  /** A key's UTF-8 value (`undefined` while it does not exist). */
  key(key: string, options?: WatchOptions): WatchIterator<string | undefined>;
  /** Every entry under a prefix. */
  keyPrefix(prefix: string, options?: WatchOptions): WatchIterator<KVPair[]>;
  /** The instances of a service with their checks (`/v1/health/service`); `passing`, `tag` filter them. */
  service(
    name: string,
    options?: WatchOptions & { passing?: boolean | undefined; tag?: string | readonly string[] | undefined },
  ): WatchIterator<ServiceEntry[]>;
  /** The catalog's services and their tags. */
  services(options?: WatchOptions): WatchIterator<Record<string, string[]>>;
  /** The catalog's nodes. */
  nodes(options?: WatchOptions): WatchIterator<CatalogNode[]>;
  /** The checks of every instance of a service. */
  checks(service: string, options?: WatchOptions): WatchIterator<HealthCheck[]>;
  /** The checks in a state (`any`, `passing`, `warning`, `critical`). */
  checksInState(state: HealthState, options?: WatchOptions): WatchIterator<HealthCheck[]>;
  /** User events (optionally of one name); their index is a hash, handled as opaque. */
  events(name?: string, options?: WatchOptions): WatchIterator<UserEvent[]>;
  /**
   * The Connect CA roots as the local agent caches them (`/v1/agent/connect/ca/roots`, like `consul watch
   * -type connect_roots`): a new result after each root rotation.
   */
  connectRoots(options?: WatchOptions): WatchIterator<CARoots>;
  /**
   * A service's Connect leaf certificate from the local agent (`/v1/agent/connect/ca/leaf/:service`, like
   * `consul watch -type connect_leaf`): a new result each time the agent renews it (before it expires, or
   * after a root rotation).
   */
  connectLeaf(service: string, options?: WatchOptions): WatchIterator<LeafCert>;
  /**
   * A service registered with the local agent, by instance id (`/v1/agent/service/:id`, like `consul watch
   * -type agent_service`); `undefined` while the agent has none. Agent endpoints carry no index: after
   * the first read each read blocks on the definition's content hash (`?hash=`, `meta.contentHash`).
   */
  agentService(id: string, options?: WatchOptions): WatchIterator<AgentService | undefined>;
}

/**
 * A read of `/v1/agent/service/:id` that blocks on the content hash of the previous answer (the
 * agent's endpoints have no `X-Consul-Index`; `?hash=` is their blocking parameter).
 */
function agentServiceRead(id: string): WatchRead<AgentService | undefined> {
  let hash: string | undefined;
  return async (client, options) => {
    const result = await serviceRead(client, id, hash === undefined ? options : { ...options, hash });
    // a missing service has no hash: the next read is an immediate one (spaced by pollInterval)
    hash = result.data === undefined ? undefined : result.meta.contentHash;
    return result;
  };
}

/**
 * Builds `consul.watch` for a client.
 * @param client - the client every watch reads through.
 * @returns the callable watch API.
 */
export function createWatchApi(client: Client): WatchApi {
  const api = <T>(read: WatchRead<T>, options?: WatchOptions): WatchIterator<T> => watch(client, read, options);
  return Object.assign(api, {
    key: (key: string, options?: WatchOptions) => watch(client, (c, o) => get(c, key, o), options),
    keyPrefix: (prefix: string, options?: WatchOptions) => watch(client, (c, o) => records(c, prefix, o), options),
    service: (
      name: string,
      options: WatchOptions & { passing?: boolean | undefined; tag?: string | readonly string[] | undefined } = {},
    ) => {
      const { passing, tag, ...rest } = options;
      return watch(client, (c, o) => healthService(c, name, { ...o, passing, tag }), rest);
    },
    services: (options?: WatchOptions) => watch(client, catalogServices, options),
    nodes: (options?: WatchOptions) => watch(client, catalogNodes, options),
    checks: (service: string, options?: WatchOptions) => watch(client, (c, o) => healthChecks(c, service, o), options),
    checksInState: (state: HealthState, options?: WatchOptions) => watch(client, (c, o) => healthState(c, state, o), options),
    events: (name?: string, options?: WatchOptions) =>
      watch(client, (c, o) => eventList(c, name === undefined ? o : { ...o, name }), { ...options, opaqueIndex: true }),
    connectRoots: (options?: WatchOptions) => watch(client, connectCaRoots, options),
    connectLeaf: (service: string, options?: WatchOptions) => watch(client, (c, o) => connectCaLeaf(c, service, o), options),
    agentService: (id: string, options?: WatchOptions) => watch(client, agentServiceRead(id), options),
  });
}

/** `consul.watch` on the `Consul` facade: {@link createWatchApi} for the facade's client (built on {@link watch}). */
export const watchFacade: FacadeEntry<WatchApi> = /* @__PURE__ */ perClient(createWatchApi, watch);
