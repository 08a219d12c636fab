/// <reference types="node" />
/**
 * `consulate kv diff`, `kv sync`, `kv cp` and `kv mv`, on the `consulate/kv-sync` recipe.
 *
 * - `kv diff FILE [prefix]` prints what `kv sync` would add, change and delete under the prefix (text
 *   lines, or `--json`); it writes nothing.
 * - `kv sync FILE [prefix]` applies exactly that diff through check-and-set transactions: a key created,
 *   changed or deleted by someone else since the diff makes its batch fail (exit 1, reported), never
 *   overwritten. It deletes the keys under the prefix that FILE lacks, so it has `kv restore --prune`'s
 *   guards: no prefix needs `--prune-all`, deleting more than half of the keys under the prefix needs
 *   `--force` (both refused with exit 2 before anything is written).
 * - `kv cp SRC DST` and `kv mv SRC DST` copy or rename a tree in atomic batches; `mv` writes each key and
 *   deletes its source in the same transaction, so a key is never lost.
 *
 * FILE is read as `kv restore` reads a backup (`kv-format.ts`): consul kv export JSON and API records
 * hold absolute keys (entries outside the prefix are ignored, and counted), consulate triples hold keys
 * relative to the prefix (`-b`/`--text` say how their values are encoded, never guessed).
 * @module
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { stringifyJson } from '../core/encoding.ts';
import { isInputError } from '../core/errors.ts';
import type { KVBatchFailure, KVBatchReport, KVCopyReport, KVDiff, KVSyncEntry, KVSyncReport } from '../recipes/kv-sync.ts';
import { copy, diff, move, planCopy, sync } from '../recipes/kv-sync.ts';
import { addConnectionOptions, withClient } from './connection.ts';
import { interruptible } from './interrupt.ts';
import type { InputFormat } from './kv-format.ts';
import { isTriples, parseBackup } from './kv-format.ts';
import { prefixedKey, scopeOf } from './kv-scope.ts';
import { CliError, describeError, EXIT_FAILURE, openOutput, progress, readInput, usage, warn, write } from './io.ts';

const FOLDER_RULE = 'A prefix names a folder: "app" covers the key "app" and the keys under "app/" (not "apple"); a prefix ending in "/" covers the keys starting with it.';

const FILE_RULE =
  'FILE ("-": stdin) is read like a kv restore input: consul kv export JSON or API records (absolute keys; entries outside the prefix are ignored) ' +
  'or consulate [key, flags, value] triples (keys relative to the prefix; -b or --text says how the values are encoded).';

interface FileOptions {
  base64?: boolean;
  text?: boolean;
  format: string;
}

/** Adds the input-format options of `kv restore`. */
function addFileOptions(command: Command): Command {
  return command
    .option('-b, --base64', 'consulate triples: the values are base64 (as written by backup -b)')
    .option('--text', 'consulate triples: the values are text, even if they all look like base64')
    .addOption(new Option('--format <format>', 'input format').choices(['auto', 'export', 'consulate', 'api']).default('auto'));
}

/** The desired entries of FILE under a prefix, with absolute keys, and the entries outside it. */
async function readDesired(file: string, prefix: string | undefined, opts: FileOptions): Promise<{ entries: KVSyncEntry[]; ignored: string[] }> {
  let format = opts.format as InputFormat;
  if (opts.base64 && opts.text) throw usage('-b/--base64 and --text contradict each other: give the one that says how the values were written');
  if (opts.base64 || opts.text) {
    if (format !== 'auto' && format !== 'consulate') throw usage(`${opts.base64 ? '-b/--base64' : '--text'} applies to consulate triples`);
    format = opts.base64 ? 'consulate-base64' : 'consulate-text';
  }
  const parsed = parseBackup((await readInput(file)).toString('utf8'), format);
  const scope = scopeOf(prefix);
  const entries: KVSyncEntry[] = [];
  const ignored: string[] = [];
  for (const entry of parsed.entries) {
    let key = entry.key;
    if (isTriples(parsed.format)) {
      if (key === '' && scope.prefix === '') {
        throw new CliError('a [key, flags, value] entry has the key "": consulate writes it for the prefix itself in a backup of a prefix, so give the prefix (consulate kv sync FILE PREFIX)');
      }
      key = prefixedKey(scope, key);
    } else if (!scope.contains(key)) {
      ignored.push(key);
      continue;
    }
    entries.push({ Key: key, Value: new Uint8Array(Buffer.from(entry.value, 'base64')), Flags: entry.flags });
  }
  return { entries, ignored };
}

