/// <reference types="node" />
/**
 * `consulate kv …`: backup, restore, ls, get, set, rm (alias del) and mkdir; diff, sync, cp and mv (`kv-sync.ts`).
 * @module
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { fromBase64, normalizeKey } from '../core/encoding.ts';
import { isForbiddenError, isTransactionError } from '../core/errors.ts';
import { getBytes, getRecord, remove, set } from '../endpoints/kv.ts';
import type { TxnWireOp } from '../schemas/txn.ts';
import { sendTxn } from '../schemas/txn.ts';
import { addConnectionOptions, withClient } from './connection.ts';
import { interruptible } from './interrupt.ts';
import type { BackupFormat, InputFormat } from './kv-format.ts';
import { backup } from './kv-backup.ts';
import type { BatchReport, RemoveReport, RestorePlan, RestoreReport } from './kv-restore.ts';
import { largePruneMessage, planRestore, pruneIsLarge, removeKeys, restore } from './kv-restore.ts';
import { listKeys, readRecords, scopeOf } from './kv-scope.ts';
import { CliError, EXIT_FAILURE, nonNegativeInt, openInput, openOutput, plural, positiveInt, readInput, uint64Option, usage, warn, write } from './io.ts';
import { displayValue } from './kv-display.ts';
import { detailedBlock } from './kv-detailed.ts';
import { registerKvSync } from './kv-sync.ts';

const PREFIX_RULE =
  'A prefix names a folder: "app" covers the key "app" and the keys under "app/" (not "apple"); ' +
  'a prefix ending in "/" covers the keys starting with it; no prefix covers the whole store.';

const KEY_SEMANTICS =
  'Keys in the consulate format ([key, flags, value] triples) are relative to the prefix, as in the original consulate: ' +
  '"kv backup app --format consulate" writes "app/x" as "x" (the key "app" itself as "", the folder key "app/" as "/"), and ' +
  '"kv restore app" (or "kv restore copy") prepends the prefix to every triple. The export and api formats hold absolute keys, as Consul does: ' +
  'a restore with a prefix restores only the entries under it.';

/** Prints a dry run's plan: one line per key on stdout, a summary on stderr. */
async function printPlan(plan: RestorePlan, force: boolean): Promise<void> {
  const lines = [
    ...plan.write.map((key) => `write ${JSON.stringify(key)}`),
    ...plan.skipped.map((key) => `skip ${JSON.stringify(key)} (exists)`),
    ...plan.prune.map((key) => `delete ${JSON.stringify(key)}`),
  ];
  for (let i = 0; i < lines.length; i += 1000) await write(process.stdout, `${lines.slice(i, i + 1000).join('\n')}\n`);
  warn(
    `dry run, nothing written: would write ${plural(plan.write.length, 'key', 'keys')}` +
      `${plan.noReplace ? `, skip ${plan.skipped.length} (existing)` : ''}` +
      `${plan.prune.length ? `, delete ${plan.prune.length} (--prune)` : ''}` +
      `${plan.ignored ? `; ${plural(plan.ignored, 'entry', 'entries')} outside the prefix ignored` : ''}`,
  );
  if (pruneIsLarge(plan) && !force) warn(`without --dry-run this restore would be refused: ${largePruneMessage(plan)}; add --force if this is intended`);
}

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

/** Consul refused for lack of permission (not for an unknown token): a 403, or a transaction whose every failed op was denied. */
function permissionDenied(error: unknown): boolean {
  if (isTransactionError(error)) return error.errors.length > 0 && error.errors.every((e) => e.What === 'Permission denied');
  return isForbiddenError(error) && /Permission denied/.test(error.message);
}

/**
 * The refusal when every entry of an export/api file lies outside the restore's prefix: those files
 * hold absolute keys, so "kv restore copy" of a backup of "app" restores nothing (it is not a copy).
 */
function allOutsidePrefix(ignored: number, prefix: string): CliError {
  return usage(
    `all ${plural(ignored, 'entry', 'entries')} of the backup ${ignored === 1 ? 'is' : 'are'} outside the prefix ${JSON.stringify(prefix)}: nothing was restored. ` +
      'Export and api files (kv backup\'s default format) hold absolute keys, and a restore with a prefix restores only those under it; ' +
      `to copy a tree under another prefix use "consulate kv cp SOURCE ${prefix}", or back up with --format consulate (keys relative to the prefix) and restore that file`,
  );
}

