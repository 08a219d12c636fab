/// <reference types="node" />
/**
 * `consulate snapshot save|restore`: like `consul snapshot save|restore`. `save` streams the archive
 * to a temporary file (mode 0600: a snapshot holds every secret of the cluster), verifies it like
 * Consul's CLI (SHA256SUMS of meta.json and state.bin) and only then renames it to FILE; `save -`
 * verifies the archive in memory and then writes it to stdout. `restore` (`restore -`: from stdin)
 * verifies the archive before sending it. A progress indicator appears on stderr when it is a
 * terminal that the archive is not written to. `inspect` (`inspect -`: from stdin) verifies an archive
 * offline and prints its `meta.json` like `consul snapshot inspect`.
 * @module
 */
import { once } from 'node:events';
import { readFile, realpath, rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import type { Client } from '../core/client.ts';
import type * as CliProgress from 'cli-progress';
import { createRequire } from 'node:module';
/** cli-progress, loaded when a bar is first drawn (~9 ms at start-up otherwise, for every command). */
const cliProgress = (): typeof CliProgress => createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
import { isInputError } from '../core/errors.ts';
import type { SnapshotInfo } from '../endpoints/snapshot.ts';
import { restore, save, verify } from '../endpoints/snapshot.ts';
import { addConnectionOptions, withClient } from './connection.ts';
import { CliError, createPrivateFile, isSpecialFile, isStdout, openOutput, readInput, progressAllowed, usage, warn, write } from './io.ts';
import { fields, jsonText } from './tabular.ts';

const MIB = 1024 * 1024;

/** A byte counter on stderr (a terminal that the data does not go to, see `showProgress`): `label 12.3 MiB[/45.6 MiB]`. */
function byteProgress(label: string, total: number | undefined, dataOnStdout = false): { add(n: number): void; stop(): void } {
  if (!progressAllowed({ dataOnStdout })) return { add() {}, stop() {} };
  const bar = new (cliProgress().SingleBar)({
    stream: process.stderr,
    format: total ? `${label} [{bar}] {percentage}% | {done} / {all}` : `${label} {done}`,
    hideCursor: true,
  });
  const fmt = (n: number): string => `${(n / MIB).toFixed(1)} MiB`;
  let done = 0;
  bar.start(total ?? 1, 0, { done: fmt(0), all: fmt(total ?? 0) });
  return {
    add(n) {
      done += n;
      bar.update(total ? done : 0, { done: fmt(done), all: fmt(total ?? 0) });
    },
    stop() {
      bar.stop();
    },
  };
}

async function verified(bytes: Uint8Array, file: string): Promise<{ index: number }> {
  return { index: Number((await checked(bytes, file)).meta.Index) };
}

/** {@link verify}, a damaged archive reported as a one-line error naming the file. */
async function checked(bytes: Uint8Array, file: string): Promise<SnapshotInfo> {
  try {
    return await verify(bytes);
  } catch (error) {
    if (isInputError(error)) throw new CliError(`${isStdout(file) ? 'the snapshot' : file}: ${error.message}`);
    throw error;
  }
}

/** Streams a snapshot from the agent into `out` (or, without one, into the returned chunks), counting bytes on the progress bar. */
async function download(client: Client, out: Writable | undefined, stale: boolean, bar: { add(n: number): void }): Promise<Uint8Array[]> {
  const kept: Uint8Array[] = [];
  const { data: stream } = await save(client, stale ? { consistency: 'stale' } : {});
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    if (out) await write(out, chunk);
    else kept.push(chunk);
    bar.add(chunk.byteLength);
  }
  return kept;
}

