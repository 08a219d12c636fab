/**
 * Transactions (`/v1/txn`): a typed builder for KV, node, service and check operations, running them
 * atomically, a non-throwing variant, and a batch runner for lists longer than Consul's 64-operation limit.
 *
 * Keys are passed to Consul **exactly** — no leading-slash stripping, no escaping, no path cleaning —
 * so a transaction is how keys such as `a//b` or `./..` are stored as written. KV values are text
 * (UTF-8) or bytes (base64 on the wire); `Flags` are uint64 (`bigint` for values above 2^53).
 *
 * Results are **not** 1:1 with operations: deletes give no result, `get-tree` gives one per key.
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @module
 */
import type { Client } from '../core/client.ts';
import type { FacadeEntry } from '../core/bind.ts';
import { unbound } from '../core/bind.ts';
import { stringifyJson, toBase64, uint64, utf8 } from '../core/encoding.ts';
import type { TransactionOpError } from '../core/errors.ts';
import { InputError, isTransactionError } from '../core/errors.ts';
import type { QueryMeta } from '../core/meta.ts';
import { emptyMeta } from '../core/meta.ts';
import type { Result } from '../core/request.ts';
import { check } from '../core/request.ts';
import { bodyDatacenter } from '../core/routing.ts';
import type { KVPairWire } from '../schemas/kv.ts';
import type { KVPair } from '../schemas/kv.ts';
import { decodePair, MAX_VALUE_BYTES } from '../schemas/kv.ts';
import type { TxnCheckResult, TxnNodeResult, TxnOptions, TxnServiceResult, TxnWireOp, TxnWireResult } from '../schemas/txn.ts';
import {
  sendTxn,
  TXN_MAX_BYTES,
  TXN_MAX_OPS,
  TxnCheckResult as TxnCheckSchema,
  TxnNodeResult as TxnNodeSchema,
  TxnServiceResult as TxnServiceSchema,
} from '../schemas/txn.ts';

export type { TxnCheckResult, TxnNodeResult, TxnOptions, TxnServiceResult } from '../schemas/txn.ts';
export { TXN_MAX_BYTES, TXN_MAX_OPS } from '../schemas/txn.ts';


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

/** One result of a transaction, in the order Consul returned them. */
export type TxnResultItem =
  | { KV: KVPair }
  | { Node: TxnNodeResult }
  | { Service: TxnServiceResult }
  | { Check: TxnCheckResult };

/**
 * The results of a successful transaction. Not 1:1 with the operations: deletes give none,
 * `get-tree` one per key; writes give the entry with an empty value.
 */
export interface TxnResults {
  /** Every result in Consul's order. */
  results: TxnResultItem[];
  /** The KV results (values as bytes, flags as bigint). */
  kv: KVPair[];
  /** The node results. */
  nodes: TxnNodeResult[];
  /** The service results. */
  services: TxnServiceResult[];
  /** The check results. */
  checks: TxnCheckResult[];
}

/** What {@link tryRun} returns: the results, or the per-operation errors of a rolled-back transaction. */
export type TxnOutcome = ({ ok: true } & TxnResults) | { ok: false; errors: TransactionOpError[] };

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

const KV_VERBS: readonly string[] = [
  'set', 'cas', 'lock', 'unlock', 'get', 'get-tree', 'check-index', 'check-session', 'check-not-exists',
  'delete', 'delete-tree', 'delete-cas',
];
const KV_NEEDS_INDEX: readonly string[] = ['cas', 'check-index', 'delete-cas'];
const KV_NEEDS_SESSION: readonly string[] = ['lock', 'unlock', 'check-session'];
const CATALOG_VERBS: readonly string[] = ['set', 'cas', 'get', 'delete', 'delete-cas'];
const CATALOG_NEEDS_INDEX: readonly string[] = ['cas', 'delete-cas'];

function opsOf(input: TxnInput): readonly TxnOperation[] {
  const ops = Array.isArray(input) ? (input as readonly TxnOperation[]) : (input as { ops?: unknown }).ops;
  if (!Array.isArray(ops)) throw new InputError('a transaction takes an array of operations (or a builder)');
  return ops as readonly TxnOperation[];
}

