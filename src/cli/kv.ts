/// <reference types="node" />
/**
 * `consulate kv …`: backup, restore, ls, get, set, rm (alias del) and mkdir.
 * @module
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { fromBase64, normalizeKey } from '../core/encoding.ts';
import { isForbiddenError, isTransactionError } from '../core/errors.ts';
import { getBytes, remove, set } from '../endpoints/kv.ts';
import type { TxnWireOp } from '../schemas/txn.ts';
import { sendTxn } from '../schemas/txn.ts';
import { addConnectionOptions, withClient } from './connection.ts';
import type { BackupFormat, InputFormat } from './kv-format.ts';
import { parseBackup } from './kv-format.ts';
import { backup } from './kv-backup.ts';
import type { BatchReport, RemoveReport, RestoreReport } from './kv-restore.ts';
import { removeKeys, restore } from './kv-restore.ts';
import { listKeys, readRecords, scopeOf } from './kv-scope.ts';
import { CliError, EXIT_FAILURE, nonNegativeInt, openOutput, positiveInt, readInput, uint64Option, usage, warn, write } from './io.ts';

const PREFIX_RULE =
  'A prefix names a folder: "app" covers the key "app" and the keys under "app/" (not "apple"); ' +
  'a prefix ending in "/" covers the keys starting with it; no prefix covers the whole store.';

/** "3 keys, "a" … "c"": how many keys a batch had and its first and last. */
function describeRange(keys: readonly string[]): string {
  if (keys.length === 1) return `1 key, ${JSON.stringify(keys[0])}`;
  return `${keys.length} keys, ${JSON.stringify(keys[0])} … ${JSON.stringify(keys[keys.length - 1])}`;
}

async function writeReportFile(file: string | undefined, report: RestoreReport | RemoveReport): Promise<void> {
  if (file === undefined) return;
  const output = await openOutput(file);
  await write(output.stream, `${JSON.stringify(report, null, 2)}\n`);
  await output.commit();
}

/**
 * Prints one line per failed batch: its number, whether it may have been applied, its key count and
 * range, and the first reason; a rolled-back transaction's other op errors are only counted (the
 * `--report` file lists them all).
 */
function printFailures(report: BatchReport, reportFile: string | undefined): void {
  for (const failure of report.failed) {
    if (failure.batch === 0) {
      warn(`stopped: ${failure.error}`);
      continue;
    }
    const count = failure.errors?.length ?? 0;
    const more = count > 1 ? ` (${count} errors, ${reportFile === undefined ? 'list them all with --report FILE' : 'all listed in the --report file'})` : '';
    warn(
      `batch ${failure.batch} ${failure.uncertain ? 'failed in transit or on the server (it may or may not have been applied)' : 'was not applied'}` +
        `${failure.keys.length ? ` (${describeRange(failure.keys)})` : ''}: ${failure.error}${more}`,
    );
  }
}

/** The first failure as one line, for the final error. */
function firstFailure(report: BatchReport): string {
  const failure = report.failed[0];
  if (failure === undefined) return 'unknown error';
  return failure.batch === 0 ? failure.error : `batch ${failure.batch}: ${failure.error}`;
}

