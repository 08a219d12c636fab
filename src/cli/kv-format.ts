/// <reference types="node" />
/**
 * KV backup formats: writing entries in each of them, and reading (and detecting) them back.
 *
 * - `export` (default): `consul kv export`'s JSON, `[{"key","flags","value"}]` with base64 values,
 *   so `consul kv import` reads our backups and we read its exports. Lossless.
 * - `consulate`: the Python consulate CLI's `[key, flags, value]` triples; values as text, or as
 *   base64 with `-b`. Text cannot hold binary values, so those refuse to back up without `-b`. Like
 *   the original, a backup of a prefix holds keys relative to it and a restore under a prefix
 *   prepends it (see `relativeKey`/`prefixedKey` in `kv-scope.ts`); the other formats hold absolute keys.
 * - `api`: the records exactly as `GET /v1/kv/?recurse` returns them (indexes, session, base64 values).
 *
 * Flags are uint64 and written with all their digits (a `bigint` above 2^53).
 * @module
 */
import { fromUtf8, MAX_UINT64, parseJson } from '../core/encoding.ts';
import { MAX_VALUE_BYTES } from '../endpoints/kv.ts';
import type { KVPairWire } from '../schemas/kv.ts';
import type { ByteWriter } from './io.ts';
import { CliError, usage } from './io.ts';
import type { ElementGroup } from './json-array.ts';
import { JsonArrayError, JsonArrayReader } from './json-array.ts';

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

/**
 * Writes one record in a format (without the separating comma). `writtenKey` is the key as the
 * consulate format holds it (relative to the backup's prefix); errors name `pair.Key`, the Consul key.
 */
export function formatRecord(pair: KVPairWire, { format, base64 = false, pretty = false }: FormatOptions, writtenKey: string = pair.Key): string {
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
      const items = [str(writtenKey), String(flags), text === null ? 'null' : str(text)];
      return pretty ? `  [\n    ${items.join(',\n    ')}\n  ]` : `[${items.join(', ')}]`;
    }
  }
}

/**
 * Appends one record in a format to `out`: the same text as {@link formatRecord}. The default export
 * format is written in parts (the value, most of a record, is copied once, from Consul's answer to
 * the output bytes); the others as {@link formatRecord}'s text.
 */
export function writeRecord(out: ByteWriter, pair: KVPairWire, options: FormatOptions, writtenKey: string = pair.Key): void {
  if (options.format !== 'export') {
    out.text(formatRecord(pair, options, writtenKey));
    return;
  }
  const pretty = options.pretty === true;
  const value = pair.Value ?? '';
  out.ascii(pretty ? '\t{\n\t\t"key": ' : '{"key":');
  out.text(str(pair.Key));
  out.ascii(pretty ? ',\n\t\t"flags": ' : ',"flags":');
  out.ascii(String(pair.Flags));
  out.ascii(pretty ? ',\n\t\t"value": ' : ',"value":');
  if (BASE64_TEXT.test(value)) {
    // base64 needs no escaping: written as it came
    out.ascii('"');
    out.ascii(value);
    out.ascii('"');
  } else out.text(str(value));
  out.ascii(pretty ? '\n\t}' : '}');
}
const BASE64_TEXT = /^[A-Za-z0-9+/=]*$/;

/** Text that opens, separates and closes the array of records (one record per line, or per block when pretty). */
export const FRAMING: { readonly open: string; readonly separator: string; readonly close: string; readonly empty: string } = {
  open: '[\n',
  separator: ',\n',
  close: '\n]\n',
  empty: '[]\n',
};

/** Whether a string is standard base64 with its padding (`""` included); as fast as a regex can be. */
function isBase64(text: string): boolean {
  return (text.length & 3) === 0 && BASE64_CHARS.test(text);
}
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;

function decodedLength(b64: string): number {
  return (b64.length / 4) * 3 - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
}

/**
 * Input formats restore accepts; `auto` detects. `consulate` is triples whose encoding the file must
 * make clear (see {@link BackupReader}); `consulate-base64` (`-b`) and `consulate-text` (`--text`) say it.
 */
export type InputFormat = 'auto' | 'export' | 'api' | 'consulate' | 'consulate-base64' | 'consulate-text';

/** A parsed backup's format: consulate triples always with their encoding decided. */
export type ParsedFormat = 'export' | 'api' | 'consulate-base64' | 'consulate-text';

/** Whether a format is consulate triples (keys relative to the restore prefix). */
export function isTriples(format: ParsedFormat): format is 'consulate-base64' | 'consulate-text' {
  return format === 'consulate-base64' || format === 'consulate-text';
}

/**
 * How an error names an entry: `entry 12`, or with its key `entry 12 ("app/x")`. Built only when an
 * error is thrown: a string per entry read would be most of what a restore allocates per key.
 */
function entryName(index: number, key?: string): string {
  return key === undefined ? `entry ${index}` : `entry ${index} (${str(key)})`;
}

function keyOf(value: unknown, index: number, allowEmpty = false): string {
  if (typeof value !== 'string' || (value === '' && !allowEmpty)) throw new CliError(`${entryName(index)}: the key must be a non-empty string`);
  return value;
}

