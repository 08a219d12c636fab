/// <reference types="node" />
/**
 * `consulate kv backup`: streams the records under a prefix to stdout or a file in bounded memory.
 * Keys are listed once (names only, read from the answer as they are needed, not held: see
 * `streamKeys`), then the records are read in batches of 64 with read-only transactions (exact for
 * every key, including `a//b` and `.`/`..` segments), several in flight, and written as each batch
 * arrives. The backup is therefore not one point-in-time read: for that, use `consulate snapshot save`.
 *
 * In the consulate format, keys are written relative to the prefix, as the original consulate does
 * (`relativeKey` in `kv-scope.ts`); the export and api formats hold absolute keys, as Consul does.
 * @module
 */
import type { Client } from '../core/client.ts';
import type { ReadOptions } from '../core/query.ts';
import type { FormatOptions } from './kv-format.ts';
import { FRAMING, writeRecord } from './kv-format.ts';
import { readRecords, relativeKey, scopeOf, streamKeys } from './kv-scope.ts';
import { ByteWriter, isStdout, openOutput, progress, write, writeReusable } from './io.ts';

/** Options of {@link backup}. */
export interface BackupOptions extends FormatOptions {
  /** Output file (written mode 0600 under a temporary name and renamed when complete); stdout when absent or `-`. */
  file?: string | undefined;
  /** Batches read at once. @default 4 */
  concurrency?: number | undefined;
  /** Show a progress bar when stderr is a terminal. @default true */
  progress?: boolean | undefined;
  /** Read options (consistency, datacenter…). */
  read?: ReadOptions | undefined;
}

/**
 * Writes every record under `prefix` (see the prefix rule in `kv-scope.ts`) in the chosen format.
 * @returns the number of records written.
 */
export async function backup(client: Client, prefix: string | undefined, options: BackupOptions): Promise<number> {
  const scope = scopeOf(prefix);
  const keyList = streamKeys(client, scope, options.read);
  // the first keys before the file: a prefix that cannot be listed (403, no agent) creates nothing
  const firstKeys = await keyList.next();
  const output = await openOutput(options.file);
  const bar = progress('backup', { enabled: options.progress ?? true, dataOnStdout: isStdout(options.file) });
  const relative = options.format === 'consulate';
  let count = 0;
  let listed = 0;
  /** The keys, counted for the progress bar (its total grows as they are listed). */
  async function* counted(): AsyncGenerator<string[], void, undefined> {
    for (let next = firstKeys; !next.done; next = await keyList.next()) {
      bar.setTotal((listed += next.value.length));
      yield next.value;
    }
  }
  const writers = [new ByteWriter(), new ByteWriter()];
  const written: (Promise<void> | undefined)[] = [undefined, undefined];
  let batches = 0;
  try {
    bar.start(0);
    let first = true;
    for await (const batch of readRecords(client, counted(), { ...options.read, concurrency: options.concurrency ?? 4 })) {
      // the batch's records as one chunk of bytes: no joined string, no conversion of it
      let size = 16;
      for (const pair of batch) size += pair.Key.length + (pair.Value?.length ?? 0) + 64; // most records: an exact bound
      // two writers, alternating: one is filled while the other's chunk may still be going out
      const slot = batches++ & 1;
      await written[slot];
      const out = writers[slot]!;
      out.reset(size);
      let records = 0;
      for (const pair of batch) {
        if (!scope.contains(pair.Key)) continue;
        out.ascii(first ? FRAMING.open : FRAMING.separator);
        first = false;
        // triples hold the key relative to the prefix; errors still name the Consul key
        writeRecord(out, pair, options, relative ? relativeKey(scope, pair.Key) : pair.Key);
        records++;
      }
      if (records > 0) {
        written[slot] = (await writeReusable(output.stream, out.finish())).written;
        count += records;
      }
      bar.increment(batch.length);
    }
    await write(output.stream, first ? FRAMING.empty : FRAMING.close);
    bar.stop();
    await output.commit();
    return count;
  } catch (error) {
    bar.stop();
    await output.abort();
    await keyList.return();
    throw error;
  }
}
