/// <reference types="node" />
/**
 * Input/output helpers of the `consulate` CLI: exit codes, the one-line error, writing to stdout or
 * a file with backpressure (files are created mode 0600 under a fresh temporary name and renamed when
 * complete: backups can hold secrets), reading a file or stdin, and a progress bar on stderr that only
 * appears when stderr is a terminal that the data does not also go to.
 * @module
 */
import { MAX_UINT64 } from '../core/encoding.ts';
import { once } from 'node:events';
import { createWriteStream, fstatSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type * as CliProgress from 'cli-progress';
import { createRequire } from 'node:module';
/** cli-progress, loaded when a bar is first drawn (~9 ms at start-up otherwise, for every command). */
const cliProgress = (): typeof CliProgress => createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
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

/** "1 key", "2 keys": a count with the word that agrees with it. */
export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
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
  if (stream.errored) throw outputError(stream, stream.errored);
  if (stream.write(chunk)) return;
  await settled(stream, 'drain');
}

/**
 * Waits for `event` (`drain`, `finish`) — or for the stream to fail or close first: a reader that went
 * away (a FIFO's) must fail the command, never leave it waiting for a drain that will not come.
 */
function settled(stream: Writable, event: 'drain' | 'finish'): Promise<void> {
  if (stream.destroyed) return stream.errored ? Promise.reject(outputError(stream, stream.errored)) : Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (error?: unknown): void => {
      stream.off(event, onEvent);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (error === undefined) resolve();
      else reject(outputError(stream, error));
    };
    const onEvent = (): void => done();
    const onError = (error: unknown): void => done(error);
    const onClose = (): void => done(stream.errored ?? new Error('the output was closed before the end'));
    stream.once(event, onEvent);
    stream.once('error', onError);
    stream.once('close', onClose);
  });
}

/**
 * An output's failure as the command reports it. A closed pipe on stdout (`| head -1`) is the reader's
 * choice, and success (main.ts); on a file the command was told to write (a FIFO whose reader left), it
 * is a failure that says so.
 */
function outputError(stream: Writable, error: unknown): unknown {
  if (stream === process.stdout) return error;
  const path = (stream as { path?: unknown }).path;
  const where = typeof path === 'string' ? ` ${JSON.stringify(path)}` : '';
  if ((error as NodeJS.ErrnoException).code === 'EPIPE') return new CliError(`cannot write to${where}: its reader closed it before the end (EPIPE)`);
  return error instanceof CliError ? error : new CliError(`cannot write to${where}: ${describeError(error)}`);
}

/**
 * Writes a chunk like {@link write}; `written` resolves once the stream is done with it (written out,
 * or failed: the stream's error is reported as {@link write}'s is), so that its buffer can be reused.
 */
export async function writeReusable(stream: Writable, chunk: Uint8Array): Promise<{ written: Promise<void> }> {
  if (stream.errored) throw outputError(stream, stream.errored);
  let done!: () => void;
  const written = new Promise<void>((resolve) => {
    done = resolve;
  });
  if (!stream.write(chunk, () => done())) await settled(stream, 'drain');
  return { written };
}

/**
 * Output bytes gathered in one growing buffer (outside V8's heap), to be written as one chunk: what a
 * backup writes per batch, without joining strings and converting the result (the copies a long
 * backup's young-generation collections churned through, bench/backup-memory.mjs).
 */
export class ByteWriter {
  private bytes: Buffer;
  private used = 0;

  constructor(capacity: number = 16 * 1024) {
    this.bytes = Buffer.allocUnsafe(capacity);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.used;
  }

  /** Appends text as UTF-8. */
  text(text: string): void {
    this.reserve(text.length * 3); // at most 3 bytes per UTF-16 unit
    this.used += this.bytes.write(text, this.used);
  }

  /** Appends text known to be ASCII (base64, digits, JSON punctuation), one byte per character. */
  ascii(text: string): void {
    this.reserve(text.length);
    this.used += this.bytes.write(text, this.used, 'latin1');
  }