const seconds = (started: number): string => `${((performance.now() - started) / 1000).toFixed(2)} s`;
const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
const where = (prefix: string): string => (prefix === '' ? 'in the whole store' : `under ${JSON.stringify(prefix)}`);

/** What a change changes, e.g. "value, flags 0 → 7". */
function changeOf(change: KVDiff['change'][number]): string {
  const parts: string[] = [];
  const [was, now] = [change.was.Value.byteLength, change.Value.byteLength];
  if (Buffer.compare(change.Value, change.was.Value) !== 0) parts.push(was === now ? `value (${now} bytes)` : `value ${was} → ${now} bytes`);
  if (change.Flags !== change.was.Flags) parts.push(`flags ${change.was.Flags} → ${change.Flags}`);
  return parts.join(', ');
}

function existingCount(d: KVDiff): number {
  return d.change.length + d.delete.length + d.unchanged;
}

/** Whether the diff deletes more than half of the keys under its prefix (refused without --force). */
function deletesMost(d: KVDiff): boolean {
  return d.delete.length > 0 && d.delete.length * 2 > existingCount(d);
}

function largeDeleteMessage(d: KVDiff): string {
  return `sync would delete ${d.delete.length} of the ${existingCount(d)} keys ${where(d.prefix)} (more than half)`;
}

/** Prints a diff: one line per key on stdout (or the JSON document), a summary on stderr. */
async function printDiff(d: KVDiff, ignored: readonly string[], json: boolean): Promise<void> {
  if (json) {
    const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    const was = (c: { Flags: bigint; Value: Uint8Array }) => ({ Flags: c.Flags, Value: b64(c.Value) });
    const document = {
      prefix: d.prefix,
      add: d.add.map((e) => ({ Key: e.Key, Flags: e.Flags, Value: b64(e.Value) })),
      change: d.change.map((e) => ({ Key: e.Key, Flags: e.Flags, Value: b64(e.Value), ModifyIndex: e.ModifyIndex, was: was(e.was) })),
      delete: d.delete.map((e) => ({ Key: e.Key, ModifyIndex: e.ModifyIndex, was: was(e.was) })),
      unchanged: d.unchanged,
      ignored,
    };
    await write(process.stdout, `${stringifyJson(document)}\n`);
  } else {
    const lines = [
      ...d.add.map((e) => `add ${JSON.stringify(e.Key)}`),
      ...d.change.map((e) => `change ${JSON.stringify(e.Key)} (${changeOf(e)})`),
      ...d.delete.map((e) => `delete ${JSON.stringify(e.Key)}`),
    ];
    for (let i = 0; i < lines.length; i += 1000) await write(process.stdout, `${lines.slice(i, i + 1000).join('\n')}\n`);
  }
  const total = d.add.length + d.change.length + d.delete.length;
  warn(
    `${total === 0 ? 'no differences' : `${d.add.length} to add, ${d.change.length} to change, ${d.delete.length} to delete`} ${where(d.prefix)}` +
      ` (${d.unchanged} unchanged${ignored.length ? `; ${plural(ignored.length, 'entry', 'entries')} of the file outside the prefix ignored` : ''})`,
  );
}

/** "3 keys, "a" … "c"". */
function describeRange(keys: readonly string[]): string {
  if (keys.length === 1) return `1 key, ${JSON.stringify(keys[0])}`;
  return `${keys.length} keys, ${JSON.stringify(keys[0])} … ${JSON.stringify(keys[keys.length - 1])}`;
}

