/// <reference types="node" />
/**
 * A list of key names that may grow to millions (the keys a restore applied, for its report) in
 * bounded memory: beyond {@link SPILL_KEYS} keys, they are moved to a temporary file, created mode
 * 0600 and removed from the directory as soon as it is open (nothing is left behind, even if the
 * process is killed), and read back only when the list is iterated (a failure report, `--report`).
 *
 * The keys are moved out often (every ~1,000), not once a large number has gathered: keys held for
 * long outlive V8's young-generation collections, are copied into the old generation and die there,
 * which grew a long restore's peak memory (bench/restore.mjs) by more than they weigh.
 * If no temporary file can be created, the keys stay in memory (said once on stderr).
 * @module
 */
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeError, warn } from './io.ts';

/** Keys kept in memory before they are moved to the file (16 batches of 64: a ~30 KiB write). */
const SPILL_KEYS = 1024;

/** An append-only list of keys; iterate it, or `JSON.stringify` it (as an array). */
export class KeyLog implements Iterable<string> {
  /** Batches of keys not moved to the file yet. */
  private batches: (readonly string[])[] = [];
  private held = 0;
  private fd: number | undefined;
  /** Bytes written to the file. */
  private written = 0;
  /** The file's name, when it could not be removed while open (Windows). */
  private path: string | undefined;
  /** No temporary file could be created: every key stays in memory. */
  private inMemory = false;
  /** How many keys the list holds. */
  length = 0;

  /** Appends keys. */
  add(keys: readonly string[]): void {
    if (keys.length === 0) return;
    this.batches.push(keys);
    this.held += keys.length;
    this.length += keys.length;
    if (this.held > SPILL_KEYS && !this.inMemory) this.spill();
  }

  private spill(): void {
    if (this.fd === undefined) {
      const path = join(tmpdir(), `consulate-keys-${process.pid}-${process.getBuiltinModule('node:crypto').randomBytes(6).toString('hex')}`);
      try {
        this.fd = openSync(path, 'wx+', 0o600);
      } catch (error) {
        this.inMemory = true;
        warn(`cannot create a temporary file for the list of restored keys (${describeError(error)}): keeping it in memory`);
        return;
      }
      try {
        unlinkSync(path);
      } catch {
        this.path = path; // removed by close()
      }
    }
    // one JSON array per line: JSON never has a raw newline
    const text = `${this.batches.map((keys) => JSON.stringify(keys)).join('\n')}\n`;
    this.written += writeSync(this.fd, text, this.written);
    this.batches = [];
    this.held = 0;
  }

  *[Symbol.iterator](): Iterator<string> {
    if (this.fd !== undefined) {
      const buffer = Buffer.alloc(1 << 20);
      let rest = '';
      const decoder = new TextDecoder();
      for (let at = 0; at < this.written; ) {
        const n = readSync(this.fd, buffer, 0, buffer.length, at);
        if (n === 0) break;
        at += n;
        const lines = (rest + decoder.decode(buffer.subarray(0, n), { stream: true })).split('\n');
        rest = lines.pop()!;
        for (const line of lines) yield* JSON.parse(line) as string[];
      }
    }
    for (const keys of this.batches) yield* keys;
  }

  /** The keys as an array (for `JSON.stringify`). */
  toJSON(): string[] {
    return [...this];
  }

  /** Releases the file. */
  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    if (this.path !== undefined) {
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
    }
  }
}