  /** The bytes written (a view of the buffer: valid until {@link ByteWriter.reset}). */
  finish(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.bytes.buffer as ArrayBuffer, this.bytes.byteOffset, this.used);
  }

  /**
   * Starts again from empty, reusing the buffer (grown to `capacity` if smaller): a writer reused
   * rather than a new buffer per chunk, whose garbage would pile up outside the heap between two
   * collections (they are freed only when the collector finds their wrapper dead).
   */
  reset(capacity: number = 0): void {
    this.used = 0;
    if (capacity > this.bytes.length) this.bytes = Buffer.allocUnsafe(capacity);
  }

  private reserve(more: number): void {
    if (this.used + more <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.used + more, this.bytes.length * 2));
    this.bytes.copy(grown, 0, 0, this.used);
    this.bytes = grown;
  }
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

/** Whether an output argument means stdout (absent or `-`). */
export function isStdout(file: string | undefined): file is undefined | '-' {
  return file === undefined || file === '-';
}

/**
 * A new file next to `file`, created mode 0600 (backups can hold secrets). The name is fresh and the
 * file must not exist (`wx`): a leftover of an earlier run, or a file someone else created with a
 * wider mode, is never reused (its mode would be kept).
 */
export async function createPrivateFile(file: string): Promise<{ stream: Writable; temporary: string }> {
  // node:crypto loaded here, not at start-up (~5 ms for every command)
  const temporary = `${file}.tmp-${process.pid}-${process.getBuiltinModule('node:crypto').randomBytes(4).toString('hex')}`;
  const stream = createWriteStream(temporary, { mode: 0o600, flags: 'wx' });
  try {
    await once(stream, 'open');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'its directory does not exist (ENOENT)' : code === 'EACCES' ? 'permission denied (EACCES)' : describeError(error);
    throw new CliError(`cannot create ${JSON.stringify(file)}: ${reason}`);
  }
  return { stream, temporary };
}

/**
 * Whether `file` exists and is not a regular file (`/dev/null`, a FIFO, a terminal): output goes into
 * it as it is, never through a temporary file renamed onto it, which would replace the device or pipe
 * with a plain file. A directory is refused with a {@link CliError} naming it.
 */
export async function isSpecialFile(file: string): Promise<boolean> {
  const found = await stat(file).catch(() => undefined);
  if (found?.isDirectory()) throw new CliError(`cannot write to ${JSON.stringify(file)}: it is a directory; name a file`);
  return found !== undefined && !found.isFile();
}

/**
 * Opens `file` (written mode 0600 under a temporary name and renamed on commit), or stdout when no
 * file (or `-`) is given. A file that exists and is not a regular file (`/dev/null`, a FIFO, a
 * terminal) is written as it is: renaming onto it would replace the device or pipe with a file.
 */
export async function openOutput(file: string | undefined): Promise<Output> {
  if (isStdout(file)) {
    return { stream: process.stdout, commit: async () => {}, abort: async () => {} };
  }
  // through a symbolic link: the file it points to is written (renaming onto the link would replace it)
  const target = await realpath(file).catch(() => file);
  if (await isSpecialFile(target)) {
    const stream = createWriteStream(target, { flags: 'w' });
    try {
      await once(stream, 'open');
    } catch (error) {
      throw new CliError(`cannot write to ${JSON.stringify(file)}: ${describeError(error)}`);
    }
    const commit = async (): Promise<void> => {
      stream.end();
      await settled(stream, 'finish');
    };
    return { stream, commit, abort: async () => void stream.destroy() };
  }
  const { stream, temporary } = await createPrivateFile(target);
  return {
    stream,
    async commit() {
      stream.end();
      await settled(stream, 'finish');
      await rename(temporary, target);
    },
    async abort() {
      stream.destroy();
      await rm(temporary, { force: true });
    },
  };
}