/** A failed batch's reason in one line: its first refused operation, or the error. */
function reasonOf(failure: KVBatchFailure): string {
  const first = failure.errors[0];
  const text = first ? `${JSON.stringify(first.Key)}: ${first.What}` : describeError(failure.error);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** Prints one line per failed batch; the other refused operations of a batch are counted (the --report file lists them). */
function printFailures(report: KVBatchReport, reportFile: string | undefined): void {
  for (const failure of report.failed) {
    const count = failure.errors.length;
    const more = count > 1 ? ` (${count} errors, ${reportFile === undefined ? 'list them all with --report FILE' : 'all listed in the --report file'})` : '';
    warn(
      `batch ${failure.batch} ${failure.uncertain ? 'failed in transit or on the server (it may or may not have been applied)' : 'was not applied'}` +
        ` (${describeRange(failure.keys)}): ${reasonOf(failure)}${more}`,
    );
  }
  if (report.aborted) warn('interrupted: no batch was started after the interrupt');
}

/** The report as JSON for --report: errors as text. */
function reportJson(report: KVSyncReport | KVCopyReport): string {
  return `${JSON.stringify(
    {
      ...report,
      failed: report.failed.map((f) => ({ batch: f.batch, keys: f.keys, error: reasonOf(f), errors: f.errors, uncertain: f.uncertain })),
    },
    null,
    2,
  )}\n`;
}

async function writeReportFile(file: string | undefined, report: KVSyncReport | KVCopyReport): Promise<void> {
  if (file === undefined) return;
  const output = await openOutput(file);
  await write(output.stream, reportJson(report));
  await output.commit();
}

/** A progress callback drawing a bar on a terminal stderr. */
function progressBar(label: string, enabled: boolean): { onProgress: (done: number, total: number) => void; stop: () => void } {
  const bar = progress(label, { enabled });
  let started = false;
  let last = 0;
  return {
    onProgress(done, total) {
      if (!started) bar.start(total);
      started = true;
      bar.increment(done - last);
      last = done;
    },
    stop: () => bar.stop(),
  };
}

/** Refusals of the SDK (found before anything was written) are exit 2. */
async function refusalsAreUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isInputError(error)) throw usage(error.message.replace('pass `overwrite: true`', 'add --overwrite'));
    throw error;
  }
}