function describe(op: unknown): string {
  if (typeof op !== 'object' || op === null) return 'operation';
  const [kind, body] = Object.entries(op)[0] ?? [];
  const b = body as Record<string, unknown> | undefined;
  const verb = typeof b?.['Verb'] === 'string' ? ` ${b['Verb']}` : '';
  const key = kind === 'KV' && typeof b?.['Key'] === 'string' ? ` ${JSON.stringify(b['Key'])}` : '';
  return `${kind ?? 'operation'}${verb}${key}`;
}

function index(value: unknown, at: string, name: string): bigint {
  if (typeof value !== 'number' && typeof value !== 'bigint') throw new InputError(`${at}: ${name} must be a number or bigint`);
  return BigInt(uint64(value, `${at}: ${name}`));
}

function kvWire(op: TxnKVOp, at: string): Record<string, unknown> {
  if (typeof op !== 'object' || op === null) throw new InputError(`${at}: KV must be an object`);
  if (!KV_VERBS.includes(op.Verb)) {
    throw new InputError(
      `${at}: ${JSON.stringify(op.Verb)} is not a KV verb Consul 1.8.7 knows (${KV_VERBS.join(', ')})`,
    );
  }
  if (typeof op.Key !== 'string') throw new InputError(`${at}: Key must be a string`);
  const out: Record<string, unknown> = { Verb: op.Verb, Key: op.Key };
  if (op.Value !== undefined) {
    let bytes: Uint8Array;
    if (typeof op.Value === 'string') bytes = utf8(op.Value);
    else if (op.Value instanceof Uint8Array) bytes = op.Value;
    else throw new InputError(`${at}: Value must be a string or a Uint8Array`);
    if (bytes.byteLength > MAX_VALUE_BYTES) {
      throw new InputError(`${at}: value is ${bytes.byteLength} bytes; Consul's limit is ${MAX_VALUE_BYTES} bytes (512 KiB)`);
    }
    out['Value'] = toBase64(bytes);
  }
  if (op.Flags !== undefined) out['Flags'] = index(op.Flags, at, 'Flags');
  if (op.Index !== undefined) out['Index'] = index(op.Index, at, 'Index');
  else if (KV_NEEDS_INDEX.includes(op.Verb)) throw new InputError(`${at}: verb "${op.Verb}" needs an Index`);
  if (op.Session !== undefined && op.Session !== '') out['Session'] = op.Session;
  else if (KV_NEEDS_SESSION.includes(op.Verb)) throw new InputError(`${at}: verb "${op.Verb}" needs a Session`);
  if (op.Namespace !== undefined) out['Namespace'] = op.Namespace;
  if (op.Partition !== undefined) out['Partition'] = op.Partition;
  return out;
}

function catalogVerb(verb: unknown, at: string, kind: string): string {
  if (typeof verb !== 'string' || !CATALOG_VERBS.includes(verb)) {
    throw new InputError(`${at}: ${JSON.stringify(verb)} is not a ${kind} verb (${CATALOG_VERBS.join(', ')})`);
  }
  return verb;
}

function withIndex<T extends { ModifyIndex?: number | bigint | undefined }>(
  body: T,
  verb: string,
  at: string,
): Record<string, unknown> {
  const { ModifyIndex, ...rest } = body;
  if (ModifyIndex !== undefined) return { ...rest, ModifyIndex: index(ModifyIndex, at, 'ModifyIndex') };
  if (CATALOG_NEEDS_INDEX.includes(verb)) throw new InputError(`${at}: verb "${verb}" needs a ModifyIndex`);
  return rest;
}

