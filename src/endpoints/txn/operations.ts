/**
 * What a transaction is made of: its operations, shaped like Consul's (`{ KV: … }`, `{ Node: … }`,
 * `{ Service: … }`, `{ Check: … }`), with values decoded (text or bytes) and indexes as number or bigint.
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @module
 */

/** The KV verbs Consul 1.8.7 knows (it lacks `check-exists` and `get-or-empty`). */
export type TxnKVVerb =
  | 'set'
  | 'cas'
  | 'lock'
  | 'unlock'
  | 'get'
  | 'get-tree'
  | 'check-index'
  | 'check-session'
  | 'check-not-exists'
  | 'delete'
  | 'delete-tree'
  | 'delete-cas';

/** The verbs of node, service and check operations. */
export type TxnCatalogVerb = 'set' | 'cas' | 'get' | 'delete' | 'delete-cas';

/** A KV value in a transaction: text (stored as UTF-8) or bytes. */
export type TxnValue = string | Uint8Array;

/** A KV operation (Consul's field names; `Value` decoded, `Flags`/`Index` as number or bigint). */
export interface TxnKVOp {
  Verb: TxnKVVerb;
  /** The key, used exactly as given. */
  Key: string;
  Value?: TxnValue | undefined;
  /** uint64 flags. */
  Flags?: number | bigint | undefined;
  /** ModifyIndex for `cas`, `check-index` and `delete-cas` (0 with `cas`: only if the key does not exist). */
  Index?: number | bigint | undefined;
  /** Session id for `lock`, `unlock` and `check-session`. */
  Session?: string | undefined;
  /** Enterprise namespace (Consul OSS 1.8.7 ignores it silently and writes to the default namespace). */
  Namespace?: string | undefined;
  /** Enterprise admin partition (Consul 1.11+; 1.8.7 refuses the field with a 400). */
  Partition?: string | undefined;
}

/** A node for node operations (Consul's catalog fields); `get`/`delete` need only `Node` (or `ID`). */
export interface TxnNode {
  ID?: string | undefined;
  Node: string;
  Address?: string | undefined;
  /**
   * The datacenter to write the node in. Consul ignores this field inside `/v1/txn` (the request's
   * `?dc=` decides), so consulate sends the transaction there; it must agree with the `datacenter` option.
   */
  Datacenter?: string | undefined;
  TaggedAddresses?: Record<string, string> | undefined;
  Meta?: Record<string, string> | undefined;
  /** Required by `cas` and `delete-cas`. */
  ModifyIndex?: number | bigint | undefined;
  [field: string]: unknown;
}

/** A service instance for service operations (Consul's catalog `NodeService` fields). */
export interface TxnService {
  ID?: string | undefined;
  /** The service name; Consul 1.8.7 requires it for every verb but `get`. */
  Service?: string | undefined;
  Tags?: string[] | undefined;
  Address?: string | undefined;
  Port?: number | undefined;
  Meta?: Record<string, string> | undefined;
  /** Required by `cas` and `delete-cas`. */
  ModifyIndex?: number | bigint | undefined;
  [field: string]: unknown;
}

/** A health check for check operations (Consul's catalog `HealthCheck` fields). */
export interface TxnCheck {
  Node: string;
  CheckID: string;
  Name?: string | undefined;
  Status?: 'passing' | 'warning' | 'critical' | 'maintenance' | (string & {}) | undefined;
  Notes?: string | undefined;
  Output?: string | undefined;
  ServiceID?: string | undefined;
  /** Check definition, e.g. `{ HTTP: 'http://…', Interval: '10s' }`. */
  Definition?: Record<string, unknown> | undefined;
  /** Required by `cas` and `delete-cas`. */
  ModifyIndex?: number | bigint | undefined;
  [field: string]: unknown;
}

/** One transaction operation, shaped like Consul's (`{ KV: … }`, `{ Node: … }`, `{ Service: … }`, `{ Check: … }`). */
export type TxnOperation =
  | { KV: TxnKVOp }
  | { Node: { Verb: TxnCatalogVerb; Node: TxnNode } }
  | { Service: { Verb: TxnCatalogVerb; Node: string; Service: TxnService } }
  | { Check: { Verb: TxnCatalogVerb; Check: TxnCheck } };

/** Operations to run: a list, or anything holding one in `ops` (such as a {@link TxnBuilder}). */
export type TxnInput = readonly TxnOperation[] | { readonly ops: readonly TxnOperation[] };