function base64Of(value: unknown, index: number, key: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string' || !isBase64(value)) throw new CliError(`${entryName(index, key)}: the value is not valid base64`);
  if (value.length > MAX_BASE64_LENGTH && decodedLength(value) > MAX_VALUE_BYTES) {
    throw new CliError(`${entryName(index, key)}: value of ${decodedLength(value)} bytes exceeds Consul's 512 KiB limit`);
  }
  return value;
}
/** Base64 text longer than this may hold more than {@link MAX_VALUE_BYTES}. */
const MAX_BASE64_LENGTH = (MAX_VALUE_BYTES / 3) * 4;

/** A triple read before its encoding is known (see {@link BackupReader}). */
interface RawTriple {
  key: string;
  flags: bigint;
  value: unknown;
  /** Index of the entry in the backup. */
  index: number;
}

/**
 * Reads a backup in any supported format, given in pieces of text (a file or stdin as it arrives), into
 * entries (flags exact, values base64), a piece at a time: memory is bounded by the pieces, not by the
 * backup. Every entry is checked as it is read (an error names its index, 0-based: `entry 12`).
 * Consulate triples keep their keys as written (relative to the restore prefix; `""` names the prefix
 * itself).
 *
 * The format: `auto` detects from the first entry: objects with `key` → export, with `Key` → api,
 * arrays → consulate triples. The encoding of triples is never guessed: `consulate-base64` (`-b`) or
 * `consulate-text` (`--text`) says it; without either, a backup whose every non-empty value is also
 * valid base64 (`"vvvv"`, `"abcd"`, `"true"`) is refused (a usage error, exit 2), since it may have
 * been written with `-b`. To keep that rule exact while streaming, such triples are **held back** —
 * no entry is returned — until a value that is not base64 shows they are text (then all are returned),
 * or the end shows that none is (then the backup is refused: nothing was returned, so nothing was
 * written). Memory grows only while every value so far looks like base64. A backup with no non-empty
 * value reads the same both ways and is accepted as text.
 * @example
 * const reader = new BackupReader('auto');
 * for await (const piece of input) write(reader.push(piece));
 * write(reader.end()); // reader.format: what was read
 */
export class BackupReader {
  private readonly array = new JsonArrayReader();
  private detected: InputFormat;
  private resolved: ParsedFormat | undefined;
  /** Triples held back until their encoding is known. */
  private held: RawTriple[] = [];
  /** A non-empty value of the held triples (for the refusal's example). */
  private example: string | undefined;

  /** @param format - what the backup holds (`auto`: detect). */
  constructor(format: InputFormat = 'auto') {
    this.detected = format;
    this.resolved = format === 'auto' || format === 'consulate' ? undefined : format;
  }

  /** The format read (known once the first entry was read, or at the end). */
  get format(): ParsedFormat | undefined {
    return this.resolved;
  }

  /**
   * Reads a piece of text; returns the entries it completed.
   * @throws {@link CliError} for invalid JSON or an invalid entry.
   */
  push(piece: string): Entry[] {
    return this.entries(this.elements(() => this.array.push(piece)));
  }

  /**
   * Ends the input; returns the last entries.
   * @throws {@link CliError} for a truncated backup; a usage error (exit 2) for triples whose encoding cannot be told.
   */
  end(): Entry[] {
    const out = this.entries(this.elements(() => this.array.end()));
    if (this.resolved === undefined) {
      if (this.detected === 'auto') this.resolved = 'export'; // an empty array
      else if (this.example === undefined) {
        this.resolved = 'consulate-text';
        out.push(...this.release());
      } else {
        const shown = this.example.length > 24 ? `${this.example.slice(0, 24)}…` : this.example;
        this.held = [];
        throw usage(
          `every value of these [key, flags, value] triples is also valid base64 (e.g. ${str(shown)}), so their encoding cannot be told: ` +
            'add -b if the backup was written with -b (base64 values), or --text to store the values as they are written',
        );
      }
    }
    return out;
  }

