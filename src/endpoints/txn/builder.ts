/**
 * The typed transaction builder: `builder().kv.set(…).node.delete(…)…` collects operations for `run`.
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @module
 */
import type { TxnCatalogVerb, TxnCheck, TxnKVOp, TxnNode, TxnOperation, TxnService, TxnValue } from './operations.ts';
import type { run } from './run.ts';

/** Per-operation options of the builder's KV writes. */
export interface TxnKVOpOptions {
  /** uint64 flags to store (a write without them stores 0). */
  flags?: number | bigint | undefined;
  /** Enterprise namespace of the key (Consul OSS 1.8.7 ignores it silently: the default namespace is written). */
  namespace?: string | undefined;
  /** Enterprise admin partition of the key. */
  partition?: string | undefined;
}

/** The builder's KV operations; each returns the builder. */
export interface TxnKVBuilder {
  /** `set`: writes the key. */
  set(key: string, value: TxnValue, options?: TxnKVOpOptions): TxnBuilder;
  /** `cas`: writes the key only if its ModifyIndex is `index` (0: only if it does not exist). */
  cas(key: string, value: TxnValue, index: number | bigint, options?: TxnKVOpOptions): TxnBuilder;
  /** `lock`: writes the key and acquires its lock for `session`. */
  lock(key: string, value: TxnValue, session: string, options?: TxnKVOpOptions): TxnBuilder;
  /** `unlock`: writes the key and releases the lock held by `session`. */
  unlock(key: string, value: TxnValue, session: string, options?: TxnKVOpOptions): TxnBuilder;
  /** `get`: reads the key; the transaction fails if it does not exist. */
  get(key: string, options?: TxnKVOpOptions): TxnBuilder;
  /** `get-tree`: reads every key with this prefix (one result per key). */
  getTree(prefix: string, options?: TxnKVOpOptions): TxnBuilder;
  /** `check-index`: fails the transaction unless the key's ModifyIndex is `index`. */
  checkIndex(key: string, index: number | bigint, options?: TxnKVOpOptions): TxnBuilder;
  /** `check-session`: fails the transaction unless `session` holds the key's lock. */
  checkSession(key: string, session: string, options?: TxnKVOpOptions): TxnBuilder;
  /** `check-not-exists`: fails the transaction if the key exists. */
  checkNotExists(key: string, options?: TxnKVOpOptions): TxnBuilder;
  /** `delete`: deletes the key (no result). */
  delete(key: string, options?: TxnKVOpOptions): TxnBuilder;
  /** `delete-tree`: deletes every key with this prefix (no result). */
  deleteTree(prefix: string, options?: TxnKVOpOptions): TxnBuilder;
  /** `delete-cas`: deletes the key only if its ModifyIndex is `index` (no result). */
  deleteCas(key: string, index: number | bigint, options?: TxnKVOpOptions): TxnBuilder;
}

/** The builder's node operations; each returns the builder. */
export interface TxnNodeBuilder {
  /** `set`: registers or updates the node. */
  set(node: TxnNode): TxnBuilder;
  /** `cas`: updates the node only if its ModifyIndex is `index`. */
  cas(node: TxnNode, index: number | bigint): TxnBuilder;
  /** `get`: reads the node (by name); fails if it does not exist. */
  get(node: string): TxnBuilder;
  /** `delete`: deregisters the node with its services and checks (no result). */
  delete(node: string): TxnBuilder;
  /** `delete-cas`: deregisters the node only if its ModifyIndex is `index` (no result). */
  deleteCas(node: string, index: number | bigint): TxnBuilder;
}

/** A service reference for deletes: Consul 1.8.7 requires the name along with the id. */
export interface TxnServiceRef {
  ID: string;
  Service: string;
}

/** The builder's service operations; each returns the builder. */
export interface TxnServiceBuilder {
  /** `set`: registers or updates a service instance on `node`. */
  set(node: string, service: TxnService): TxnBuilder;
  /** `cas`: updates the service only if its ModifyIndex is `index`. */
  cas(node: string, service: TxnService, index: number | bigint): TxnBuilder;
  /** `get`: reads the service instance `serviceId` of `node`; fails if it does not exist. */
  get(node: string, serviceId: string): TxnBuilder;
  /** `delete`: deregisters a service instance (no result). */
  delete(node: string, service: TxnServiceRef): TxnBuilder;
  /** `delete-cas`: deregisters it only if its ModifyIndex is `index` (no result). */
  deleteCas(node: string, service: TxnServiceRef, index: number | bigint): TxnBuilder;
}

/** The builder's check operations; each returns the builder. */
export interface TxnCheckBuilder {
  /** `set`: registers or updates a health check. */
  set(check: TxnCheck): TxnBuilder;
  /** `cas`: updates the check only if its ModifyIndex is `index`. */
  cas(check: TxnCheck, index: number | bigint): TxnBuilder;
  /** `get`: reads the check `checkId` of `node`; fails if it does not exist. */
  get(node: string, checkId: string): TxnBuilder;
  /** `delete`: deregisters the check (no result). */
  delete(node: string, checkId: string): TxnBuilder;
  /** `delete-cas`: deregisters it only if its ModifyIndex is `index` (no result). */
  deleteCas(node: string, checkId: string, index: number | bigint): TxnBuilder;
}