/** Registers the `snapshot` command group. */
export function registerSnapshot(program: Command): void {
  const snapshot = addConnectionOptions(program.command('snapshot').description('save, restore and inspect snapshots of the servers\' state'));
  addConnectionOptions(
    snapshot
      .command('save')
      .description('save a snapshot to FILE (mode 0600; verified, then renamed into place), or with "-" to stdout (verified in memory first)')
      .argument('<file>', 'the archive to write, or - for stdout')
      .option('--stale', 'let any server answer (e.g. without a leader)'),
  ).action(async (file: string, opts: { stale?: boolean }, command: Command) => {
    if (isStdout(file) && process.stdout.isTTY) throw usage('snapshot save -: stdout is a terminal; redirect it to a file or a pipe');
    await withClient(command, async (client) => {
      // stdout, or a device or pipe (renaming a temporary file onto it would replace it): verified in memory, then written
      if (isStdout(file) || (await isSpecialFile(file))) {
        const bar = byteProgress('snapshot', undefined, true);
        let bytes: Buffer;
        try {
          bytes = Buffer.concat(await download(client, undefined, opts.stale === true, bar));
        } finally {
          bar.stop();
        }
        const { index } = await verified(bytes, file);
        const output = await openOutput(file);
        await write(output.stream, bytes);
        await output.commit();
        warn(`saved and verified snapshot at raft index ${index} to ${isStdout(file) ? 'stdout' : file}`);
        return;
      }
      // open the file first: a snapshot stream nobody reads would keep the connection (and close()) waiting
      // through a symbolic link: the file it points to is replaced (renaming onto the link would replace the link)
      const target = await realpath(file).catch(() => file);
      const { stream: out, temporary } = await createPrivateFile(target);
      const bar = byteProgress('snapshot', undefined);
      try {
        await download(client, out, opts.stale === true, bar);
        out.end();
        await once(out, 'finish');
        bar.stop();
        const { index } = await verified(await readFile(temporary), file);
        await rename(temporary, target);
        warn(`saved and verified snapshot at raft index ${index} to ${file}`);
      } catch (error) {
        bar.stop();
        out.destroy();
        await rm(temporary, { force: true });
        throw error;
      }
    });
  });
  addConnectionOptions(
    snapshot
      .command('restore')
      .description('restore the servers\' state from a snapshot FILE, or with "-" from stdin (verified first); destroys everything written since')
      .argument('<file>', 'the archive to restore, or - for stdin'),
  ).action(async (file: string, _opts: unknown, command: Command) => {
    const bytes = await readInput(file);
    const { index } = await verified(bytes, file);
    await withClient(command, async (client) => {
      const bar = byteProgress('restore', bytes.byteLength);
      const chunk = 256 * 1024;
      let at = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (at >= bytes.byteLength) {
            controller.close();
            return;
          }
          const piece = bytes.subarray(at, at + chunk);
          at += piece.byteLength;
          bar.add(piece.byteLength);
          controller.enqueue(new Uint8Array(piece));
        },
      });
      try {
        await restore(client, body);
      } finally {
        bar.stop();
      }
      warn(`restored snapshot at raft index ${index} from ${isStdout(file) ? 'stdin' : file}`);
    });
  });
  snapshot
    .command('inspect')
    .summary('verify a snapshot file offline and print its metadata (like consul snapshot inspect)')
    .description(
      'Verify a snapshot archive FILE (or with "-" from stdin) like snapshot save and restore do (SHA256SUMS of meta.json and ' +
        'state.bin), without contacting Consul, and print its meta.json as consul snapshot inspect does: ID, Size (of state.bin, ' +
        'bytes), Index (the raft index it was taken at), Term and Version; --json prints them as JSON. A damaged archive exits 1. ' +
        '(consul snapshot inspect of newer versions also counts the records by type, which needs Consul\'s state decoder: not here.)',
    )
    .argument('<file>', 'the archive to inspect, or - for stdin')
    .option('--json', 'print ID, Size, Index, Term and Version as JSON (exact uint64 numbers)')
    .action(async (file: string, opts: { json?: boolean }) => {
      const info = await checked(await readInput(file), file);
      const state = info.files.find((f) => f.name === 'state.bin');
      const meta = { ID: info.meta.ID, Size: info.meta.Size ?? state?.size ?? 0, Index: info.meta.Index, Term: info.meta.Term, Version: info.meta.Version };
      await write(
        process.stdout,
        opts.json ? jsonText(meta) : fields(Object.entries(meta).map(([label, value]) => [label, String(value)] as const)),
      );
    });
}
