/// <reference types="node" />
/**
 * `consulate run_once` (consulate's) and `consulate lock` (like `consul lock`): run a command while
 * holding a Consul lock. The lock is released and its session destroyed on every path: success,
 * command failure, a signal (forwarded to the command), or an error — and, without a terminal, only
 * once nothing of the command's process group is left running (background jobs included).
 * @module
 */
import { hostname } from 'node:os';
import { constants } from 'node:os';
import type { Command } from 'commander';
import type { Client } from '../core/client.ts';
import { fromUtf8 } from '../core/encoding.ts';
import { isLockConflictError, isLockHeldError, isLockTimeoutError } from '../core/errors.ts';
import { getBytes, set } from '../endpoints/kv.ts';
import type { HeldLock } from '../recipes/lock.ts';
import { CONSULATE_LOCK_FLAGS, lock } from '../recipes/lock.ts';
import type { HeldSemaphore } from '../recipes/semaphore.ts';
import { semaphore } from '../recipes/semaphore.ts';
import type { ChildOptions } from './child.ts';
import { runChild } from './child.ts';
import { addConnectionOptions, withClient } from './connection.ts';
import type { ExitState } from './io.ts';
import { CliError, EXIT_OK, EXIT_USAGE, nonNegativeInt, positiveInt, usage, warn } from './io.ts';

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/** What --help says about the process-group sweep (see runChild's `sweep`). */
const SWEEP_HELP =
  'Without a terminal the command runs in its own process group, and the lock is released only once nothing of ' +
  'that group is left: after the command ends (or is stopped), remaining processes such as background jobs get ' +
  'SIGTERM, then SIGKILL 5 s later. A process that leaves the group (setsid, a detaching daemon) escapes this and ' +
  'may outlive the lock; with a terminal, the command shares the terminal\'s foreground group and is not swept.';

/**
 * Runs `fn` with a signal that aborts on SIGINT/SIGTERM/SIGHUP/SIGQUIT (so a lock being acquired is given
 * up cleanly); resolves with fn's status, or 128 + the signal's number when interrupted before the
 * command ran.
 */
