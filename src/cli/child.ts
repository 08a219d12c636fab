/// <reference types="node" />
/**
 * Running the command of `run_once`, `lock` and `watch` handlers: its stdout/stderr are inherited (so
 * they stream live), SIGINT/SIGTERM/SIGHUP/SIGQUIT received by consulate are forwarded to it, and
 * its exit status becomes consulate's (128 + signal number when it died from a signal, 127 when it
 * cannot be found, 126 when it cannot be executed).
 *
 * By default a single argument is run by `/bin/sh -c` (like consulate's `run_once` and `consul lock`,
 * so `"cmd args | other"` works) and several arguments are executed directly, without a shell;
 * `shell: true` runs the arguments joined by spaces through `/bin/sh -c` (`consul lock`'s default),
 * `shell: false` always executes them directly (`consul lock -shell=false`).
 *
 * Without a terminal the command runs in its own process group, and with `sweep` (`run_once`, `lock`)
 * nothing of that group outlives it: once the main process has ended — on its own, after a forwarded
 * signal, or stopped because the lock was lost — any member still running (a background job, which a
 * shell starts ignoring SIGINT and SIGQUIT; a process ignoring SIGTERM) gets SIGTERM, then SIGKILL after
 * the grace period, and `runChild` resolves only once the group is gone. A process that leaves the
 * group (`setsid`, a daemon that detaches) escapes the sweep. With a terminal the command shares the
 * terminal's foreground group (so that it can read the terminal and Ctrl-C reaches all of it) and is
 * not swept.
 * @module
 */
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { sleep } from '../core/async.ts';
import { CliError } from './io.ts';

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/** Options of {@link runChild}. */
export interface ChildOptions {
  /** When this fires (e.g. the lock was lost), the child gets SIGTERM, then SIGKILL after `killAfterMs`. */
  stop?: AbortSignal | undefined;
  /** Grace period between SIGTERM and SIGKILL. @default 5000 */
  killAfterMs?: number | undefined;
  /** Data written to the child's stdin (then closed); otherwise see `passStdin`. */
  input?: string | Uint8Array | undefined;
  /** Without `input`: the child reads consulate's stdin (`true`), or `/dev/null` (`false`, `consul lock` without `-pass-stdin`). @default true */
  passStdin?: boolean | undefined;
  /** How the arguments are run: see the module documentation. @default undefined (one argument: a shell; several: directly) */
  shell?: boolean | undefined;
  /** Extra environment variables. */
  env?: Record<string, string> | undefined;
  /**
   * Before resolving, stop whatever is left of the command's process group, whatever the main process
   * did: SIGTERM, then SIGKILL `killAfterMs` after the first SIGTERM (see the module documentation).
   * Only without a terminal, where the command has its own group. @default false
   */
  sweep?: boolean | undefined;
}

/** Whether `pgid`'s group has a member that is not a zombie (`kill` reaches zombies that an init which does not reap keeps). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true; // no /proc: trust kill()
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (comm) state ppid pgrp …"; comm may contain spaces and parentheses
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (pgrp === String(pgid) && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

/**
 * Stops every process left in the group `pgid`: SIGTERM (unless `termSent`), SIGKILL at `killAt` if
 * some are still running, then waits briefly for them to go.
 */
async function sweepGroup(pgid: number, killAt: number, termSent: boolean): Promise<void> {
  const send = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pgid, signal);
    } catch {
      // gone
    }
  };
  if (!groupAlive(pgid)) return;
  if (!termSent) send('SIGTERM');
  while (Date.now() < killAt) {
    await sleep(Math.min(25, Math.max(1, killAt - Date.now())));
    if (!groupAlive(pgid)) return;
  }
  send('SIGKILL');
  const giveUp = Date.now() + 2000;
  while (groupAlive(pgid) && Date.now() < giveUp) await sleep(10);
}

/** How a child ended. */
export interface ChildExit {
  /** Exit status as a shell reports it (128 + n for signal n). */
  status: number;
  /** The signal that ended it, if any. */
  signal: NodeJS.Signals | null;
}

/**
 * The argv actually executed for a command given as arguments: with `shell` undefined, one argument
 * through `/bin/sh -c` and several directly; `true`: all of them joined by spaces through `/bin/sh -c`
 * (as `consul lock` does, though it takes `$SHELL`: a login shell such as fish would change what the
 * command means); `false`: directly.
 */
