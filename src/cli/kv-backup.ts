/// <reference types="node" />
/**
 * `consulate kv backup`: streams the records under a prefix to stdout or a file in bounded memory.
 * Keys are listed once (names only), then the records are read in batches of 64 with read-only
 * transactions (exact for every key, including `a//b` and `.`/`..` segments), several in flight,
 * and written as each batch arrives. The backup is therefore not one point-in-time read: for that,
 * use `consulate snapshot save`.
 *
 * In the consulate format, keys are written relative to the prefix, as the original consulate does
 * (`relativeKey` in `kv-scope.ts`); the export and api formats hold absolute keys, as Consul does.
 * @module
 */
import type { Client } from '../core/client.ts';
import type { ReadOptions } from '../core/query.ts';
import type { FormatOptions } from './kv-format.ts';
import { FRAMING, formatRecord } from './kv-format.ts';
import { listKeys, readRecords, relativeKey, scopeOf } from './kv-scope.ts';
import { isStdout, openOutput, progress, write } from './io.ts';

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
  const keyList = await listKeys(client, scope, options.read);
  const output = await openOutput(options.file);
  const bar = progress('backup', { enabled: options.progress ?? true, dataOnStdout: isStdout(options.file) });
  const relative = options.format === 'consulate';
  let count = 0;
  try {
    bar.start(keyList.length);
    let first = true;
    for await (const batch of readRecords(client, keyList, { ...options.read, concurrency: options.concurrency ?? 4 })) {
      const parts: string[] = [];
      for (const pair of batch) {
        if (!scope.contains(pair.Key)) continue;
        // triples hold the key relative to the prefix; errors still name the Consul key
        parts.push(formatRecord(pair, options, relative ? relativeKey(scope, pair.Key) : pair.Key));
      }
      if (parts.length > 0) {
        await write(output.stream, (first ? FRAMING.open : FRAMING.separator) + parts.join(FRAMING.separator));
        first = false;
        count += parts.length;
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
    throw error;
  }
}
