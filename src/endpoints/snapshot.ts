/**
 * Snapshots (`/v1/snapshot`): save the servers' whole state (KV, catalog, sessions, ACLs, prepared
 * queries…) as a gzipped tar archive and restore it. Both need a management token when ACLs are on.
 *
 * {@link verify} checks an archive the way `consul snapshot save` does (the SHA-256 sums of
 * `meta.json` and `state.bin` against `SHA256SUMS`) with Web APIs only (`DecompressionStream`,
 * `crypto.subtle`), so it runs in browsers, Deno, Bun and Node alike.
 * @see https://developer.hashicorp.com/consul/api-docs/snapshot
 * @module
 */
import * as v from 'valibot';
import type { Client } from '../core/client.ts';
import type { FacadeEntry } from '../core/bind.ts';
import { unbound } from '../core/bind.ts';
import { parseJson } from '../core/encoding.ts';
import { InputError, isInputError, ResponseValidationError } from '../core/errors.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import type { Result } from '../core/request.ts';
import { drain, send } from '../core/request.ts';
import type { SnapshotMeta } from '../schemas/snapshot.ts';
import { SnapshotMeta as SnapshotMetaSchema } from '../schemas/snapshot.ts';

export type { SnapshotMeta } from '../schemas/snapshot.ts';

/** Snapshot bytes in any of the forms `fetch` can send. */
export type SnapshotData = ReadableStream<Uint8Array> | Uint8Array | ArrayBuffer | Blob;

/** Options of {@link saveBytes}. */
export interface SaveBytesOptions extends ReadOptions {
  /** Verify the archive's checksums after downloading it (like `consul snapshot save`). @default false */
  verify?: boolean | undefined;
}

/**
 * Saves a snapshot as a stream (gzipped tar: `meta.json`, `state.bin`, `SHA256SUMS`), for writing it
 * to a file without holding it in memory. `meta.index` is the raft index it was taken at.
 * @param options - `consistency: 'stale'` lets any server answer (e.g. without a leader).
 * @returns the archive as a `ReadableStream` (read it to the end or cancel it).
 * @throws {ForbiddenError} without a management token when ACLs are on.
 * @see https://developer.hashicorp.com/consul/api-docs/snapshot#generate-snapshot
 * @example
 * ```ts
 * const { data, meta } = await snapshot.save(client);
 * await data.pipeTo(Writable.toWeb(createWriteStream('backup.snap'))); // Node
 * ```
 */
export async function save(client: Client, options: ReadOptions = {}): Promise<Result<ReadableStream<Uint8Array>>> {
  const { response, meta } = await send(client, { path: 'snapshot', options });
  return { data: response.body ?? new Blob([]).stream(), meta };
}

/**
 * Saves a snapshot into memory.
 * @param options - `verify: true` checks the archive's checksums before returning.
 * @returns the archive's bytes.
 * @throws {ResponseValidationError} with `verify` when the archive is damaged.
 * @see https://developer.hashicorp.com/consul/api-docs/snapshot#generate-snapshot
 * @example const { data: bytes } = await snapshot.saveBytes(client, { verify: true });
 */
export async function saveBytes(client: Client, options: SaveBytesOptions = {}): Promise<Result<Uint8Array>> {
  const { verify: check, ...rest } = options;
  const { response, meta } = await send(client, { path: 'snapshot', options: rest });
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (check) {
    try {
      await verify(bytes);
    } catch (error) {
      if (!isInputError(error)) throw error;
      throw new ResponseValidationError(`GET /v1/snapshot: ${error.message}`, [{ path: '', message: error.message }]);
    }
  }
  return { data: bytes, meta };
}

/**
 * Restores a snapshot, replacing the servers' whole state. Destructive: everything written since the
 * snapshot was taken is lost.
 * @param snapshot - the archive, as bytes, a `Blob` or a stream. Memory: over the core (ky) transport
 *   a stream is held in memory while it is sent (ky clones every request, which tees the stream);
 *   `consulate/node`'s transport streams it.
 * @returns nothing (`data` is `undefined`).
 * @throws {ServerError} when Consul cannot read the archive (e.g. "failed to decompress snapshot").
 * @throws {ForbiddenError} without a management token when ACLs are on.
 * @see https://developer.hashicorp.com/consul/api-docs/snapshot#restore-snapshot
 * @example await snapshot.restore(client, bytes);
 */
export async function restore(client: Client, snapshot: SnapshotData, options: WriteOptions = {}): Promise<Result<void>> {
  const ok =
    snapshot instanceof Uint8Array ||
    snapshot instanceof ArrayBuffer ||
    (typeof Blob !== 'undefined' && snapshot instanceof Blob) ||
    (typeof ReadableStream !== 'undefined' && snapshot instanceof ReadableStream);
  if (!ok) throw new InputError('a snapshot to restore must be a Uint8Array, ArrayBuffer, Blob or ReadableStream');
  const { response, meta } = await send(client, {
    method: 'PUT',
    path: 'snapshot',
    body: snapshot as BodyInit,
    headers: { 'Content-Type': 'application/octet-stream' },
    options,
  });
  await drain(response);
  return { data: undefined, meta };
}

/** One file of a snapshot archive. */
export interface SnapshotFile {
  /** `meta.json`, `state.bin` or `SHA256SUMS`. */
  name: string;
  /** Size in bytes. */
  size: number;
  /** Lower-case hex SHA-256 of its content. */
  sha256: string;
}