export function commandLine(given: readonly string[], shell?: boolean): [string, string[]] {
  // commander passes the `--` through when it follows the first operand
  const args = given[0] === '--' ? given.slice(1) : given;
  if (args.length === 0) throw new CliError('no command given (put it after the arguments, e.g. -- ./job.sh)', 2);
  if (shell === true || (shell === undefined && args.length === 1)) return ['/bin/sh', ['-c', args.join(' ')]];
  return [args[0]!, args.slice(1)];
}

/** Runs a command to completion (see the module documentation). */
export function runChild(args: readonly string[], options: ChildOptions = {}): Promise<ChildExit> {
  const [file, argv] = commandLine(args, options.shell);
  const stdin = options.input !== undefined ? 'pipe' : options.passStdin === false ? 'ignore' : 'inherit';
  const stdio: StdioOptions = [stdin, 'inherit', 'inherit'];
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    // Without a terminal (cron, CI, a supervisor) the child gets its own process group, and signals go to
    // the whole group: `sh -c 'a; b'` must not leave `a` running after the lock is released. With a
    // terminal the child stays in the foreground group, so that it can read the terminal and Ctrl-C
    // reaches all of it.
    const group = process.platform !== 'win32' && !process.stdin.isTTY;
    try {
      child = spawn(file, argv, { stdio, env: options.env ? { ...process.env, ...options.env } : process.env, detached: group });
    } catch (error) {
      reject(error);
      return;
    }
    const signalChild = (signal: NodeJS.Signals): void => {
      try {
        if (group && child.pid !== undefined) process.kill(-child.pid, signal);
        else child.kill(signal);
      } catch {
        // already gone
      }
    };
    const forward = (signal: NodeJS.Signals): void => {
      if (signal === 'SIGTERM' && group) termSentAt ??= Date.now();
      signalChild(signal);
    };
    const handlers = FORWARDED.map((signal) => {
      const handler = (): void => forward(signal);
      process.on(signal, handler);
      return [signal, handler] as const;
    });
    const grace = options.killAfterMs ?? 5000;
    let killTimer: NodeJS.Timeout | undefined;
    // when the group got its first SIGTERM: the SIGKILL is due `grace` later, whatever the main process does
    let termSentAt: number | undefined;
    const onStop = (): void => {
      termSentAt ??= Date.now();
      signalChild('SIGTERM');
      killTimer = setTimeout(() => signalChild('SIGKILL'), grace);
      killTimer.unref();
    };
    if (options.stop?.aborted) onStop();
    else options.stop?.addEventListener('abort', onStop, { once: true });
    const cleanup = (): void => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
      options.stop?.removeEventListener('abort', onStop);
      if (killTimer) clearTimeout(killTimer);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      cleanup();
      const status = error.code === 'ENOENT' ? 127 : error.code === 'EACCES' ? 126 : 1;
      // `lock job "echo x" --try 0`: the option after the command made it two arguments, run directly
      const reason =
        error.code === 'ENOENT'
          ? 'no such program (a single argument runs through /bin/sh; several run directly; use --shell' +
            `${/\s/.test(file) ? '; options after the command are its own arguments: give consulate\'s options before the command' : ''})`
          : error.code === 'EACCES'
            ? 'permission denied (is it executable?)'
            : error.message;
      reject(new CliError(`cannot run ${JSON.stringify(file)}: ${reason}`, status));
    });
    child.once('close', (code, signal) => {
      const exit: ChildExit = { status: code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0), signal };
      if (!(options.sweep && group && child.pid !== undefined)) {
        cleanup();
        resolve(exit);
        return;
      }
      // signals keep being forwarded to what is left of the group while it is swept
      if (killTimer) clearTimeout(killTimer);
      const now = Date.now();
      void sweepGroup(child.pid, termSentAt === undefined ? now + grace : termSentAt + grace, termSentAt !== undefined)
        .catch(() => undefined)
        .then(() => {
          cleanup();
          resolve(exit);
        });
    });
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {}); // the child may exit without reading its input
      child.stdin.end(options.input);
    }
  });
}