async function interruptible(fn: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handlers = SIGNALS.map((signal) => {
    const handler = (): void => {
      received ??= signal;
      controller.abort(new CliError(`interrupted by ${signal}`, 128 + (constants.signals[signal] ?? 0)));
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  try {
    return await fn(controller.signal);
  } catch (error) {
    if (received && controller.signal.aborted && !(error instanceof CliError)) throw controller.signal.reason;
    throw error;
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}

/** What --help says about the environment of the command (see {@link lockEnv}). */
const ENV_HELP =
  'The command gets CONSUL_LOCK_SESSION (the session holding the lock), CONSUL_LOCK_KEY (the key that session ' +
  'holds: PREFIX/.lock, or with -n the slot\'s contender key PREFIX/<session>) and, for a lock, CONSUL_LOCK_INDEX ' +
  '(the fencing token: the key\'s LockIndex, larger for every later holder). To make a write that Consul refuses ' +
  'once the lock is lost, send it as a /v1/txn whose first operation is {"KV":{"Verb":"check-session","Key":' +
  '$CONSUL_LOCK_KEY,"Session":$CONSUL_LOCK_SESSION}}.';

/** The environment variables that tell the command which session holds what (its fencing token). */
function lockEnv(held: HeldLock | HeldSemaphore): Record<string, string> {
  const env: Record<string, string> = { CONSUL_LOCK_SESSION: held.session, CONSUL_LOCK_KEY: held.key };
  if ('fencingToken' in held) env['CONSUL_LOCK_INDEX'] = String(held.fencingToken);
  return env;
}

/**
 * Runs the command while `held` is held; stops it when the lock is lost; always releases — and only
 * once nothing of the command's process group is left running (SIGTERM, then SIGKILL after the grace
 * period, to whatever outlived the main process: see `runChild`'s `sweep`).
 */
async function runHolding(
  held: HeldLock | HeldSemaphore,
  args: readonly string[],
  what: string,
  beforeRelease?: (status: number) => Promise<void>,
  how: Pick<ChildOptions, 'shell' | 'passStdin'> = {},
): Promise<number> {
  let status: number;
  try {
    const exit = await runChild(args, { ...how, stop: held.signal, sweep: true, env: lockEnv(held) });
    status = exit.status;
    if (held.signal.aborted) {
      const reason = held.signal.reason as Error | undefined;
      throw new CliError(`${what} lost while the command ran (it was stopped): ${reason?.message ?? 'unknown reason'}`);
    }
    await beforeRelease?.(status);
  } finally {
    await held.release().catch((error: unknown) => warn(`could not release the ${what} cleanly: ${(error as Error).message}`));
  }
  return status;
}

function lockFailure(error: unknown): never {
  if (isLockHeldError(error) || isLockTimeoutError(error)) throw new CliError(`${(error as Error).message}; not running the command`, EXIT_USAGE);
  if (isLockConflictError(error)) throw new CliError((error as Error).message);
  throw error;
}

/**
 * consulate's `run_once`: at most one runner across the cluster; with `interval`, at most one successful run per
 * interval. The lock key is the original's (LOCK itself, flags 0, session-acquired), so a run of the Python
 * consulate's `run_once` and this one exclude each other: held by either, the other exits 2.
 */
async function runOnce(client: Client, key: string, args: readonly string[], interval: number | undefined): Promise<number> {
  return interruptible(async (signal) => {
    let held: HeldLock;
    try {
      held = await lock(client, key, {
        tryOnce: true,
        signal,
        flags: CONSULATE_LOCK_FLAGS,
        sessionName: `consulate run_once on ${hostname()}`,
        value: `${hostname()}:${process.pid}`,
      });
    } catch (error) {
      return lockFailure(error);
    }
    const lastRunKey = `${key}_last_run`;
    if (interval !== undefined) {
      let last: number | undefined;
      try {
        const { data } = await getBytes(client, lastRunKey);
        const text = data === undefined ? '' : fromUtf8(data).trim();
        last = /^\d+$/.test(text) ? Number(text) : undefined;
      } catch (error) {
        await held.release().catch(() => undefined);
        throw error;
      }
      const now = Math.floor(Date.now() / 1000);
      if (last !== undefined && last + interval > now) {
        await held.release();
        warn(`last run happened fewer than ${interval} seconds ago (${now - last} s); not running`);
        return EXIT_OK;
      }
    }
    // a successful run is recorded before the lock is released, so no other runner can start in between
    return runHolding(held, args, 'lock', async (status) => {
      if (status === 0 && interval !== undefined) await set(client, lastRunKey, String(Math.floor(Date.now() / 1000)));
    });
  });
}

/** Registers `run_once` and `lock`. */
export function registerLocks(program: Command, state: ExitState): void {
  addConnectionOptions(
    program
      .command('run_once')
      .alias('run-once')
      .summary('run a command unless another run holds the lock (exit 2 when held)')
      .description(
        'Run a command while holding the Consul lock LOCK (key LOCK), so that at most one runs across the cluster; ' +
          'exits 2 without running when the lock is held. The key is the original consulate\'s (LOCK, flags 0, acquired ' +
          'by a session), so its run_once and this one exclude each other; a key left without a session does not block. ' +
          'Unlike the original, the key is kept after the run (its LockIndex is the fencing token). With -i, also skips (exit 0) when the last successful run, ' +
          'recorded in the key LOCK_last_run (seconds since the epoch), is less than SECONDS ago. The command\'s output ' +
          'streams live, signals are forwarded to it, and its exit status is returned. One argument is run by /bin/sh -c. ' +
          'The command gets CONSUL_LOCK_SESSION, CONSUL_LOCK_KEY (LOCK) and CONSUL_LOCK_INDEX (the fencing token), as with `consulate lock`. ' +
          SWEEP_HELP,
      )
      .argument('<lock>', 'the lock key')
      .argument('<command...>', 'the command and its arguments (after --); options go before LOCK: what follows the command is the command\'s own')
      .option('-i, --interval <seconds>', 'run at most once per this many seconds (successful runs)', positiveInt('--interval'))
      .passThroughOptions(),
  ).action(async (key: string, args: string[], opts: { interval?: number }, command: Command) => {
    await withClient(command, async (client) => {
      state.exitCode = await runOnce(client, key, args, opts.interval);
    });
  });

  addConnectionOptions(
    program
      .command('lock')
      .summary('run a command holding a lock (like consul lock, interoperable)')
      .description(
        'Run a command while holding the lock PREFIX/.lock, compatible with `consul lock PREFIX` (same key, session ' +
          'and flags, so both exclude each other); with -n N, hold one of N slots of a semaphore like `consul lock -n N`. ' +
          'Waits for the lock unless --try is given; exits 2 when it could not be acquired. The command\'s status is returned; ' +
          'if the lock is lost, the command is stopped (SIGTERM, then SIGKILL) and consulate exits 1. ' +
          'The lock is watched with consistent blocking reads, and given up when Consul has not answered them for 2 s (plus 1 s for each --monitor-retry). ' +
          'One argument runs through /bin/sh -c and several run directly, unless --shell or --no-shell says; ' +
          'the command\'s stdin is /dev/null unless --pass-stdin is given (as consul lock). ' +
          ENV_HELP + ' ' + SWEEP_HELP,
      )
      .argument('<prefix>', 'the lock prefix (the key is PREFIX/.lock)')
      .argument('<command...>', 'the command and its arguments (after --); options go before PREFIX: what follows the command is the command\'s own, as in consul lock')
      .option('-n, --limit <n>', 'semaphore: up to N holders at once', positiveInt('-n'))
      .option('--try <duration>', 'give up after this long (a Go duration, e.g. 5s; 0 = try once)')
      .option('--name <name>', 'name of the session')
      .option(
        '--monitor-retry <n>',
        'ride out N more seconds of failed lock-monitor reads (network, 5xx, 429, timeouts) before giving the lock up, on top of the 2 s window ' +
          '(consul lock -monitor-retry, which retries 500s only and defaults to 3; here 0). A longer window lets Consul hand the lock on before the command is stopped',
        nonNegativeInt('--monitor-retry'),
      )
      .option('--shell', 'run the arguments joined by spaces through /bin/sh -c, even several (consul lock\'s default, which uses $SHELL)')
      .option('--no-shell', 'execute the command directly, even a single argument (consul lock -shell=false)')
      .option('--pass-stdin', 'give the command consulate\'s stdin (consul lock -pass-stdin); without it, the command reads /dev/null')
      .passThroughOptions(),
  ).action(async (
    prefix: string,
    args: string[],
    opts: { limit?: number; try?: string; name?: string; monitorRetry?: number; shell?: boolean; passStdin?: boolean },
    command: Command,
  ) => {
    const base = prefix.replace(/\/+$/, '');
    if (base === '') throw usage('the lock prefix must not be empty');
    const wait = opts.try === undefined ? {} : /^0+(?:\.0+)?[a-zµ]*$/.test(opts.try) || opts.try === '0' ? { tryOnce: true } : { wait: opts.try };
    await withClient(command, async (client) => {
      state.exitCode = await interruptible(async (signal) => {
        const common = {
          ...wait,
          signal,
          ...(opts.name ? { sessionName: opts.name } : {}),
          ...(opts.monitorRetry === undefined ? {} : { monitorRetries: opts.monitorRetry }),
        };
        let held: HeldLock | HeldSemaphore;
        try {
          held = opts.limit === undefined
            ? await lock(client, `${base}/.lock`, common)
            : await semaphore(client, base, opts.limit, common);
        } catch (error) {
          return lockFailure(error);
        }
        return runHolding(held, args, opts.limit === undefined ? 'lock' : 'semaphore slot', undefined, {
          passStdin: opts.passStdin === true,
          ...(opts.shell === undefined ? {} : { shell: opts.shell }),
        });
      });
    });
  });
}