const READ_FAILURES: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
};

/** A file that cannot be read, as one line naming it. */
function readFailure(file: string, error: unknown): CliError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return new CliError(`cannot read ${JSON.stringify(file)}: ${READ_FAILURES[code] ?? describeError(error)}`);
}

/** Reads a whole file, or stdin for `undefined`/`-`. A file that cannot be read is a one-line error naming it. */
export async function readInput(file: string | undefined): Promise<Buffer> {
  if (file !== undefined && file !== '-') {
    try {
      return await readFile(file);
    } catch (error) {
      throw readFailure(file, error);
    }
  }
  if (process.stdin.isTTY) throw usage('nothing to read: give -f FILE or pipe the data to stdin');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A file or stdin read as UTF-8 text in pieces, as it arrives (see {@link openInput}). */
export interface Input {
  /** Reads from the start, in pieces (invalid UTF-8 becomes U+FFFD, as `Buffer.toString` does). */
  read(): AsyncIterable<string>;
  /** Whether {@link Input.read} may be called again: a regular file (read again from the same open file), or a stream kept in memory. */
  readonly repeatable: boolean;
  /** Closes the file (stdin is left open). */
  close(): Promise<void>;
}

/** Bytes read from a file at a time. */
const PIECE_BYTES = 64 * 1024;
/**
 * Bytes decoded into one text piece. Smaller than a read: what a reader holds while it works through a
 * piece (the piece's text, the entries parsed from it) is what V8's young-generation collections copy,
 * and a restore's memory grew with how much of that they copied over a long run (bench/restore.mjs).
 */
const TEXT_BYTES = 16 * 1024;

/** Decodes byte chunks to text pieces of at most {@link TEXT_BYTES} bytes (a character split across them is kept whole). */
async function* decode(chunks: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    for (let at = 0; at < chunk.length; at += TEXT_BYTES) {
      const text = decoder.decode(at === 0 && chunk.length <= TEXT_BYTES ? chunk : chunk.subarray(at, at + TEXT_BYTES), { stream: true });
      if (text) yield text;
    }
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/**
 * Opens a file, or stdin for `undefined`/`-`, to read it as it arrives, in bounded memory. A regular
 * file can be read more than once (from the same open file, so a file renamed over it meanwhile does
 * not change what is read). Stdin, a pipe or a device can be read once; with `keep`, what the first
 * read sees is kept in memory so it can be read again (memory then grows with the input).
 * @throws {@link CliError} naming a file that cannot be opened; a usage error when stdin is a terminal.
 */
export async function openInput(file: string | undefined, { keep = false }: { keep?: boolean } = {}): Promise<Input> {
  let chunks: () => AsyncIterable<Buffer> | Iterable<Buffer>;
  let repeatable = false;
  let close = async (): Promise<void> => {};
  if (file !== undefined && file !== '-') {
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      throw readFailure(file, error);
    }
    const stats = await handle.stat();
    if (stats.isDirectory()) {
      await handle.close();
      throw new CliError(`cannot read ${JSON.stringify(file)}: ${READ_FAILURES['EISDIR']}`);
    }
    close = () => handle.close();
    if (stats.isFile()) {
      return {
        read: () => readFrom(file, handle),
        repeatable: true,
        close,
      };
    }
    chunks = () => handle.createReadStream({ autoClose: false, highWaterMark: PIECE_BYTES });
  } else {
    if (process.stdin.isTTY) throw usage('nothing to read: give -f FILE or pipe the data to stdin');
    chunks = () => process.stdin;
  }
  if (keep) {
    // read once, kept: later reads replay it
    const kept: Buffer[] = [];
    let first: AsyncIterable<Buffer> | Iterable<Buffer> | undefined = chunks();
    repeatable = true;
    chunks = () => {
      if (first === undefined) return kept;
      const source = first;
      first = undefined;
      return (async function* () {
        for await (const chunk of source) {
          kept.push(chunk as Buffer);
          yield chunk as Buffer;
        }
      })();
    };
  } else {
    let used = false;
    const once = chunks;
    chunks = () => {
      if (used) throw new Error('this input can be read only once');
      used = true;
      return once();
    };
  }
  return { read: () => decode(chunks()), repeatable, close };
}

/** Reads a regular file from its start (positioned reads on the open file), mapping read errors to a line naming it. */
async function* readFrom(file: string, handle: FileHandle): AsyncGenerator<string, void, undefined> {
  try {
    yield* decode(handle.createReadStream({ start: 0, autoClose: false, highWaterMark: PIECE_BYTES }) as AsyncIterable<Buffer>);
  } catch (error) {
    throw readFailure(file, error);
  }
}

/** A progress indicator; a no-op unless {@link showProgress} allows it. */
export interface Progress {
  start(total: number): void;
  /** Changes the total (a restore learns it as it reads). */
  setTotal(total: number): void;
  increment(by: number): void;
  stop(): void;
}

/** What decides whether a progress bar may be drawn (see {@link showProgress}). */
export interface ProgressSituation {
  /** Not turned off with `--no-progress`. */
  enabled: boolean;
  /** stderr is a terminal. */
  stderrIsTerminal: boolean;
  /** The command writes its data to stdout (backup without `-f`, `snapshot save -`). */
  dataOnStdout: boolean;
  /** stdout and stderr are the same file, pipe or terminal. */
  stdoutIsStderr: boolean;
}

/**
 * Whether to draw a progress bar: only on a terminal stderr, and never where the data goes (a backup
 * printed on the same terminal would get the bar's escape codes in the middle of its JSON).
 */
export function showProgress({ enabled, stderrIsTerminal, dataOnStdout, stdoutIsStderr }: ProgressSituation): boolean {
  return enabled && stderrIsTerminal && !(dataOnStdout && stdoutIsStderr);
}

/** Whether file descriptors 1 and 2 are the same file, pipe or terminal. */
function stdoutIsStderr(): boolean {
  try {
    const [out, err] = [fstatSync(1), fstatSync(2)];
    return out.dev === err.dev && out.ino === err.ino && out.rdev === err.rdev;
  } catch {
    return true; // cannot tell: assume the worst (no bar)
  }
}

/** Options of {@link progress}. */
export interface ProgressOptions {
  /** False for `--no-progress`. @default true */
  enabled?: boolean | undefined;
  /** The command's data goes to stdout. @default false */
  dataOnStdout?: boolean | undefined;
}

/** {@link showProgress} for this process's stderr and stdout. */
export function progressAllowed({ enabled = true, dataOnStdout = false }: ProgressOptions = {}): boolean {
  return showProgress({
    enabled,
    stderrIsTerminal: process.stderr.isTTY === true,
    dataOnStdout,
    stdoutIsStderr: dataOnStdout && stdoutIsStderr(),
  });
}

/** A progress bar on stderr for long operations, drawn only when {@link progressAllowed}. */
export function progress(label: string, options: ProgressOptions = {}): Progress {
  if (!progressAllowed(options)) return { start() {}, setTotal() {}, increment() {}, stop() {} };
  const bar = new (cliProgress().SingleBar)({
    stream: process.stderr,
    format: `${label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 50,
  });
  let started = false;
  // a total not known yet (0: a streamed restore counts as it reads): drawn from the first total, not as "100% | 0/0"
  let pending = false;
  return {
    start(total) {
      if (total === 0) {
        pending = true;
        return;
      }
      bar.start(total, 0);
      started = true;
    },
    setTotal(total) {
      if (started) bar.setTotal(total);
      else if (pending && total > 0) {
        bar.start(total, 0);
        started = true;
        pending = false;
      }
    },
    increment(by) {
      if (started) bar.increment(by);
    },
    stop() {
      if (started) bar.stop();
      started = false;
      pending = false;
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