/** Collects transaction operations; pass it (or its `ops`) to {@link run}. */
export interface TxnBuilder {
  /** The operations collected so far, in order (an operation's position is its `OpIndex`). */
  readonly ops: readonly TxnOperation[];
  /** How many operations there are. */
  readonly length: number;
  /** KV operations. */
  readonly kv: TxnKVBuilder;
  /** Node operations. */
  readonly node: TxnNodeBuilder;
  /** Service operations. */
  readonly service: TxnServiceBuilder;
  /** Check operations. */
  readonly check: TxnCheckBuilder;
  /** Appends raw operations. */
  add(...ops: TxnOperation[]): TxnBuilder;
}

/**
 * Creates a transaction builder. Nothing is checked or sent until {@link run}.
 * @returns an empty {@link TxnBuilder}.
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @example
 * ```ts
 * const t = txn.builder();
 * t.kv.checkIndex('config/version', 42).kv.set('config/version', '2').kv.set('a//b', bytes, { flags: 1n });
 * const { data } = await txn.run(client, t);
 * ```
 */
export function builder(): TxnBuilder {
  const ops: TxnOperation[] = [];
  const kv = (op: TxnKVOp, options?: TxnKVOpOptions): TxnBuilder => {
    if (options?.flags !== undefined) op.Flags = options.flags;
    if (options?.namespace !== undefined) op.Namespace = options.namespace;
    if (options?.partition !== undefined) op.Partition = options.partition;
    ops.push({ KV: op });
    return self;
  };
  const node = (Verb: TxnCatalogVerb, n: TxnNode): TxnBuilder => {
    ops.push({ Node: { Verb, Node: n } });
    return self;
  };
  const service = (Verb: TxnCatalogVerb, n: string, s: TxnService): TxnBuilder => {
    ops.push({ Service: { Verb, Node: n, Service: s } });
    return self;
  };
  const chk = (Verb: TxnCatalogVerb, c: TxnCheck): TxnBuilder => {
    ops.push({ Check: { Verb, Check: c } });
    return self;
  };
  const self: TxnBuilder = {
    get ops() {
      return ops;
    },
    get length() {
      return ops.length;
    },
    kv: {
      set: (Key, Value, o) => kv({ Verb: 'set', Key, Value }, o),
      cas: (Key, Value, Index, o) => kv({ Verb: 'cas', Key, Value, Index }, o),
      lock: (Key, Value, Session, o) => kv({ Verb: 'lock', Key, Value, Session }, o),
      unlock: (Key, Value, Session, o) => kv({ Verb: 'unlock', Key, Value, Session }, o),
      get: (Key, o) => kv({ Verb: 'get', Key }, o),
      getTree: (Key, o) => kv({ Verb: 'get-tree', Key }, o),
      checkIndex: (Key, Index, o) => kv({ Verb: 'check-index', Key, Index }, o),
      checkSession: (Key, Session, o) => kv({ Verb: 'check-session', Key, Session }, o),
      checkNotExists: (Key, o) => kv({ Verb: 'check-not-exists', Key }, o),
      delete: (Key, o) => kv({ Verb: 'delete', Key }, o),
      deleteTree: (Key, o) => kv({ Verb: 'delete-tree', Key }, o),
      deleteCas: (Key, Index, o) => kv({ Verb: 'delete-cas', Key, Index }, o),
    },
    node: {
      set: (n) => node('set', n),
      cas: (n, index) => node('cas', { ...n, ModifyIndex: index }),
      get: (name) => node('get', { Node: name }),
      delete: (name) => node('delete', { Node: name }),
      deleteCas: (name, index) => node('delete-cas', { Node: name, ModifyIndex: index }),
    },
    service: {
      set: (n, s) => service('set', n, s),
      cas: (n, s, index) => service('cas', n, { ...s, ModifyIndex: index }),
      get: (n, id) => service('get', n, { ID: id }),
      delete: (n, s) => service('delete', n, { ID: s.ID, Service: s.Service }),
      deleteCas: (n, s, index) => service('delete-cas', n, { ID: s.ID, Service: s.Service, ModifyIndex: index }),
    },
    check: {
      set: (c) => chk('set', c),
      cas: (c, index) => chk('cas', { ...c, ModifyIndex: index }),
      get: (n, id) => chk('get', { Node: n, CheckID: id }),
      delete: (n, id) => chk('delete', { Node: n, CheckID: id }),
      deleteCas: (n, id, index) => chk('delete-cas', { Node: n, CheckID: id, ModifyIndex: index }),
    },
    add(...more) {
      ops.push(...more);
      return self;
    },
  };
  return self;
}