function toWireOp(op: TxnOperation, i: number): TxnWireOp {
  const at = `operation ${i} (${describe(op)})`;
  if (typeof op !== 'object' || op === null || Object.keys(op).length !== 1) {
    throw new InputError(`${at}: each operation is an object with exactly one of KV, Node, Service or Check`);
  }
  if ('KV' in op) return { KV: kvWire(op.KV, at) };
  if ('Node' in op) {
    const verb = catalogVerb(op.Node?.Verb, at, 'Node');
    const n = op.Node.Node;
    if (typeof n !== 'object' || n === null || (!n.Node && !n.ID)) throw new InputError(`${at}: Node needs a Node name or ID`);
    return { Node: { Verb: verb, Node: withIndex(n, verb, at) } };
  }
  if ('Service' in op) {
    const verb = catalogVerb(op.Service?.Verb, at, 'Service');
    const { Node, Service } = op.Service;
    if (typeof Node !== 'string' || Node === '') throw new InputError(`${at}: Service operations need the Node name`);
    if (typeof Service !== 'object' || Service === null || (!Service.ID && !Service.Service)) {
      throw new InputError(`${at}: Service needs an ID or a Service name`);
    }
    return { Service: { Verb: verb, Node, Service: withIndex(Service, verb, at) } };
  }
  if ('Check' in op) {
    const verb = catalogVerb(op.Check?.Verb, at, 'Check');
    const c = op.Check.Check;
    if (typeof c !== 'object' || c === null || !c.Node || !c.CheckID) throw new InputError(`${at}: Check needs Node and CheckID`);
    return { Check: { Verb: verb, Check: withIndex(c, verb, at) } };
  }
  throw new InputError(`${at}: each operation is an object with exactly one of KV, Node, Service or Check`);
}

/**
 * The options a transaction is sent with: Consul routes `/v1/txn` by `?dc=` and ignores a Node
 * operation's `Datacenter`, so a `Datacenter` named by Node operations routes the whole transaction
 * (when no `datacenter` option is given; the client's `datacenter` comes after it).
 * @throws {InputError} when Node operations name a datacenter other than the `datacenter` option, or two different ones.
 */
function routed<O extends TxnOptions>(client: Client, wire: readonly TxnWireOp[], options: O): O {
  const named: string[] = [];
  wire.forEach((op, i) => {
    const dc = op['Node']?.['Node'] === undefined ? undefined : (op['Node']['Node'] as { Datacenter?: unknown }).Datacenter;
    if (dc === undefined) return;
    if (typeof dc !== 'string') throw new InputError(`operation ${i}: Node.Datacenter must be a string`);
    named.push(dc);
  });
  if (named.length === 0) return options;
  const dc = bodyDatacenter(client, options, named, 'txn (Node operations)');
  return dc === undefined ? options : { ...options, datacenter: dc };
}

/**
 * Validates operations and converts them to Consul's wire form (values base64, flags exact).
 * @throws {InputError} naming the first invalid operation.
 */
function toWire(ops: readonly TxnOperation[], offset = 0): TxnWireOp[] {
  return ops.map((op, i) => toWireOp(op, i + offset));
}

function decodeResults(client: Client, wire: readonly TxnWireResult[]): TxnResults {
  const out: TxnResults = { results: [], kv: [], nodes: [], services: [], checks: [] };
  for (const r of wire) {
    if (r.KV) {
      const KV = decodePair(r.KV);
      out.results.push({ KV });
      out.kv.push(KV);
    } else if (r.Node) {
      const Node = check(client, TxnNodeSchema, r.Node, 'PUT /v1/txn: Node result');
      out.results.push({ Node });
      out.nodes.push(Node);
    } else if (r.Service) {
      const Service = check(client, TxnServiceSchema, r.Service, 'PUT /v1/txn: Service result');
      out.results.push({ Service });
      out.services.push(Service);
    } else if (r.Check) {
      const Check = check(client, TxnCheckSchema, r.Check, 'PUT /v1/txn: Check result');
      out.results.push({ Check });
      out.checks.push(Check);
    }
  }
  return out;
}

function checkCount(count: number): void {
  if (count === 0) throw new InputError('a transaction needs at least one operation');
  if (count > TXN_MAX_OPS) {
    throw new InputError(
      `a transaction holds at most ${TXN_MAX_OPS} operations, got ${count}; use runBatches (or splitBatches) to send them in atomic batches`,
    );
  }
}

/**
 * Runs operations as one atomic transaction: all are applied, or none.
 * @param ops - the operations, or a {@link TxnBuilder}.
 * @param options - write options; `consistency` applies to read-only transactions.
 * @returns the decoded results (KV values as bytes, flags as bigint) — not 1:1 with the operations.
 * @throws {InputError} for more than 64 operations or an invalid one (verb, flags, value over 512 KiB…), or Node
 *   operations whose `Datacenter` disagrees with the `datacenter` option or with each other, before sending.
 * @throws {TransactionError} when Consul rolled the transaction back; `errors` holds `{ OpIndex, What }` per failed operation.
 * @throws {ServerError} 500 "No path to datacenter" for a datacenter Consul does not know (`datacenter` or a Node's `Datacenter`).
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @example
 * ```ts
 * const t = txn.builder().kv.cas('config/db', 'v2', pair.ModifyIndex).kv.get('config/db');
 * const { data } = await txn.run(client, t);
 * console.log(data.kv[1]?.Value);
 * ```
 */
