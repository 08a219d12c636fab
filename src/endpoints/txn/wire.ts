/**
 * A transaction's wire encoding: operations checked and converted to Consul's JSON (values base64,
 * flags and indexes exact uint64), the datacenter a transaction is routed to, and the results decoded
 * back (KV values as bytes, flags as bigint). Internal: `consulate/txn` re-exports the result types.
 * @module
 */
import type { Client } from '../../core/client.ts';
import { toBase64, uint64, utf8 } from '../../core/encoding.ts';
import { InputError } from '../../core/errors.ts';
import { check } from '../../core/request.ts';
import { bodyDatacenter } from '../../core/routing.ts';
import type { KVPair } from '../../schemas/kv.ts';
import { decodePair, MAX_VALUE_BYTES } from '../../schemas/kv.ts';
import type { TxnCheckResult, TxnNodeResult, TxnOptions, TxnServiceResult, TxnWireOp, TxnWireResult } from '../../schemas/txn.ts';
import { TxnCheckResult as TxnCheckSchema, TxnNodeResult as TxnNodeSchema, TxnServiceResult as TxnServiceSchema } from '../../schemas/txn.ts';
import type { TxnInput, TxnKVOp, TxnOperation } from './operations.ts';

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

const KV_VERBS: readonly string[] = [
  'set', 'cas', 'lock', 'unlock', 'get', 'get-tree', 'check-index', 'check-session', 'check-not-exists',
  'delete', 'delete-tree', 'delete-cas',
];
const KV_NEEDS_INDEX: readonly string[] = ['cas', 'check-index', 'delete-cas'];
const KV_NEEDS_SESSION: readonly string[] = ['lock', 'unlock', 'check-session'];
const CATALOG_VERBS: readonly string[] = ['set', 'cas', 'get', 'delete', 'delete-cas'];
const CATALOG_NEEDS_INDEX: readonly string[] = ['cas', 'delete-cas'];

/** The operations of a list or of anything holding one in `ops` (a builder). @throws {InputError} for anything else. */
export function opsOf(input: TxnInput): readonly TxnOperation[] {
  const ops = Array.isArray(input) ? (input as readonly TxnOperation[]) : (input as { ops?: unknown }).ops;
  if (!Array.isArray(ops)) throw new InputError('a transaction takes an array of operations (or a builder)');
  return ops as readonly TxnOperation[];
}

/** An operation as error messages name it: `KV set "a/b"`, `Node delete`. */
export function describe(op: unknown): string {
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
export function routed<O extends TxnOptions>(client: Client, wire: readonly TxnWireOp[], options: O): O {
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
export function toWire(ops: readonly TxnOperation[], offset = 0): TxnWireOp[] {
  return ops.map((op, i) => toWireOp(op, i + offset));
}

/** Consul's results, decoded and checked, in its order and by kind. */
export function decodeResults(client: Client, wire: readonly TxnWireResult[]): TxnResults {
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