/** What {@link verify} found in a valid archive. */
export interface SnapshotInfo {
  /** The parsed `meta.json` (raft index, term, id…). */
  meta: SnapshotMeta;
  /** The archive's files, in order. */
  files: SnapshotFile[];
}

const decoder = /* @__PURE__ */ new TextDecoder();

function text(block: Uint8Array, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return decoder.decode(end === -1 ? field : field.subarray(0, end));
}

function octal(block: Uint8Array, start: number, length: number, what: string): number {
  const field = block.subarray(start, start + length);
  if (field[0]! & 0x80) {
    // base-256 (GNU) encoding for large numbers
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const digits = text(block, start, length).trim();
  if (!/^[0-7]*$/.test(digits)) throw new InputError(`not a valid snapshot: bad tar ${what} field`);
  return digits === '' ? 0 : Number.parseInt(digits, 8);
}

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function gunzip(snapshot: SnapshotData): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'undefined') throw new InputError('verifying a snapshot needs DecompressionStream, which this runtime lacks');
  const body = new Response(snapshot as BodyInit).body;
  if (!body) throw new InputError('not a valid snapshot: empty archive');
  try {
    return new Uint8Array(await new Response(body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
  } catch (error) {
    throw new InputError(`not a valid snapshot: gzip decompression failed (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Reads the regular files of a tar archive. */
function untar(tar: Uint8Array): { name: string; data: Uint8Array }[] {
  const files: { name: string; data: Uint8Array }[] = [];
  let at = 0;
  while (at + 512 <= tar.length) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break; // end of archive
    const stored = octal(header, 148, 8, 'checksum');
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
    if (sum !== stored) throw new InputError(`not a valid snapshot: tar header checksum mismatch at byte ${at}`);
    const prefix = text(header, 345, 155);
    const name = (prefix ? `${prefix}/` : '') + text(header, 0, 100);
    const size = octal(header, 124, 12, 'size');
    const type = String.fromCharCode(header[156]!);
    const start = at + 512;
    if (start + size > tar.length) throw new InputError(`not a valid snapshot: ${name} is truncated`);
    if (type === '0' || type === '\0') files.push({ name, data: tar.subarray(start, start + size) });
    at = start + Math.ceil(size / 512) * 512;
  }
  return files;
}

/**
 * Verifies a snapshot archive like Consul does: a gzipped tar of exactly `meta.json`, `state.bin` and
 * `SHA256SUMS`, whose SHA-256 sums match the other two files, with a readable `meta.json`.
 * Works on bytes in memory (the archive is decompressed in memory).
 * @param snapshot - the archive as saved by {@link save} / {@link saveBytes} or `consul snapshot save`.
 * @returns the parsed metadata and each file's size and hash.
 * @throws {InputError} describing the first problem found (bad gzip, bad tar, unexpected or missing file, hash mismatch).
 * @see https://developer.hashicorp.com/consul/commands/snapshot/save
 * @example
 * ```ts
 * const { meta } = await verify(await readFile('backup.snap'));
 * console.log(`snapshot at raft index ${meta.Index}`);
 * ```
 */
export async function verify(snapshot: SnapshotData): Promise<SnapshotInfo> {
  const files = untar(await gunzip(snapshot));
  const expected = ['meta.json', 'state.bin', 'SHA256SUMS'];
  for (const file of files) {
    if (!expected.includes(file.name)) throw new InputError(`not a valid snapshot: unexpected file ${JSON.stringify(file.name)} in the archive`);
  }
  const byName = new Map(files.map((f) => [f.name, f.data]));
  for (const name of expected) if (!byName.has(name)) throw new InputError(`not a valid snapshot: ${name} is missing`);
  const sums = new Map<string, string>();
  for (const line of decoder.decode(byName.get('SHA256SUMS')).split('\n')) {
    const match = /^([0-9a-fA-F]{64}) [ *]?(.+)$/.exec(line.trim());
    if (match) sums.set(match[2]!, match[1]!.toLowerCase());
  }
  const out: SnapshotFile[] = [];
  for (const file of files) {
    const sha256 = hex(await crypto.subtle.digest('SHA-256', file.data as Uint8Array<ArrayBuffer>));
    out.push({ name: file.name, size: file.data.length, sha256 });
    if (file.name === 'SHA256SUMS') continue;
    const want = sums.get(file.name);
    if (want === undefined) throw new InputError(`not a valid snapshot: SHA256SUMS has no hash for ${file.name}`);
    if (want !== sha256) throw new InputError(`not a valid snapshot: SHA-256 of ${file.name} is ${sha256}, SHA256SUMS says ${want}`);
  }
  let meta: unknown;
  try {
    meta = parseJson(decoder.decode(byName.get('meta.json')));
  } catch {
    throw new InputError('not a valid snapshot: meta.json is not JSON');
  }
  const parsed = v.safeParse(SnapshotMetaSchema, meta);
  if (!parsed.success) throw new InputError(`not a valid snapshot: meta.json lacks ${parsed.issues.map((i) => v.getDotPath(i) ?? '?').join(', ')}`);
  return { meta: parsed.output, files: out };
}

/**
 * How these functions nest on the `Consul` facade: `consul.snapshot.save()`, `consul.snapshot.restore(data)`…;
 * `verify` needs no client.
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const snapshotFacade = {
  save: save as typeof save,
  saveBytes: saveBytes as typeof saveBytes,
  restore: restore as typeof restore,
  verify: /* @__PURE__ */ unbound(verify) as FacadeEntry<typeof verify>,
};