export async function run(client: Client, ops: TxnInput, options: TxnOptions = {}): Promise<Result<TxnResults>> {
  const list = opsOf(ops);
  checkCount(list.length);
  const wire = toWire(list);
  const { data, meta } = await sendTxn(client, wire, routed(client, wire, options));
  return { data: decodeResults(client, data), meta };
}

/**
 * Like {@link run}, but a rolled-back transaction is a value, not an exception.
 * @returns `{ ok: true, results, kv, … }` or `{ ok: false, errors }` (errors with `OpIndex` and `What`).
 * @throws {InputError} for invalid operations; other HTTP and network errors still throw.
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @example
 * ```ts
 * const { data } = await txn.tryRun(client, txn.builder().kv.checkNotExists('lock').kv.set('lock', 'me'));
 * if (!data.ok) console.log(data.errors[0]?.What);
 * ```
 */
export async function tryRun(client: Client, ops: TxnInput, options: TxnOptions = {}): Promise<Result<TxnOutcome>> {
  try {
    const { data, meta } = await run(client, ops, options);
    return { data: { ok: true, ...data }, meta };
  } catch (error) {
    if (isTransactionError(error)) return { data: { ok: false, errors: [...error.errors] }, meta: emptyMeta(409) };
    throw error;
  }
}

/** Limits for splitting operations into batches. */
export interface TxnBatchLimits {
  /** Most operations per batch (1–64). @default 64 */
  maxOps?: number | undefined;
  /** Largest request body per batch in bytes (Consul's `txn_max_req_len`). @default 524288 */
  maxBytes?: number | undefined;
}

/** Options of {@link runBatches}. */
export interface TxnBatchOptions extends TxnOptions, TxnBatchLimits {
  /** Keep sending later batches after one fails. @default false (later batches are `skipped`) */
  continueOnError?: boolean | undefined;
}

/** One batch of {@link runBatches}. */
export interface TxnBatch {
  /** Position of the batch's first operation in the whole list. */
  start: number;
  /** Position after its last operation. */
  end: number;
  /**
   * `applied`: committed. `rolled-back`: Consul refused it atomically (see `errors`). `failed`: the request
   * failed otherwise (see `error`; after a network error or timeout it may or may not have been applied).
   * `skipped`: not sent because an earlier batch did not apply.
   */
  status: 'applied' | 'rolled-back' | 'failed' | 'skipped';
  /** The batch's results, when applied. */
  results?: TxnResults | undefined;
  /** Per-operation errors when rolled back; `OpIndex` counts from the start of the whole list. */
  errors?: TransactionOpError[] | undefined;
  /** The error when the request failed. */
  error?: unknown;
}

/** What {@link runBatches} did, batch by batch. */
export interface TxnBatchReport {
  /** True when every batch was applied. */
  ok: boolean;
  /** How many operations were applied (those of the `applied` batches). */
  applied: number;
  /** Every batch, in order. */
  batches: TxnBatch[];
}

function limitsOf(limits: TxnBatchLimits): { maxOps: number; maxBytes: number } {
  const maxOps = limits.maxOps ?? TXN_MAX_OPS;
  const maxBytes = limits.maxBytes ?? TXN_MAX_BYTES;
  if (!Number.isInteger(maxOps) || maxOps < 1 || maxOps > TXN_MAX_OPS) {
    throw new InputError(`maxOps must be an integer from 1 to ${TXN_MAX_OPS}, got ${maxOps}`);
  }
  if (!Number.isInteger(maxBytes) || maxBytes < 64) throw new InputError(`maxBytes must be an integer of at least 64, got ${maxBytes}`);
  return { maxOps, maxBytes };
}

