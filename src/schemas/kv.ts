/**
 * KV data: the decoded entry and value types (re-exported by `consulate/kv`), the value rule (bytes, at
 * most 512 KiB) shared by KV writes, transactions and locks, and the valibot schemas of KV responses.
 * Internal: not a subpath export.
 * @module
 */
import * as v from 'valibot';
import { fromBase64, stringifyJson, toBigInt, utf8 } from '../core/encoding.ts';
import { InputError } from '../core/errors.ts';
import { uint } from './common.ts';

/** Largest value Consul accepts (512 KiB). */
export const MAX_VALUE_BYTES: number = 512 * 1024;

/** A KV entry with its value decoded to bytes and its flags as an exact uint64. */
export interface KVPair {
  /** The full key. */
  Key: string;
  /** Raft index at which the key was created. */
  CreateIndex: number;
  /** Raft index of the last change to the key (the `cas` value for a check-and-set). */
  ModifyIndex: number;
  /** How many times the lock on the key has been acquired. */
  LockIndex: number;
  /** uint64, exact. */
  Flags: bigint;
  /** The value's bytes (empty for an empty or null value). */
  Value: Uint8Array;
  /** The session holding the lock on the key, if any. */
  Session?: string;
  /** The key's namespace (Consul Enterprise). */
  Namespace?: string;
  /** The key's admin partition (Consul Enterprise). */
  Partition?: string;
}

/** A value to store: text (UTF-8), bytes, or anything else JSON-encodable (written as JSON). */
export type KVValue = string | Uint8Array | ArrayBuffer | number | boolean | null | object;

/** Turns a value into the bytes to store, refusing values over Consul's 512 KiB limit before sending. @internal */
export function encodeValue(value: KVValue | undefined, key: string): Uint8Array {
  let bytes: Uint8Array;
  if (typeof value === 'string') bytes = utf8(value);
  else if (value instanceof Uint8Array) bytes = value;
  else if (value instanceof ArrayBuffer) bytes = new Uint8Array(value);
  else if (value === undefined) throw new InputError(`value for key ${JSON.stringify(key)} is undefined`);
  else bytes = utf8(stringifyJson(value));
  if (bytes.byteLength > MAX_VALUE_BYTES) {
    throw new InputError(
      `value for key ${JSON.stringify(key)} is ${bytes.byteLength} bytes; Consul's limit is ${MAX_VALUE_BYTES} bytes (512 KiB)`,
    );
  }
  return bytes;
}

/** One KV entry as Consul sends it (Value base64, Flags uint64 as number or, above 2^53, bigint). */
export interface KVPairWire {
  Key: string;
  CreateIndex: number;
  ModifyIndex: number;
  LockIndex: number;
  Flags: number | bigint;
  Value: string | null;
  Session?: string | undefined;
  Namespace?: string | undefined;
  Partition?: string | undefined;
}


/** One KV entry. */
export const KVPairWire: v.GenericSchema<unknown, KVPairWire> = v.object({
  Key: v.string(),
  CreateIndex: uint,
  ModifyIndex: uint,
  LockIndex: uint,
  Flags: v.union([uint, v.bigint()]),
  Value: v.nullable(v.string()),
  Session: v.optional(v.string()),
  Namespace: v.optional(v.string()),
  Partition: v.optional(v.string()),
});

/** A non-negative integer, as `uint` (schemas/common.ts) accepts it. */
const isUint = (value: unknown): boolean => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isOptionalString = (value: unknown): boolean => value === undefined || typeof value === 'string';

/**
 * What keeps an entry from passing {@link KVPairWire} — `[field, message]` (field `''`: the entry
 * itself) — or `undefined` when it certainly passes: the fields `decodePair` relies on, checked with a
 * plain loop at a fraction of valibot's cost, for long lists (`kv.records`, the CLI's backups; unknown
 * fields pass). It mirrors that schema field by field: keep the two in step (test/node/kv-records.test.ts
 * pins each field). @internal
 */
export function kvPairProblem(value: unknown): [field: string, message: string] | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['', 'expected an object'];
  const pair = value as Record<string, unknown>;
  if (typeof pair['Key'] !== 'string') return ['Key', 'expected a string'];
  for (const field of ['CreateIndex', 'ModifyIndex', 'LockIndex']) if (!isUint(pair[field])) return [field, 'expected an unsigned integer'];
  if (!isUint(pair['Flags']) && typeof pair['Flags'] !== 'bigint') return ['Flags', 'expected an unsigned integer'];
  if (pair['Value'] !== null && typeof pair['Value'] !== 'string') return ['Value', 'expected a string or null'];
  for (const field of ['Session', 'Namespace', 'Partition']) if (!isOptionalString(pair[field])) return [field, 'expected a string'];
  return undefined;
}

/** A list of KV entries. */
export const KVPairList: v.GenericSchema<unknown, KVPairWire[]> = v.array(KVPairWire);

/** `?keys` answer. */
export const StringList: v.GenericSchema<unknown, string[]> = v.array(v.string());

/** A `true`/`false` write answer. */
export const BooleanResult: v.GenericSchema<unknown, boolean> = v.boolean();

/** Decodes a wire entry: Value base64 → bytes (empty for null), Flags → exact bigint. */
export function decodePair(wire: KVPairWire): KVPair {
  const pair: KVPair = {
    Key: wire.Key,
    CreateIndex: wire.CreateIndex,
    ModifyIndex: wire.ModifyIndex,
    LockIndex: wire.LockIndex,
    Flags: toBigInt(wire.Flags),
    Value: wire.Value ? fromBase64(wire.Value) : new Uint8Array(0),
  };
  if (wire.Session) pair.Session = wire.Session;
  if (wire.Namespace) pair.Namespace = wire.Namespace;
  if (wire.Partition) pair.Partition = wire.Partition;
  return pair;
}
