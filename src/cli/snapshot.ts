/// <reference types="node" />
/**
 * `consulate snapshot save|restore`: like `consul snapshot save|restore`. `save` streams the archive
 * to FILE.tmp-PID, verifies it like Consul's CLI (SHA256SUMS of meta.json and state.bin) and only then
 * renames it to FILE; `restore` verifies the archive before sending it. A progress indicator appears
 * on stderr when it is a terminal.
 * @module
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { isInputError } from '../core/errors.ts';
import { restore, save, verify } from '../endpoints/snapshot.ts';
import { addConnectionOptions, withClient } from './connection.ts';
import { CliError, warn, write } from './io.ts';

const MIB = 1024 * 1024;

/** A byte counter on stderr (TTY only): `label 12.3 MiB[/45.6 MiB]`. */
function byteProgress(label: string, total: number | undefined): { add(n: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { add() {}, stop() {} };
  const bar = new SingleBar({
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
  try {
    const info = await verify(bytes);
    return { index: Number(info.meta.Index) };
  } catch (error) {
    if (isInputError(error)) throw new CliError(`${file}: ${error.message}`);
    throw error;
  }
}

/** Registers the `snapshot` command group. */
export function registerSnapshot(program: Command): void {
  const snapshot = addConnectionOptions(program.command('snapshot').description('save and restore snapshots of the servers\' state'));
  addConnectionOptions(
    snapshot
      .command('save')
      .description('save a snapshot to FILE (verified, then renamed into place)')
      .argument('<file>', 'the archive to write')
      .option('--stale', 'let any server answer (e.g. without a leader)'),
  ).action(async (file: string, opts: { stale?: boolean }, command: Command) => {
    await withClient(command, async (client) => {
      const temporary = `${file}.tmp-${process.pid}`;
      // open the file first: a snapshot stream nobody reads would keep the connection (and close()) waiting
      const out = createWriteStream(temporary, { mode: 0o600 });
      await once(out, 'open');
      const bar = byteProgress('snapshot', undefined);
      try {
        const { data: stream } = await save(client, opts.stale ? { consistency: 'stale' } : {});
        for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
          await write(out, chunk);
          bar.add(chunk.byteLength);
        }
        out.end();
        await once(out, 'finish');
        bar.stop();
        const { index } = await verified(await readFile(temporary), file);
        await rename(temporary, file);
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
      .description('restore the servers\' state from a snapshot FILE (verified first); destroys everything written since')
      .argument('<file>', 'the archive to restore'),
  ).action(async (file: string, _opts: unknown, command: Command) => {
    const bytes = await readFile(file);
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
      warn(`restored snapshot at raft index ${index} from ${file}`);
    });
  });
}