/** Plans batch boundaries over wire operations by count and by encoded body size. */
function plan(wire: readonly TxnWireOp[], maxOps: number, maxBytes: number): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  let bytes = 2; // "[" and "]"
  for (let i = 0; i < wire.length; i++) {
    const size = utf8(stringifyJson(wire[i])).byteLength;
    if (size + 2 > maxBytes) {
      throw new InputError(`operation ${i} (${describe(wire[i])}) alone encodes to ${size} bytes, above the ${maxBytes}-byte transaction limit`);
    }
    const extra = i > start ? size + 1 : size;
    if (i > start && (i - start >= maxOps || bytes + extra > maxBytes)) {
      ranges.push([start, i]);
      start = i;
      bytes = 2 + size;
    } else {
      bytes += extra;
    }
  }
  if (wire.length > start) ranges.push([start, wire.length]);
  return ranges;
}

/**
 * Splits operations into batches that each fit one transaction (≤ 64 operations and ≤ 512 KiB encoded).
 * Each batch is atomic on its own; the list as a whole is not.
 * @returns the batches, in order.
 * @throws {InputError} for an invalid operation or one that alone exceeds `maxBytes`.
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @example const batches = txn.splitBatches(ops); // TxnOperation[][]
 */
export function splitBatches(ops: TxnInput, limits: TxnBatchLimits = {}): TxnOperation[][] {
  const list = opsOf(ops);
  const { maxOps, maxBytes } = limitsOf(limits);
  return plan(toWire(list), maxOps, maxBytes).map(([start, end]) => list.slice(start, end));
}

/**
 * Runs a list of any length as consecutive transactions of at most 64 operations (and 512 KiB) each —
 * e.g. for a restore. Every batch is atomic; the whole list is not. All operations are validated
 * before the first batch is sent. Stops at the first batch that does not apply unless `continueOnError`.
 * @returns a report saying exactly which operations were applied (`batches[i].start…end`, `status`);
 *   `meta` is the last sent batch's.
 * @throws {InputError} for an invalid operation, or Node operations whose `Datacenter` disagrees with the `datacenter`
 *   option or with each other (nothing is sent); failures of batches are reported, not thrown. A Node
 *   operation's `Datacenter` routes every batch, as in {@link run}.
 * @see https://developer.hashicorp.com/consul/api-docs/txn
 * @example
 * ```ts
 * const { data } = await txn.runBatches(client, entries.map(([Key, Value]) => ({ KV: { Verb: 'set', Key, Value } })));
 * if (!data.ok) console.error(`applied ${data.applied} of ${entries.length}`);
 * ```
 */
export async function runBatches(client: Client, ops: TxnInput, options: TxnBatchOptions = {}): Promise<Result<TxnBatchReport>> {
  const list = opsOf(ops);
  const { maxOps, maxBytes, continueOnError, ...txnOptions } = options;
  const limits = limitsOf({ maxOps, maxBytes });
  const wire = toWire(list);
  const route = routed(client, wire, txnOptions);
  const report: TxnBatchReport = { ok: true, applied: 0, batches: [] };
  let meta: QueryMeta = emptyMeta(0);
  let stop = false;
  for (const [start, end] of plan(wire, limits.maxOps, limits.maxBytes)) {
    if (stop) {
      report.batches.push({ start, end, status: 'skipped' });
      continue;
    }
    try {
      const result = await sendTxn(client, wire.slice(start, end), route);
      meta = result.meta;
      report.batches.push({ start, end, status: 'applied', results: decodeResults(client, result.data) });
      report.applied += end - start;
    } catch (error) {
      report.ok = false;
      stop = !continueOnError;
      if (isTransactionError(error)) {
        meta = emptyMeta(409);
        const errors = error.errors.map((e) => ({ OpIndex: e.OpIndex + start, What: e.What }));
        report.batches.push({ start, end, status: 'rolled-back', errors });
      } else {
        report.batches.push({ start, end, status: 'failed', error });
      }
    }
  }
  return { data: report, meta };
}

/**
 * How these functions nest on the `Consul` facade: `consul.txn.run(consul.txn.builder().kv.set(…))`…;
 * `builder` and `splitBatches` need no client.
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const txnFacade = {
  builder: /* @__PURE__ */ unbound(builder) as FacadeEntry<typeof builder>,
  run: run as typeof run,
  tryRun: tryRun as typeof tryRun,
  runBatches: runBatches as typeof runBatches,
  splitBatches: /* @__PURE__ */ unbound(splitBatches) as FacadeEntry<typeof splitBatches>,
};
