/// <reference types="node" />
/**
 * KV backup formats: writing entries in each of them, and reading (and detecting) them back.
 *
 * - `export` (default): `consul kv export`'s JSON, `[{"key","flags","value"}]` with base64 values,
 *   so `consul kv import` reads our backups and we read its exports. Lossless.
 * - `consulate`: the Python consulate CLI's `[key, flags, value]` triples; values as text, or as
 *   base64 with `-b`. Text cannot hold binary values, so those refuse to back up without `-b`.
 * - `api`: the records exactly as `GET /v1/kv/?recurse` returns them (indexes, session, base64 values).
 *
 * Flags are uint64 and written with all their digits (a `bigint` above 2^53).
 * @module
 */
import { fromUtf8, MAX_UINT64, parseJson, toBigInt } from '../core/encoding.ts';
import { MAX_VALUE_BYTES } from '../endpoints/kv.ts';
import type { KVPairWire } from '../schemas/kv.ts';
import { CliError, warn } from './io.ts';

/** The backup formats. */
export type BackupFormat = 'export' | 'consulate' | 'api';

/** One entry to restore: key, exact flags, value as base64. */
export interface Entry {
  key: string;
  flags: bigint;
  /** Standard base64 ("" for an empty value). */
  value: string;
}

/** How a format is written. */
export interface FormatOptions {
  format: BackupFormat;
  /** consulate format: values as base64. */
  base64?: boolean | undefined;
  /** Indented output. */
  pretty?: boolean | undefined;
}

const str = (text: string): string => JSON.stringify(text);

/** Writes a flat JSON object from ordered fields (strings, numbers, bigints, null). */
function object(fields: [string, string | number | bigint | null][], pretty: boolean): string {
  const parts = fields.map(([name, value]) => {
    const json = typeof value === 'string' ? str(value) : value === null ? 'null' : String(value);
    return pretty ? `\t\t${str(name)}: ${json}` : `${str(name)}:${json}`;
  });
  return pretty ? `\t{\n${parts.join(',\n')}\n\t}` : `{${parts.join(',')}}`;
}

/** Writes one record in a format (without the separating comma). */
export function formatRecord(pair: KVPairWire, { format, base64 = false, pretty = false }: FormatOptions): string {
  const flags = pair.Flags;
  const value = pair.Value ?? '';
  switch (format) {
    case 'export':
      return object([['key', pair.Key], ['flags', flags], ['value', value]], pretty);
    case 'api': {
      const fields: [string, string | number | bigint | null][] = [
        ['LockIndex', pair.LockIndex], ['Key', pair.Key], ['Flags', flags], ['Value', pair.Value],
      ];
      if (pair.Session) fields.push(['Session', pair.Session]);
      if (pair.Namespace) fields.push(['Namespace', pair.Namespace]);
      if (pair.Partition) fields.push(['Partition', pair.Partition]);
      fields.push(['CreateIndex', pair.CreateIndex], ['ModifyIndex', pair.ModifyIndex]);
      return object(fields, pretty);
    }
    case 'consulate': {
      let text: string | null;
      if (base64) text = value;
      else if (pair.Value === null) text = null;
      else {
        try {
          text = fromUtf8(Buffer.from(value, 'base64'));
        } catch {
          throw new CliError(
            `key ${str(pair.Key)} holds a binary value that the consulate text format cannot represent; use -b (base64 values) or the default export format`,
          );
        }
      }
      const items = [str(pair.Key), String(flags), text === null ? 'null' : str(text)];
      return pretty ? `  [\n    ${items.join(',\n    ')}\n  ]` : `[${items.join(', ')}]`;
    }
  }
}