/** Registers `kv diff`, `kv sync`, `kv cp` and `kv mv` on the `kv` command. */
export function registerKvSync(kv: Command): void {
  addConnectionOptions(
    addFileOptions(
      kv
        .command('diff')
        .summary('show what kv sync would add, change and delete')
        .description(
          `compare FILE with the keys under the prefix and print what kv sync would do: "add|change|delete KEY" lines on stdout ` +
            `(a change says what differs: value sizes, flags), or one JSON document with --json; a summary on stderr. Writes nothing. ${FILE_RULE} ${FOLDER_RULE}`,
        )
        .argument('<file>', 'the desired state (a backup file; "-": stdin)')
        .argument('[prefix]', 'compare under this prefix (default: the whole store)')
        .option('--json', 'print {prefix, add, change, delete, unchanged, ignored} as JSON (Key, Flags, Value as base64, ModifyIndex, was: what Consul holds)')
        .option('--exit-code', 'exit 1 when there are differences (like git diff --exit-code)'),
    ),
  ).action(async (file: string, prefix: string | undefined, opts: FileOptions & { json?: boolean; exitCode?: boolean }, command: Command) => {
    const desired = await readDesired(file, prefix, opts);
    await withClient(command, async (client) => {
      const d = await refusalsAreUsage(() => diff(client, desired.entries, prefix ?? ''));
      await printDiff(d, desired.ignored, opts.json === true);
      if (opts.exitCode && d.add.length + d.change.length + d.delete.length > 0) throw new CliError('there are differences (--exit-code)', EXIT_FAILURE);
    });
  });

  addConnectionOptions(
    addFileOptions(
      kv
        .command('sync')
        .summary('make the keys under a prefix exactly those of a file (check-and-set transactions)')
        .description(
          'apply exactly what kv diff shows: add the keys FILE has and Consul lacks, change those that differ, and delete the keys under the prefix that FILE lacks, ' +
            'through /v1/txn batches of check-and-set operations (each batch atomic, writes first, deletes last): a key created, changed or deleted by someone else ' +
            'since the diff was read makes its batch fail instead of being overwritten (exit 1, with the applied keys and the failed batch listed). ' +
            `Without a prefix it needs --prune-all; a sync that would delete more than half of the keys under the prefix needs --force (both refused, exit 2, before anything is written). ${FILE_RULE} ${FOLDER_RULE}`,
        )
        .argument('<file>', 'the desired state (a backup file; "-": stdin)')
        .argument('[prefix]', 'sync this prefix (a folder; required unless --prune-all)')
        .option('--dry-run', 'print the diff (as kv diff does) and write nothing')
        .option('--prune-all', 'sync without a prefix: the whole store, deleting every key FILE lacks')
        .option('--force', 'allow deleting more than half of the keys under the prefix')
        .option('--continue-on-error', 'keep sending later batches after one fails')
        .option('--report <file>', 'also write the report (added, changed, deleted, not attempted keys; failed batches with every failed operation) to this JSON file')
        .option('--no-progress', 'no progress bar (only shown when stderr is a terminal anyway)'),
    ),
  ).action(async (
    file: string,
    prefix: string | undefined,
    opts: FileOptions & { dryRun?: boolean; pruneAll?: boolean; force?: boolean; continueOnError?: boolean; report?: string; progress: boolean },
    command: Command,
  ) => {
    if (scopeOf(prefix).prefix === '' && !opts.pruneAll) {
      throw usage('kv sync without a prefix deletes every key of the store that FILE lacks: give a prefix, or --prune-all to sync the whole store');
    }
    const desired = await readDesired(file, prefix, opts);
    await withClient(command, async (client) => {
      const started = performance.now();
      const d = await refusalsAreUsage(() => diff(client, desired.entries, prefix ?? ''));
      if (opts.dryRun) {
        await printDiff(d, desired.ignored, false);
        if (deletesMost(d) && !opts.force) warn(`without --dry-run this sync would be refused: ${largeDeleteMessage(d)}; add --force if this is intended`);
        return;
      }
      if (deletesMost(d) && !opts.force) {
        throw usage(`${largeDeleteMessage(d)}; nothing was written: check the file and the prefix (--dry-run lists the keys), and add --force if this is intended`);
      }
      if (desired.ignored.length) warn(`${plural(desired.ignored.length, 'entry', 'entries')} of the file outside the prefix ignored`);
      const bar = progressBar('sync', opts.progress);
      const report = await interruptible('the batch in flight', (signal) =>
        refusalsAreUsage(() => sync(client, d, { force: true, continueOnError: opts.continueOnError, signal, onProgress: bar.onProgress })),
      ).finally(bar.stop);
      await writeReportFile(opts.report, report);
      const counts = `${report.added.length} added, ${report.changed.length} changed, ${report.deleted.length} deleted`;
      if (report.ok) {
        warn(
          report.batches === 0
            ? `nothing to do: ${where(d.prefix)} already matches the file (${d.unchanged} keys)`
            : `synced ${where(d.prefix)}: ${counts} in ${plural(report.batches, 'transaction batch', 'transaction batches')}, ${seconds(started)}`,
        );
        return;
      }
      for (const key of report.added) warn(`added ${JSON.stringify(key)}`);
      for (const key of report.changed) warn(`changed ${JSON.stringify(key)}`);
      for (const key of report.deleted) warn(`deleted ${JSON.stringify(key)}`);
      printFailures(report, opts.report);
      warn(
        `sync incomplete: ${counts}${report.added.length + report.changed.length + report.deleted.length ? ' (listed above)' : ''}, ` +
          `${report.failed.reduce((n, f) => n + f.keys.length, 0)} in failed batches, ${report.notAttempted.length} not attempted; run kv diff to see where it stands`,
      );
      const first = report.failed[0];
      throw new CliError(`sync failed: ${first ? `batch ${first.batch}: ${reasonOf(first)}` : 'interrupted'}`, EXIT_FAILURE);
    });
  });

  for (const moving of [false, true]) {
    const name = moving ? 'mv' : 'cp';
    const past = moving ? 'moved' : 'copied';
    addConnectionOptions(
      kv
        .command(name)
        .summary(moving ? 'move (rename) a tree, each key in one transaction with its source delete' : 'copy a tree (values and flags exact)')
        .description(
          `${moving ? 'move' : 'copy'} the tree SRC to DST: "SRC" → "DST", "SRC/x" → "DST/x" (with a trailing "/" on SRC, what starts with SRC goes under DST/), ` +
            'values byte for byte, flags exact, keys with "//" or "."/".." segments too, in atomic /v1/txn batches. ' +
            (moving
              ? 'Each key is moved by one transaction that checks its source is unchanged, writes the destination and deletes the source, so a key is always in one place: ' +
                'when a batch fails, its keys (and those of the batches not attempted) are still under SRC, and moving again moves the rest. '
              : 'The copy is of the tree as read. ') +
            `Destination keys that exist are refused (exit 2, nothing written) unless --overwrite; other keys under DST are left alone. ${FOLDER_RULE}`,
        )
        .argument('<src>', 'the tree to move or copy')
        .argument('<dst>', 'its new name (ends in "/" only when SRC does)')
        .option('--overwrite', 'overwrite destination keys that exist (each only if unchanged since it was read)')
        .option('--dry-run', `print what would be ${past} ("${name} SRC_KEY DST_KEY" lines on stdout, marked "(exists)" where the destination key exists) and write nothing`)
        .option('--continue-on-error', 'keep sending later batches after one fails')
        .option('--report <file>', 'also write the report (applied pairs, not attempted keys, failed batches with every failed operation) to this JSON file')
        .option('--no-progress', 'no progress bar (only shown when stderr is a terminal anyway)'),
    ).action(async (src: string, dst: string, opts: { overwrite?: boolean; dryRun?: boolean; continueOnError?: boolean; report?: string; progress: boolean }, command: Command) => {
      await withClient(command, async (client) => {
        if (opts.dryRun) {
          const plan = await refusalsAreUsage(() => planCopy(client, src, dst, { overwrite: opts.overwrite, move: moving }));
          if (plan.items.length === 0) throw new CliError(`no keys under ${JSON.stringify(src)}: nothing would be ${past}`, EXIT_FAILURE);
          const lines = plan.items.map((item) => `${name} ${JSON.stringify(item.from)} ${JSON.stringify(item.to)}${item.exists ? ' (exists)' : ''}`);
          for (let i = 0; i < lines.length; i += 1000) await write(process.stdout, `${lines.slice(i, i + 1000).join('\n')}\n`);
          const existing = plan.items.filter((item) => item.exists).length;
          warn(`${plural(plan.items.length, 'key', 'keys')} would be ${past} from ${JSON.stringify(src)} to ${JSON.stringify(dst)}${existing ? ` (${existing} over existing keys)` : ''}; nothing was written (--dry-run)`);
          if (plan.refusal) warn(`without --dry-run this ${name} would be refused: ${plan.refusal.replace('pass `overwrite: true`', 'add --overwrite')}`);
          return;
        }
        const started = performance.now();
        const bar = progressBar(name, opts.progress);
        const run = moving ? move : copy;
        const report = await interruptible('the batch in flight', (signal) =>
          refusalsAreUsage(() => run(client, src, dst, { overwrite: opts.overwrite, continueOnError: opts.continueOnError, signal, onProgress: bar.onProgress })),
        ).finally(bar.stop);
        await writeReportFile(opts.report, report);
        if (report.ok && report.applied.length === 0) throw new CliError(`no keys under ${JSON.stringify(src)}: nothing ${past}`, EXIT_FAILURE);
        if (report.ok) {
          warn(`${past} ${plural(report.applied.length, 'key', 'keys')} from ${JSON.stringify(src)} to ${JSON.stringify(dst)} in ${plural(report.batches, 'transaction batch', 'transaction batches')}, ${seconds(started)}`);
          return;
        }
        for (const item of report.applied) warn(`${past} ${JSON.stringify(item.from)} → ${JSON.stringify(item.to)}`);
        printFailures(report, opts.report);
        warn(
          `${name} incomplete: ${report.applied.length} keys ${past}${report.applied.length ? ' (listed above)' : ''}, ` +
            `${report.failed.reduce((n, f) => n + f.keys.length, 0)} in failed batches, ${report.notAttempted.length} not attempted` +
            (moving
              ? `; those are still under ${JSON.stringify(src)}${report.failed.some((f) => f.uncertain) ? ' (but a batch that may have been applied may have moved its keys: run kv ls on both)' : ''}`
              : ''),
        );
        const first = report.failed[0];
        throw new CliError(`${name} failed: ${first ? `batch ${first.batch}: ${reasonOf(first)}` : 'interrupted'}`, EXIT_FAILURE);
      });
    });
  }
}
