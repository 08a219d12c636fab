/// <reference types="node" />
/**
 * Input/output helpers of the `consulate` CLI: exit codes, the one-line error, writing to stdout or
 * a file with backpressure (files are written to a temporary name and renamed when complete), reading
 * a file or stdin, and a progress bar on stderr that only appears when stderr is a terminal.
 * @module
 */
import { MAX_UINT64 } from '../core/encoding.ts';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { SingleBar } from 'cli-progress';
import { isConsulError, isNetworkError } from '../core/errors.ts';

/** Exit statuses: 0 success, 1 failure, 2 usage error or lock held. */
export const EXIT_OK = 0;
/** A command failed. */
export const EXIT_FAILURE = 1;
/** Bad usage, or the lock is held by someone else. */
export const EXIT_USAGE = 2;

/** The result of an action that sets its own exit status (run_once, lock). */
export interface ExitState {
  /** The status the process exits with. */
  exitCode: number;
}

/** An error the CLI reports as one line on stderr, exiting with {@link CliError.exitCode}. */
export class CliError extends Error {
  /** The process exit status. */
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT_FAILURE) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A usage error (exit 2). */
export function usage(message: string): CliError {
  return new CliError(message, EXIT_USAGE);
}

/** Turns any error into the single line printed on stderr (never a token: consulate's errors are redacted). */
export function describeError(error: unknown): string {
  if (error instanceof CliError) return error.message;
  if (isNetworkError(error)) {
    const cause = (error as { cause?: unknown }).cause;
    const code = (cause as { cause?: { code?: string } } | undefined)?.cause?.code;
    return `${error.message}${code && !error.message.includes(code) ? ` (${code})` : ''}`;
  }
  if (isConsulError(error)) return error.message;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}

/** Writes a diagnostic line to stderr. */
export function warn(message: string): void {
  process.stderr.write(`consulate: ${message}\n`);
}

/** Writes a chunk, waiting for `drain` when the stream's buffer is full. */
export async function write(stream: Writable, chunk: string | Uint8Array): Promise<void> {
  if (stream.write(chunk)) return;
  await once(stream, 'drain');
}

/** A sink for command output: stdout, or a file that appears under its name only once complete. */
export interface Output {
  /** The stream to write to (use {@link write} for backpressure). */
  readonly stream: Writable;
  /** Flushes and, for a file, renames it into place. */
  commit(): Promise<void>;
  /** Discards a partial file. */
  abort(): Promise<void>;
}

/** Opens `file` (written as `file.tmp-PID` and renamed on commit), or stdout when no file is given. */
export async function openOutput(file: string | undefined): Promise<Output> {
  if (file === undefined || file === '-') {
    return { stream: process.stdout, commit: async () => {}, abort: async () => {} };
  }
  const temporary = `${file}.tmp-${process.pid}`;
  const stream = createWriteStream(temporary, { mode: 0o600 });
  await once(stream, 'open');
  return {
    stream,
    async commit() {
      stream.end();
      await once(stream, 'finish');
      await rename(temporary, file);
    },
    async abort() {
      stream.destroy();
      await rm(temporary, { force: true });
    },
  };
}

/** Reads a whole file, or stdin for `undefined`/`-`. */
export async function readInput(file: string | undefined): Promise<Buffer> {
  if (file !== undefined && file !== '-') return readFile(file);
  if (process.stdin.isTTY) throw usage('nothing to read: give -f FILE or pipe the data to stdin');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A progress indicator; a no-op unless stderr is a terminal. */
export interface Progress {
  start(total: number): void;
  increment(by: number): void;
  stop(): void;
}

/** A progress bar on stderr for long operations, shown only when stderr is a TTY (and `enabled`). */
export function progress(label: string, enabled = true): Progress {
  if (!enabled || !process.stderr.isTTY) return { start() {}, increment() {}, stop() {} };
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 50,
  });
  let started = false;
  return {
    start(total) {
      bar.start(total, 0);
      started = true;
    },
    increment(by) {
      if (started) bar.increment(by);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

/** Runs `fn` over `items` with at most `limit` running at once, stopping new work after the first failure. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        await fn(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}

/** Parses a positive integer option. */
export function positiveInt(name: string): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value) || Number(value) < 1) throw usage(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
    return Number(value);
  };
}

/** Parses a non-negative integer option. */
export function nonNegativeInt(name: string): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw usage(`${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
    return Number(value);
  };
}

/** Parses a uint64 option (flags, cas) exactly. */
export function uint64Option(name: string): (value: string) => bigint {
  return (value: string) => {
    if (!/^\d+$/.test(value) || BigInt(value) > MAX_UINT64) {
      throw usage(`${name} must be an integer from 0 to 18446744073709551615, got ${JSON.stringify(value)}`);
    }
    return BigInt(value);
  };
}
