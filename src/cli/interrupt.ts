/// <reference types="node" />
/**
 * How the batch-writing KV commands (`kv restore`, `kv rm -r`, `kv sync`, `kv cp`, `kv mv`) take an
 * interrupt: the first SIGINT/SIGTERM lets the work in flight finish and the report be written; a second
 * one quits at once.
 * @module
 */
import { warn } from './io.ts';

/**
 * Runs `fn` with a signal aborted by the first SIGINT/SIGTERM (what is in flight finishes); a second one
 * exits with status 130 at once.
 * @param inFlight what is left to finish, for the warning: `the batches in flight`, `the batch in flight`.
 */
export async function interruptible<T>(inFlight: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130); // a second interrupt: quit now
    warn(`interrupted: finishing ${inFlight}, then reporting (interrupt again to quit at once)`);
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