/** Text that opens, separates and closes the array of records (one record per line, or per block when pretty). */
export const FRAMING: { readonly open: string; readonly separator: string; readonly close: string; readonly empty: string } = {
  open: '[\n',
  separator: ',\n',
  close: '\n]\n',
  empty: '[]\n',
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodedLength(b64: string): number {
  return (b64.length / 4) * 3 - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
}

/** Input formats restore accepts; `auto` detects. */
export type InputFormat = 'auto' | 'export' | 'api' | 'consulate' | 'consulate-base64';

function flagsOf(value: unknown, where: string): bigint {
  if (typeof value === 'bigint' && value >= 0n && value <= MAX_UINT64) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return toBigInt(value);
  if (value === null || value === undefined) return 0n;
  throw new CliError(`${where}: flags must be an integer from 0 to 2^64-1, got ${String(value)}`);
}

function keyOf(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') throw new CliError(`${where}: the key must be a non-empty string`);
  return value;
}

function base64Of(value: unknown, where: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string' || !BASE64.test(value)) throw new CliError(`${where}: the value is not valid base64`);
  return value;
}

/**
 * Parses a backup in any supported format into entries (flags exact, values base64).
 * @param text - the file's content.
 * @param format - `auto` detects: objects with `key` → export, with `Key` → api, arrays → consulate
 *   triples whose values are text unless the caller says base64 (`-b`): a text value may well be valid
 *   base64, so it is never guessed (a note on stderr when every value looks like base64).
 */
export function parseBackup(text: string, format: InputFormat = 'auto'): { entries: Entry[]; format: Exclude<InputFormat, 'auto'> } {
  let data: unknown;
  try {
    data = parseJson(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new CliError(`the backup is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(data)) throw new CliError('the backup must be a JSON array (of consul kv export entries, API records or [key, flags, value] triples)');
  let detected = format;
  if (detected === 'auto') {
    const first: unknown = data[0];
    if (first === undefined) return { entries: [], format: 'export' };
    if (Array.isArray(first)) detected = consulateEncoding(data);
    else if (first !== null && typeof first === 'object' && 'Key' in first) detected = 'api';
    else if (first !== null && typeof first === 'object' && 'key' in first) detected = 'export';
    else throw new CliError('unrecognised backup format: entries must be objects with "key" (consul kv export), "Key" (API) or [key, flags, value] arrays');
  }
  const entries = data.map((item: unknown, i): Entry => {
    const where = `entry ${i}`;
    if (detected === 'consulate' || detected === 'consulate-base64') {
      if (!Array.isArray(item) || item.length < 2 || item.length > 3) throw new CliError(`${where}: expected a [key, flags, value] array`);
      const [key, flags, value] = item as unknown[];
      const k = keyOf(key, where);
      const f = flagsOf(flags, `${where} (${str(k)})`);
      if (detected === 'consulate-base64') return { key: k, flags: f, value: base64Of(value, `${where} (${str(k)})`) };
      if (value !== null && value !== undefined && typeof value !== 'string') {
        throw new CliError(`${where} (${str(k)}): the value must be a string or null`);
      }
      return { key: k, flags: f, value: value ? Buffer.from(value, 'utf8').toString('base64') : '' };
    }
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new CliError(`${where}: expected an object`);
    const record = item as Record<string, unknown>;
    const [keyName, flagsName, valueName] = detected === 'api' ? ['Key', 'Flags', 'Value'] : ['key', 'flags', 'value'];
    const k = keyOf(record[keyName], where);
    return { key: k, flags: flagsOf(record[flagsName], `${where} (${str(k)})`), value: base64Of(record[valueName], `${where} (${str(k)})`) };
  });
  for (const entry of entries) {
    if (decodedLength(entry.value) > MAX_VALUE_BYTES) {
      throw new CliError(`key ${str(entry.key)}: value of ${decodedLength(entry.value)} bytes exceeds Consul's 512 KiB limit`);
    }
  }
  return { entries, format: detected };
}

/**
 * Consulate triples carry text unless `-b` says base64: a text value can be valid base64 (an API
 * token, `abcd` padded…), so guessing would silently change data. When every value looks like
 * base64, a note on stderr points at `-b`.
 */
function consulateEncoding(data: unknown[]): 'consulate' {
  let seen = false;
  for (const item of data) {
    const value: unknown = Array.isArray(item) ? item[2] : undefined;
    if (value === null || value === undefined || value === '') continue;
    if (typeof value !== 'string' || !BASE64.test(value)) return 'consulate';
    seen = true;
  }
  if (seen) warn('note: every value of this consulate backup is also valid base64; restoring them as text (pass -b if they are base64)');
  return 'consulate';
}