/** Runs `fn` with a signal aborted by the first SIGINT/SIGTERM (in-flight batches finish); a second one quits at once. */
async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130); // a second interrupt: quit now
    warn('interrupted: finishing the batches in flight, then reporting (interrupt again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Consul refused for lack of permission (not for an unknown token): a 403, or a transaction whose every failed op was denied. */
function permissionDenied(error: unknown): boolean {
  if (isTransactionError(error)) return error.errors.length > 0 && error.errors.every((e) => e.What === 'Permission denied');
  return isForbiddenError(error) && /Permission denied/.test(error.message);
}

/** Prints a restore report on stderr: a summary, skipped keys and, on failure, exactly the applied keys. */
function printReport(report: RestoreReport, seconds: number, reportFile: string | undefined): void {
  for (const key of report.skipped) warn(`skipped (exists) ${JSON.stringify(key)}`);
  if (report.ok) {
    warn(
      `restored ${report.applied.length} keys in ${seconds.toFixed(2)} s` +
        `${report.skipped.length ? `, ${report.skipped.length} skipped (existing)` : ''}` +
        `${report.pruned.length ? `, ${report.pruned.length} pruned` : ''}` +
        `${report.ignored ? `, ${report.ignored} outside the prefix ignored` : ''}`,
    );
    return;
  }
  for (const key of report.applied) warn(`applied ${JSON.stringify(key)}`);
  for (const key of report.pruned) warn(`pruned ${JSON.stringify(key)}`);
  printFailures(report, reportFile);
  warn(
    `restore incomplete: ${report.applied.length} keys applied${report.applied.length ? ' (listed above as "applied")' : ''}, ` +
      `${report.pruned.length} pruned, ${report.skipped.length} skipped, ` +
      `${report.failed.reduce((n, f) => n + f.keys.length, 0)} in failed batches, ${report.notAttempted.length} not attempted`,
  );
}

/** Registers the `kv` command group. */
export function registerKv(program: Command): void {
  const kv = addConnectionOptions(program.command('kv').description('key/value store utilities'));

  addConnectionOptions(
    kv
      .command('backup')
      .summary('back up keys as JSON (consul kv export format by default), streamed')
      .description(`back up the keys under a prefix (default: all) as JSON, streamed in bounded memory. ${PREFIX_RULE}`)
      .argument('[prefix]', 'only keys under this prefix (folder rule)')
      .option('-f, --file <file>', 'write to this file (created when complete) instead of stdout')
      .addOption(
        new Option('--format <format>', 'export: consul kv export JSON (lossless, read by consul kv import); consulate: [key, flags, value] triples; api: raw /v1/kv records')
          .choices(['export', 'consulate', 'api'])
          .default('export'),
      )
      .option('-b, --base64', 'consulate format: base64-encode values (needed for binary values)')
      .option('-p, --pretty', 'indent the JSON')
      .option('-c, --concurrency <n>', 'read batches in flight', positiveInt('--concurrency'), 4)
      .option('--no-progress', 'no progress bar (only shown when stderr is a terminal anyway)'),
  ).action(async (prefix: string | undefined, opts: { file?: string; format: BackupFormat; base64?: boolean; pretty?: boolean; concurrency: number; progress: boolean }, command: Command) => {
    if (opts.base64 && opts.format !== 'consulate') throw usage('-b/--base64 applies to --format consulate (the other formats always use base64)');
    await withClient(command, async (client) => {
      const count = await backup(client, prefix, { ...opts, file: opts.file });
      if (opts.file !== undefined) warn(`backed up ${count} keys to ${opts.file}`);
    });
  });

  addConnectionOptions(
    kv
      .command('restore')
      .summary('restore a backup through atomic /v1/txn batches')
      .description(
        `restore a backup (format detected: consul kv export, consulate triples (text, or base64 with -b), raw API records) through /v1/txn in atomic batches. ${PREFIX_RULE}`,
      )
      .argument('[prefix]', 'only restore (and with --prune, only delete) keys under this prefix (folder rule)')
      .option('-f, --file <file>', 'read this file instead of stdin')
      .option('-n, --no-replace', 'never overwrite existing keys (they are skipped and listed)')
      .option('--prune', 'after restoring, delete the keys under the prefix that the backup does not contain (those the token may list, in transaction batches)')
      .option('-b, --base64', 'consulate triples: the values are base64 (never guessed: text otherwise)')
      .addOption(new Option('--format <format>', 'input format').choices(['auto', 'export', 'consulate', 'api']).default('auto'))
      .option('-c, --concurrency <n>', 'transaction batches in flight', positiveInt('--concurrency'), 4)
      .option('--report <file>', 'also write the report (applied, skipped, pruned and not attempted keys; failed batches with every failed operation) to this JSON file')
      .option('--no-progress', 'no progress bar (only shown when stderr is a terminal anyway)'),
  ).action(async (prefix: string | undefined, opts: { file?: string; replace: boolean; prune?: boolean; base64?: boolean; format: string; concurrency: number; report?: string; progress: boolean }, command: Command) => {
    let format = opts.format as InputFormat;
    if (opts.base64) {
      if (format !== 'auto' && format !== 'consulate') throw usage('-b/--base64 applies to consulate triples');
      format = 'consulate-base64';
    }
    const text = (await readInput(opts.file)).toString('utf8');
    const { entries } = parseBackup(text, format);
    await withClient(command, async (client) => {
      const started = performance.now();
      const report = await interruptible((signal) =>
        restore(client, entries, {
          scope: scopeOf(prefix),
          noReplace: !opts.replace,
          prune: opts.prune,
          concurrency: opts.concurrency,
          progress: opts.progress,
          signal,
        }),
      );
      await writeReportFile(opts.report, report);
      printReport(report, (performance.now() - started) / 1000, opts.report);
      if (!report.ok) throw new CliError(`restore failed: ${firstFailure(report)}`, EXIT_FAILURE);
    });
  });

  addConnectionOptions(
    kv
      .command('ls')
      .summary('list keys (recursive)')
      .description(`list the keys under a prefix, recursively. ${PREFIX_RULE}`)
      .argument('[prefix]', 'list keys under this prefix (default: all keys)')
      .option('-l, --long', 'long listing: flags, session, lock/create/modify indexes, value size, key'),
  ).action(async (prefix: string | undefined, opts: { long?: boolean }, command: Command) => {
    await withClient(command, async (client) => {
      const keyList = await listKeys(client, scopeOf(prefix));
      if (!opts.long) {
        for (let i = 0; i < keyList.length; i += 1000) await write(process.stdout, `${keyList.slice(i, i + 1000).join('\n')}\n`);
        return;
      }
      await write(process.stdout, `${'FLAGS'.padStart(20)}  ${'SESSION'.padEnd(36)}  ${'LOCK'.padStart(6)}  ${'CREATE'.padStart(8)}  ${'MODIFY'.padStart(8)}  ${'SIZE'.padStart(8)}  KEY\n`);
      for await (const batch of readRecords(client, keyList)) {
        const lines = batch.map((pair) => {
          const size = pair.Value ? fromBase64(pair.Value).byteLength : 0;
          return `${String(pair.Flags).padStart(20)}  ${(pair.Session ?? '-').padEnd(36)}  ${String(pair.LockIndex).padStart(6)}  ${String(pair.CreateIndex).padStart(8)}  ${String(pair.ModifyIndex).padStart(8)}  ${String(size).padStart(8)}  ${pair.Key}`;
        });
        if (lines.length) await write(process.stdout, `${lines.join('\n')}\n`);
      }
    });
  });

  addConnectionOptions(
    kv
      .command('get')
      .description('print a key\'s value (a missing key exits 1); with -r, "key<TAB>value" lines for every key under the prefix')
      .argument('<key>', 'the key (or prefix with -r)')
      .option('-r, --recurse', `every key under the prefix. ${PREFIX_RULE}`)
      .option('-t, --trim <n>', 'with -r: drop this many leading path elements from the printed keys', nonNegativeInt('--trim'), 0),
  ).action(async (key: string, opts: { recurse?: boolean; trim: number }, command: Command) => {
    await withClient(command, async (client) => {
      if (!opts.recurse) {
        const { data } = await getBytes(client, key);
        if (data === undefined) throw new CliError(`key ${JSON.stringify(normalizeKey(key))} not found`);
        await write(process.stdout, Buffer.concat([data, Buffer.from('\n')]));
        return;
      }
      const keyList = await listKeys(client, scopeOf(key));
      if (keyList.length === 0) throw new CliError(`no keys under ${JSON.stringify(normalizeKey(key))}`);
      for await (const batch of readRecords(client, keyList)) {
        const chunks = batch.flatMap((pair) => {
          let shown = pair.Key;
          if (opts.trim > 0) {
            const parts = shown.split('/');
            shown = opts.trim >= parts.length ? parts[parts.length - 1]! : parts.slice(opts.trim).join('/');
          }
          return [Buffer.from(`${shown}\t`), Buffer.from(pair.Value ?? '', 'base64'), Buffer.from('\n')];
        });
        if (chunks.length) await write(process.stdout, Buffer.concat(chunks));
      }
    });
  });

  addConnectionOptions(
    kv
      .command('set')
      .description('set a key\'s value ("-" reads the value from stdin, bytes as they are)')
      .argument('<key>', 'the key')
      .argument('<value>', 'the value, or - for stdin')
      .option('--flags <n>', 'uint64 flags to store with the value', uint64Option('--flags'))
      .option('--cas <index>', 'write only if the key\'s ModifyIndex is this (0: only if it does not exist); exits 1 when not written', uint64Option('--cas')),
  ).action(async (key: string, value: string, opts: { flags?: bigint; cas?: bigint }, command: Command) => {
    const bytes = value === '-' ? await readInput('-') : Buffer.from(value, 'utf8');
    await withClient(command, async (client) => {
      const { data } = await set(client, key, new Uint8Array(bytes), {
        ...(opts.flags === undefined ? {} : { flags: opts.flags }),
        ...(opts.cas === undefined ? {} : { cas: opts.cas }),
      });
      if (!data) throw new CliError(`key ${JSON.stringify(normalizeKey(key))} not written: its ModifyIndex is not ${opts.cas}`);
    });
  });

  addConnectionOptions(
    kv
      .command('rm')
      .alias('del')
      .description(
        'remove a key; with -r every key under the prefix (folder rule), in one transaction. ' +
          'Consul refuses that to a token limited to part of the prefix (say key_prefix "app/x/" for "rm -r app"): ' +
          'then the keys the token may list are deleted in transaction batches of up to 64 (each batch atomic, ' +
          'not the whole; keys created meanwhile or hidden from the token stay), reported like kv restore',
      )
      .argument('<key>', 'the key (or prefix with -r)')
      .option('-r, --recurse', `remove every key under the prefix. ${PREFIX_RULE}`)
      .option('--report <file>', 'with -r, when deleting in batches: also write the report (removed and not attempted keys, failed batches) to this JSON file')
      .option('--no-progress', 'no progress bar when deleting in batches (only shown when stderr is a terminal anyway)'),
  ).action(async (key: string, opts: { recurse?: boolean; report?: string; progress: boolean }, command: Command) => {
    await withClient(command, async (client) => {
      if (!opts.recurse) {
        await remove(client, key);
        return;
      }
      const scope = scopeOf(key);
      const ops: TxnWireOp[] = [{ KV: { Verb: 'delete-tree', Key: scope.folder } }];
      if (scope.exact !== undefined) ops.push({ KV: { Verb: 'delete', Key: scope.exact } });
      try {
        await sendTxn(client, ops);
        return;
      } catch (error) {
        // a recursive delete above the token's key_prefix is denied: delete what the token may list
        if (!permissionDenied(error)) throw error;
      }
      const keyList = await listKeys(client, scope);
      const report = await interruptible((signal) => removeKeys(client, keyList, { progress: opts.progress, signal }));
      await writeReportFile(opts.report, report);
      const batches = `${report.batches} transaction ${report.batches === 1 ? 'batch' : 'batches'}`;
      if (report.ok) {
        warn(`removed ${report.removed.length} keys in ${batches} (this token may not delete the whole prefix at once)`);
        return;
      }
      for (const removed of report.removed) warn(`removed ${JSON.stringify(removed)}`);
      printFailures(report, opts.report);
      warn(
        `remove incomplete: ${report.removed.length} keys removed${report.removed.length ? ' (listed above as "removed")' : ''}, ` +
          `${report.failed.reduce((n, f) => n + f.keys.length, 0)} in failed batches, ${report.notAttempted.length} not attempted`,
      );
      throw new CliError(`rm failed: ${firstFailure(report)}`, EXIT_FAILURE);
    });
  });

  addConnectionOptions(
    kv
      .command('mkdir')
      .description('create a folder key (PATH/, empty value)')
      .argument('<path>', 'the folder to create'),
  ).action(async (path: string, _opts: unknown, command: Command) => {
    await withClient(command, async (client) => {
      await set(client, path.endsWith('/') ? path : `${path}/`, '');
    });
  });
}