/** Prints a restore report on stderr: a summary, skipped keys and, on failure, exactly the applied keys. */
function printReport(report: RestoreReport, seconds: number, reportFile: string | undefined): void {
  for (const key of report.skipped) warn(`skipped (exists) ${JSON.stringify(key)}`);
  if (report.ok) {
    warn(
      `restored ${plural(report.applied.length, 'key', 'keys')} in ${seconds.toFixed(2)} s` +
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
    `restore incomplete: ${plural(report.applied.length, 'key', 'keys')} applied${report.applied.length ? ' (listed above as "applied")' : ''}, ` +
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
      .description(`back up the keys under a prefix (default: all) as JSON, streamed in bounded memory; a file is created mode 0600. ${PREFIX_RULE} ${KEY_SEMANTICS}`)
      .argument('[prefix]', 'only keys under this prefix (folder rule)')
      .option('-f, --file <file>', 'write to this file (mode 0600, created when complete) instead of stdout ("-": stdout)')
      .addOption(
        new Option(
          '--format <format>',
          'export: consul kv export JSON, absolute keys (lossless, read by consul kv import); consulate: [key, flags, value] triples, keys relative to the prefix (the original consulate\'s format); api: raw /v1/kv records, absolute keys',
        )
          .choices(['export', 'consulate', 'api'])
          .default('export'),
      )
      .option('-b, --base64', 'consulate format: base64-encode values (needed for binary values); without --format, implies --format consulate, as the original consulate\'s backup -b')
      .option('-p, --pretty', 'indent the JSON')
      .option('-c, --concurrency <n>', 'read batches in flight', positiveInt('--concurrency'), 4)
      .option('--no-progress', 'no progress bar (only drawn when stderr is a terminal that the backup is not written to)'),
  ).action(async (prefix: string | undefined, opts: { file?: string; format: BackupFormat; base64?: boolean; pretty?: boolean; concurrency: number; progress: boolean }, command: Command) => {
    // the original's `kv backup -b` (cron lines) writes base64 triples: -b alone means that format
    if (opts.base64 && command.getOptionValueSource('format') === 'default') opts.format = 'consulate';
    if (opts.base64 && opts.format !== 'consulate') throw usage(`-b/--base64 applies to --format consulate (triples; -b alone implies it), not --format ${opts.format}, which always holds base64`);
    await withClient(command, async (client) => {
      const count = await backup(client, prefix, { ...opts, file: opts.file });
      if (opts.file !== undefined && opts.file !== '-') warn(`backed up ${plural(count, 'key', 'keys')} to ${opts.file}`);
    });
  });

  addConnectionOptions(
    kv
      .command('restore')
      .summary('restore a backup through atomic /v1/txn batches')
      .description(
        'restore a backup (format detected: consul kv export, consulate triples (base64 with -b, text with --text), raw API records) through /v1/txn in atomic batches. ' +
          `${PREFIX_RULE} ${KEY_SEMANTICS} ` +
          'The encoding of triples is never guessed: when every non-empty value is also valid base64 ("abcd", "true", "vvvv"), the restore is refused until -b or --text says which (a file with only empty values needs neither). ' +
          '--prune without a prefix needs --prune-all, and a prune that would delete more than half of the keys under the prefix needs --force; both are refused before anything is written (exit 2).',
      )
      .argument('[prefix]', 'restore under this prefix: consulate triples are placed under it; other formats: only entries under it (folder rule). --prune deletes only under it')
      .option('-f, --file <file>', 'read this file instead of stdin ("-": stdin)')
      .option('-n, --no-replace', 'never overwrite existing keys (they are skipped and listed)')
      .option('-p, --prune', 'after restoring, delete the keys under the prefix that the backup does not contain (those the token may list, listed before anything is written, deleted in transaction batches)')
      .option('--prune-all', '--prune without a prefix: prune the whole store')
      .option('--force', 'allow a prune that deletes more than half of the keys under the prefix')
      .option('--dry-run', 'print what would be written, skipped and deleted (one "write|skip|delete KEY" line each on stdout), and write nothing')
      .option('-b, --base64', 'consulate triples: the values are base64 (as written by backup -b)')
      .option('--text', 'consulate triples: the values are text, even if they all look like base64')
      .addOption(new Option('--format <format>', 'input format').choices(['auto', 'export', 'consulate', 'api']).default('auto'))
      .option('-c, --concurrency <n>', 'transaction batches in flight', positiveInt('--concurrency'), 4)
      .option('--report <file>', 'also write the report (applied, skipped, pruned and not attempted keys; failed batches with every failed operation) to this JSON file')
      .option('--no-progress', 'no progress bar (only shown when stderr is a terminal anyway)'),
  ).action(async (
    prefix: string | undefined,
    opts: { file?: string; replace: boolean; prune?: boolean; pruneAll?: boolean; force?: boolean; dryRun?: boolean; base64?: boolean; text?: boolean; format: string; concurrency: number; report?: string; progress: boolean },
    command: Command,
  ) => {
    let format = opts.format as InputFormat;
    if (opts.base64 && opts.text) throw usage('-b/--base64 and --text contradict each other: give the one that says how the values were written');
    if (opts.base64 || opts.text) {
      if (format !== 'auto' && format !== 'consulate') throw usage(`${opts.base64 ? '-b/--base64' : '--text'} applies to consulate triples`);
      format = opts.base64 ? 'consulate-base64' : 'consulate-text';
    }
    const scope = scopeOf(prefix);
    const prune = opts.prune === true || opts.pruneAll === true;
    if (prune && scope.prefix === '' && !opts.pruneAll) {
      throw usage('--prune without a prefix deletes every key of the store that the backup lacks: give a prefix, or --prune-all to prune the whole store');
    }
    // streamed: --prune and --dry-run read the input twice (stdin is then kept in memory), see kv-restore.ts
    const input = await openInput(opts.file, { keep: prune && !opts.dryRun });
    try {
      await withClient(command, async (client) => {
        const started = performance.now();
        const options = { scope, format, noReplace: !opts.replace, prune };
        const plan = prune || opts.dryRun ? await planRestore(client, input, options) : undefined;
        // before anything is written: with --prune, such a restore would only delete
        if (plan && plan.ignored > 0 && plan.write.length + plan.skipped.length === 0) throw allOutsidePrefix(plan.ignored, scope.prefix);
        if (opts.dryRun) {
          await printPlan(plan!, opts.force === true);
          return;
        }
        const report = await interruptible('the batches in flight', (signal) =>
          restore(client, input, { ...options, plan, force: opts.force, concurrency: opts.concurrency, progress: opts.progress, signal }),
        );
        try {
          if (report.ok && report.ignored > 0 && report.applied.length === 0 && report.skipped.length === 0) throw allOutsidePrefix(report.ignored, scope.prefix);
          await writeReportFile(opts.report, report);
          printReport(report, (performance.now() - started) / 1000, opts.report);
        } finally {
          report.applied.close();
        }
        if (!report.ok) throw new CliError(`restore failed: ${firstFailure(report)}`, EXIT_FAILURE);
      });
    } finally {
      await input.close();
    }
  });

  addConnectionOptions(
    kv
      .command('ls')
      .summary('list keys (recursive)')
      .description(`list the keys under a prefix, recursively. ${PREFIX_RULE}`)
      .argument('[prefix]', 'list keys under this prefix (default: all keys)')
      .option('-l, --long', 'long listing: flags, session, lock/create/modify indexes, value size, key')
      .option('--separator <sep>', 'list only up to the next SEP after the prefix\'s folder: with "/", one level, sub-folders as "app/sub/" (consul kv get -keys -separator)'),
  ).action(async (prefix: string | undefined, opts: { long?: boolean; separator?: string }, command: Command) => {
    if (opts.separator === '') throw usage('--separator must not be empty');
    // the names --separator lists up to are not all keys: they have no record to show
    if (opts.separator !== undefined && opts.long) throw usage('give -l/--long or --separator, not both');
    await withClient(command, async (client) => {
      const keyList = await listKeys(client, scopeOf(prefix), opts.separator === undefined ? {} : { separator: opts.separator });
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
      .description(
        'print a key\'s value and a newline (a missing key exits 1, like consul kv get); with -r, "key<TAB>value" lines for every key under the prefix ' +
          '(none: no output, exit 0, like kv ls and consul kv get -recurse). To a file or pipe, the value\'s bytes are written unchanged, followed by ' +
          'the newline (as consul kv get does; -n/--no-newline leaves it out, for the exact bytes); on a terminal, a value that is not ' +
          'UTF-8 text (or holds control characters) is shown as base64, with a note on stderr.',
      )
      .argument('<key>', 'the key (or prefix with -r)')
      .option('-r, --recurse', `every key under the prefix. ${PREFIX_RULE}`)
      .option('-t, --trim <n>', 'with -r: drop this many leading path elements from the printed keys', nonNegativeInt('--trim'), 0)
      .option('--detailed', 'print each record as consul kv get -detailed does: CreateIndex, Flags, Key, LockIndex, ModifyIndex, Session and Value lines (with -r, a blank line between records)')
      .option('-n, --no-newline', 'print the value without the newline after it (the exact bytes: kv get -n KEY > file)'),
  ).action(async (key: string, opts: { recurse?: boolean; trim: number; detailed?: boolean; newline: boolean }, command: Command) => {
    if (opts.detailed && opts.trim > 0) throw usage('--trim shortens the keys of "key<TAB>value" lines; --detailed prints the whole key');
    if (!opts.newline && (opts.recurse || opts.detailed)) throw usage('-n/--no-newline applies to a single value (not -r or --detailed, whose lines end in newlines)');
    await withClient(command, async (client) => {
      if (!opts.recurse && opts.detailed) {
        const { data } = await getRecord(client, key);
        if (data === undefined) throw new CliError(`key ${JSON.stringify(normalizeKey(key))} not found`);
        const block = detailedBlock(data, data.Value, process.stdout.isTTY === true);
        if (block.base64) warn(`note: ${JSON.stringify(data.Key)} holds ${data.Value.byteLength} bytes of binary data, shown as base64 because stdout is a terminal (redirect or pipe stdout for the bytes)`);
        await write(process.stdout, block.bytes);
        return;
      }
      if (!opts.recurse) {
        const { data } = await getBytes(client, key);
        if (data === undefined) throw new CliError(`key ${JSON.stringify(normalizeKey(key))} not found`);
        const shown = displayValue(data, process.stdout.isTTY === true);
        if (shown.base64) warn(`note: ${JSON.stringify(normalizeKey(key))} holds ${data.byteLength} bytes of binary data, shown as base64 because stdout is a terminal (redirect or pipe stdout for the bytes)`);
        await write(process.stdout, opts.newline ? Buffer.concat([shown.bytes, Buffer.from('\n')]) : shown.bytes);
        return;
      }
      const keyList = await listKeys(client, scopeOf(key));
      const terminal = process.stdout.isTTY === true;
      const shownAsBase64: string[] = [];
      let first = true;
      for await (const batch of readRecords(client, keyList)) {
        const chunks = batch.flatMap((pair) => {
          if (opts.detailed) {
            const block = detailedBlock(pair, Buffer.from(pair.Value ?? '', 'base64'), terminal);
            if (block.base64) shownAsBase64.push(pair.Key);
            const separated = first ? [block.bytes] : [Buffer.from('\n'), block.bytes];
            first = false;
            return separated;
          }
          let shown = pair.Key;
          if (opts.trim > 0) {
            const parts = shown.split('/');
            shown = opts.trim >= parts.length ? parts[parts.length - 1]! : parts.slice(opts.trim).join('/');
          }
          const value = displayValue(Buffer.from(pair.Value ?? '', 'base64'), terminal);
          if (value.base64) shownAsBase64.push(pair.Key);
          return [Buffer.from(`${shown}\t`), value.bytes, Buffer.from('\n')];
        });
        if (chunks.length) await write(process.stdout, Buffer.concat(chunks));
      }
      if (shownAsBase64.length > 0) {
        warn(
          `note: ${shownAsBase64.length} binary ${shownAsBase64.length === 1 ? 'value' : 'values'} (${shownAsBase64.slice(0, 3).map((k) => JSON.stringify(k)).join(', ')}${shownAsBase64.length > 3 ? ', …' : ''}) ` +
            'shown as base64 because stdout is a terminal (redirect or pipe stdout for the bytes)',
        );
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
      const report = await interruptible('the batches in flight', (signal) => removeKeys(client, keyList, { progress: opts.progress, signal }));
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

  registerKvSync(kv);
}