  private elements(read: () => ElementGroup | undefined): ElementGroup | undefined {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof JsonArrayError)) throw error;
      if (error.notArray) throw new CliError('the backup must be a JSON array (of consul kv export entries, API records or [key, flags, value] triples)');
      throw new CliError(`the backup is not valid JSON: ${error.message}`);
    }
  }

  private entries(group: ElementGroup | undefined): Entry[] {
    if (group === undefined) return [];
    const { values, first } = group;
    if (this.detected === 'auto') {
      const detected = detect(values[0]);
      this.detected = detected;
      if (detected !== 'consulate') this.resolved = detected;
    }
    const out: Entry[] = [];
    const format = this.detected;
    for (let i = 0; i < values.length; i++) {
      const item = values[i];
      const index = first + i;
      if (format === 'export' || format === 'api') {
        if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new CliError(`${entryName(index)}: expected an object`);
        const record = item as Record<string, unknown>;
        const k = keyOf(format === 'api' ? record['Key'] : record['key'], index);
        const flags = flagsOf(format === 'api' ? record['Flags'] : record['flags'], index, k, group, i, format === 'api' ? 'Flags' : 'flags');
        out.push({ key: k, flags, value: base64Of(format === 'api' ? record['Value'] : record['value'], index, k) });
        continue;
      }
      if (!Array.isArray(item)) {
        // `kv restore -b -f export.json`: the flag, not the file, is what is wrong
        const held = item === null || typeof item !== 'object' ? undefined : 'Key' in item ? 'raw API records' : 'key' in item ? 'consul kv export entries' : undefined;
        if (held !== undefined) {
          throw usage(
            `${entryName(index)}: expected a [key, flags, value] array, but the backup holds ${held} (objects): -b/--base64 and --text apply to --format consulate (triples); ` +
              `${held} always hold base64 values: restore them without -b, --text or --format consulate`,
          );
        }
        throw new CliError(`${entryName(index)}: expected a [key, flags, value] array`);
      }
      if (item.length !== 3) throw new CliError(`${entryName(index)}: expected a [key, flags, value] array (3 elements), got ${item.length} ${item.length === 1 ? 'element' : 'elements'}`);
      const k = keyOf(item[0], index, true);
      const flags = flagsOf(item[1], index, k, group, i, 1);
      const value: unknown = item[2];
      if (this.resolved === undefined) {
        // consulate triples, encoding not known yet: hold back until a value tells
        this.held.push({ key: k, flags, value, index });
        if (value === null || value === undefined || value === '') continue;
        if (typeof value === 'string' && isBase64(value)) {
          this.example ??= value;
          continue;
        }
        this.resolved = 'consulate-text';
        out.push(...this.release());
        continue;
      }
      out.push(this.triple(k, flags, value, index));
    }
    return out;
  }

  /** The held triples, now that their encoding is known. */
  private release(): Entry[] {
    const held = this.held;
    this.held = [];
    return held.map((t) => this.triple(t.key, t.flags, t.value, t.index));
  }

  private triple(key: string, flags: bigint, value: unknown, index: number): Entry {
    if (this.resolved === 'consulate-base64') return { key, flags, value: base64Of(value, index, key) };
    if (value !== null && value !== undefined && typeof value !== 'string') throw new CliError(`${entryName(index, key)}: the value must be a string or null`);
    if (!value) return { key, flags, value: '' };
    if (value.length > MAX_VALUE_BYTES / 3 && Buffer.byteLength(value) > MAX_VALUE_BYTES) {
      throw new CliError(`${entryName(index, key)}: value of ${Buffer.byteLength(value)} bytes exceeds Consul's 512 KiB limit`);
    }
    return { key, flags, value: Buffer.from(value, 'utf8').toString('base64') };
  }
}

function detect(first: unknown): 'export' | 'api' | 'consulate' {
  if (Array.isArray(first)) return 'consulate';
  if (first !== null && typeof first === 'object' && 'Key' in first) return 'api';
  if (first !== null && typeof first === 'object' && 'key' in first) return 'export';
  throw new CliError('unrecognised backup format: entries must be objects with "key" (consul kv export), "Key" (API) or [key, flags, value] arrays');
}

/**
 * Exact flags: a number up to 2^53 as it is; a larger one was rounded by `JSON.parse`, so its entry's
 * text is read again exactly (only then: the cost does not depend on what keys and values hold).
 */
function flagsOf(value: unknown, entry: number, key: string, group: ElementGroup, index: number, field: string | number): bigint {
  if (typeof value === 'number' && value >= 0 && Number.isSafeInteger(value)) return BigInt(value);
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) {
    const exact = (parseJson(group.source(index)) as Record<string | number, unknown>)[field];
    if (typeof exact === 'bigint' && exact <= MAX_UINT64) return exact;
    value = exact;
  }
  throw new CliError(`${entryName(entry, key)}: flags must be an integer from 0 to 2^64-1, got ${String(value)}`);
}

/**
 * Parses a whole backup (see {@link BackupReader}, which reads one in pieces, in bounded memory).
 * @param text - the backup's content.
 * @throws {@link CliError} for invalid JSON or entries; a usage error (exit 2) for ambiguous triples.
 */
export function parseBackup(text: string, format: InputFormat = 'auto'): { entries: Entry[]; format: ParsedFormat } {
  const reader = new BackupReader(format);
  const entries = reader.push(text);
  for (const entry of reader.end()) entries.push(entry);
  return { entries, format: reader.format! };
}

/**
 * Reads a backup from pieces of text as they come (a file or stdin), in bounded memory: yields the
 * entries of each piece (see {@link BackupReader}; the format is known once the first group is yielded).
 * @throws {@link CliError} for invalid JSON or entries (after the groups before them were yielded).
 */
export async function* readBackup(pieces: AsyncIterable<string>, reader: BackupReader): AsyncGenerator<Entry[], void, undefined> {
  for await (const piece of pieces) {
    const entries = reader.push(piece);
    if (entries.length > 0) yield entries;
  }
  const last = reader.end();
  if (last.length > 0) yield last;
}
