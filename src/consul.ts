/**
 * The `Consul` facade: every endpoint function bound to one client, grouped like consulate's API
 * (`consul.kv.get(…)`, `consul.agent.self()` …). Functions are imported by name so that bundlers can
 * drop what an application does not use.
 * @module
 */
import type { Bound } from './core/bind.ts';
import { bind } from './core/bind.ts';
import type { Client } from './core/client.ts';
import { createClient } from './core/client.ts';
import type { ClientConfig } from './core/config.ts';
import {
  acquireLock,
  deleteTree,
  entries,
  find,
  get,
  getBytes,
  getJSON,
  getRecord,
  has,
  items,
  keys,
  records,
  releaseLock,
  remove,
  set,
  setRecord,
  size,
  values,
} from './endpoints/kv.ts';
// @insert-imports (add named imports above this line)

/** `consul.kv`: the KV functions bound to the facade's client. */
export interface KVApi {
  get: Bound<typeof get>;
  getBytes: Bound<typeof getBytes>;
  getJSON: Bound<typeof getJSON>;
  getRecord: Bound<typeof getRecord>;
  records: Bound<typeof records>;
  list: Bound<typeof records>;
  keys: Bound<typeof keys>;
  has: Bound<typeof has>;
  size: Bound<typeof size>;
  find: Bound<typeof find>;
  values: Bound<typeof values>;
  items: Bound<typeof items>;
  entries: Bound<typeof entries>;
  set: Bound<typeof set>;
  setRecord: Bound<typeof setRecord>;
  delete: Bound<typeof remove>;
  deleteTree: Bound<typeof deleteTree>;
  acquireLock: Bound<typeof acquireLock>;
  releaseLock: Bound<typeof releaseLock>;
}

// @insert-interfaces (helpers: add `export interface XApi {…}` blocks above this line)

function isClient(value: unknown): value is Client {
  return typeof value === 'object' && value !== null && 'transport' in value && 'config' in value;
}

/**
 * A Consul client with every API group bound, like consulate's `consulate.Consul`.
 * @example
 * ```ts
 * import { Consul } from 'consulate';
 * const consul = new Consul({ address: '127.0.0.1:8500' });
 * await consul.kv.set('app/port', '8080');
 * const { data } = await consul.kv.get('app/port'); // '8080'
 * ```
 */
export class Consul {
  /** The underlying immutable client, for use with the pure endpoint functions. */
  readonly client: Client;
  /** The KV store. */
  readonly kv: KVApi;
  // @insert-properties (add `/** … */ readonly x: XApi;` above this line)

  /**
   * @param config - a {@link ClientConfig} or an existing {@link Client}.
   * @throws {ConfigError} for invalid configuration.
   */
  constructor(config: ClientConfig | Client = {}) {
    const c = isClient(config) ? config : createClient(config);
    this.client = c;
    this.kv = {
      get: bind(get, c),
      getBytes: bind(getBytes, c),
      getJSON: bind(getJSON, c) as Bound<typeof getJSON>,
      getRecord: bind(getRecord, c),
      records: bind(records, c),
      list: bind(records, c),
      keys: bind(keys, c),
      has: bind(has, c),
      size: bind(size, c),
      find: bind(find, c),
      values: bind(values, c),
      items: bind(items, c),
      entries: bind(entries, c),
      set: bind(set, c),
      setRecord: bind(setRecord, c),
      delete: bind(remove, c),
      deleteTree: bind(deleteTree, c),
      acquireLock: bind(acquireLock, c),
      releaseLock: bind(releaseLock, c),
    };
    // @insert-bindings (add `this.x = { … };` above this line)
  }
}
