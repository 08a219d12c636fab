// consulate run_once and consulate lock: exclusivity, -i, signals, exit statuses, interop with consul lock.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { getBytes, getRecord } from '../../src/endpoints/kv.ts';
import { list as sessions } from '../../src/endpoints/session.ts';
import { testClient, uniquePrefix } from '../support/client.ts';
import { cleanup, cli, prepare, start } from './run.ts';

const client = testClient();
const dir = mkdtempSync(join(tmpdir(), 'consulate-cli-locks-'));
let counter = 0;
beforeAll(prepare);
afterAll(cleanup);

/** A shell command that prints `holding`, then waits until the returned release file exists. */
function holdUntilReleased(exitCode = 0): { script: string; release(): void } {
  const file = join(dir, `release-${counter++}`);
  return {
    script: `echo holding; while [ ! -f ${file} ]; do sleep 0.05; done; echo released; exit ${exitCode}`,
    release: () => writeFileSync(file, ''),
  };
}

/** Whether a process is running (a zombie, dead but not reaped by an init that does not reap, is not). */
function alive(pid: number): boolean {
  if (existsSync('/proc/self/stat')) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Background processes the tests started, killed after each test in case the CLI left them running. */
const leftovers: number[] = [];
afterEach(() => {
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
});

/** Starts a command whose shell writes the pid of a background job to a file, then prints `holding`; returns that pid. */
async function startWithBackgroundJob(args: string[], pidfile: string): Promise<{ child: ReturnType<typeof start>; pid: number }> {
  const child = start(args);
  await child.waitFor(/holding/);
  const pid = Number(readFileSync(pidfile, 'utf8').trim());
  leftovers.push(pid);
  expect(alive(pid)).toBe(true);
  return { child, pid };
}

/** Waits (blocking queries from `index`) until `key` is not held, and says whether `pid` was still running at that moment. */
async function aliveWhenReleased(key: string, index: bigint | undefined, pid: number): Promise<boolean> {
  for (;;) {
    const { data, meta } = await getRecord(client, key, { ...(index === undefined ? {} : { index }), wait: '10s' });
    if (data?.Session === undefined) return alive(pid);
    index = meta.index;
  }
}

async function sessionsNamed(pattern: RegExp): Promise<number> {
  return (await sessions(client)).data.filter((s) => pattern.test(s.Name)).length;
}

describe('run_once', () => {
  it('runs at most one at a time: a second concurrent run exits 2 without running; the first returns its command\'s status', async () => {
    const lock = `${uniquePrefix('cli-run-once')}job`;
    const hold = holdUntilReleased(3);
    const first = start(['run_once', lock, '--', 'sh', '-c', hold.script]);
    await first.waitFor(/holding/);
    const second = await cli(['run_once', lock, '--', 'sh', '-c', 'echo second ran']);
    expect(second.code).toBe(2);
    expect(second.stdout).not.toContain('second ran');
    expect(second.stderr).toMatch(/is held by session .*not running the command/);
    hold.release();
    const result = await first.done;
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('holding\nreleased\n');
    // released and its session destroyed
    expect((await getRecord(client, lock)).data?.Session).toBeUndefined();
    expect(await sessionsNamed(/run_once/)).toBe(0);
    // free again: runs (one argument is run by the shell)
    const third = await cli(['run_once', lock, 'echo "$((40 + 2))"']);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toBe('42\n');
  });

  it('-i skips (exit 0) while the last successful run is recent, and records only successful runs', async () => {
    const lock = `${uniquePrefix('cli-interval')}job`;
    const failed = await cli(['run_once', '-i', '3600', lock, '--', 'sh', '-c', 'echo failing; exit 1']);
    expect(failed.code).toBe(1);
    expect((await getBytes(client, `${lock}_last_run`)).data).toBeUndefined();
    const ran = await cli(['run_once', '-i', '3600', lock, '--', 'echo', 'ran']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toBe('ran\n');
    const stamp = Number(Buffer.from((await getBytes(client, `${lock}_last_run`)).data!).toString());
    expect(Math.abs(stamp - Date.now() / 1000)).toBeLessThan(600);
    const skipped = await cli(['run_once', '-i', '3600', lock, '--', 'echo', 'ran again']);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toBe('');
    expect(skipped.stderr).toMatch(/last run happened fewer than 3600 seconds ago/);
  });

  it('forwards SIGTERM to the command, returns its status and releases the lock', async () => {
    const lock = `${uniquePrefix('cli-signal')}job`;
    const child = start(['run_once', lock, '--', 'sh', '-c', 'trap "echo got TERM; exit 7" TERM; echo holding; while true; do sleep 0.05; done']);
    await child.waitFor(/holding/);
    child.kill('SIGTERM');
    const result = await child.done;
    expect(result.stdout).toBe('holding\ngot TERM\n');
    expect(result.code).toBe(7);
    expect((await getRecord(client, lock)).data?.Session).toBeUndefined();
    expect(await sessionsNamed(/run_once/)).toBe(0);
  });

  it('stops the whole command, not just its shell, when the lock is lost', async () => {
    const lock = `${uniquePrefix('cli-group')}job`;
    const marker = `sleep ${40 + Math.floor(Math.random() * 1000) / 1000}`; // a command line only this test runs
    const child = start(['run_once', lock, '--', `echo holding; ${marker}; echo finished`]);
    await child.waitFor(/holding/);
    const held = (await getRecord(client, lock)).data!;
    await fetch(`${inject('consulAddress')}/v1/session/destroy/${held.Session}`, { method: 'PUT' });
    const result = await child.done;
    expect(result.code).not.toBe(0);
    expect(result.stdout).not.toContain('finished');
    // the shell's own child (the sleep) went with it
    const ps = spawn('pgrep', ['-f', marker]);
    const found = await new Promise<string>((resolve) => {
      let out = '';
      ps.stdout.on('data', (d) => { out += d; });
      ps.on('close', () => resolve(out.trim()));
    });
    expect(found).toBe('');
  });

  it('exits 127 for a command that does not exist, still releasing the lock', async () => {
    const lock = `${uniquePrefix('cli-missing')}job`;
    const result = await cli(['run_once', lock, '--', '/nonexistent/command', 'arg']);
    expect(result.code).toBe(127);
    expect(result.stderr).toMatch(/cannot run "\/nonexistent\/command"/);
    expect((await getRecord(client, lock)).data?.Session).toBeUndefined();
  });
});

describe('the whole command is stopped before the lock is released (process-group sweep)', () => {
  it.each([
    ['lock', 'SIGINT'],
    ['run_once', 'SIGQUIT'],
  ] as const)('%s sent %s: a background job (which ignores it, as shells start them) is gone before the lock is free', async (cmd, signal) => {
    const name = `${uniquePrefix(`cli-sweep-${cmd}`)}job`;
    const key = cmd === 'lock' ? `${name}/.lock` : name;
    const pidfile = join(dir, `pid-${counter++}`);
    const { child, pid } = await startWithBackgroundJob([cmd, name, '--', `sleep 120 >/dev/null 2>&1 & echo $! > ${pidfile}; echo holding; wait`], pidfile);
    const { data, meta } = await getRecord(client, key);
    expect(data?.Session).toBeDefined();
    const released = aliveWhenReleased(key, meta.index, pid);
    child.kill(signal);
    expect(await released).toBe(false);
    const result = await child.done;
    expect(result.code).toBe(128 + constants.signals[signal]);
    expect(alive(pid)).toBe(false);
  });

  it('after the command exits on its own, a group member ignoring SIGTERM is killed (SIGKILL after the grace period) before the lock is released', async () => {
    const lock = `${uniquePrefix('cli-sweep-exit')}job`;
    const pidfile = join(dir, `pid-${counter++}`);
    const release = join(dir, `release-${counter++}`);
    const { child, pid } = await startWithBackgroundJob(
      ['run_once', lock, '--', `(trap '' TERM; exec sleep 120) >/dev/null 2>&1 & echo $! > ${pidfile}; echo holding; while [ ! -f ${release} ]; do sleep 0.05; done; exit 0`],
      pidfile,
    );
    const { meta } = await getRecord(client, lock);
    const released = aliveWhenReleased(lock, meta.index, pid);
    writeFileSync(release, '');
    expect(await released).toBe(false);
    const result = await child.done;
    expect(result.code, result.stderr).toBe(0);
  });

  it('after a lost lock, a group member ignoring SIGTERM is killed too, although the main command died of the SIGTERM', async () => {
    const prefix = `${uniquePrefix('cli-sweep-lost')}svc`;
    const pidfile = join(dir, `pid-${counter++}`);
    const { child, pid } = await startWithBackgroundJob(
      ['lock', prefix, '--', `(trap '' TERM; exec sleep 120) >/dev/null 2>&1 & echo $! > ${pidfile}; echo holding; while :; do sleep 0.05; done`],
      pidfile,
    );
    const held = (await getRecord(client, `${prefix}/.lock`)).data!;
    await fetch(`${inject('consulAddress')}/v1/session/destroy/${held.Session}`, { method: 'PUT' });
    const result = await child.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/lock lost while the command ran/);
    expect(alive(pid)).toBe(false);
  });
});

describe('lock (consul lock interop)', () => {
  const consul = inject('consulBin');
  const env = { ...process.env, CONSUL_HTTP_ADDR: inject('consulAddress') };

  it('is excluded by consul lock on the same prefix, and excludes it', async () => {
    const prefix = `${uniquePrefix('cli-interop')}svc`;
    // consul lock holds PREFIX/.lock: ours cannot take it
    const hold = holdUntilReleased();
    const theirs = spawn(consul, ['lock', prefix, hold.script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve) => theirs.stdout.on('data', (d: Buffer) => String(d).includes('holding') && resolve()));
    const ours = await cli(['lock', '--try', '1s', prefix, '--', 'echo', 'ours ran']);
    expect(ours.code).toBe(2);
    expect(ours.stdout).toBe('');
    hold.release();
    await new Promise((resolve) => theirs.on('close', resolve));

    // ours holds it: consul lock cannot take it
    const hold2 = holdUntilReleased(5);
    const mine = start(['lock', prefix, '--', 'sh', '-c', hold2.script]);
    await mine.waitFor(/holding/);
    const pair = (await getRecord(client, `${prefix}/.lock`)).data!;
    expect(pair.Flags).toBe(0x2ddccbc058a50c18n);
    expect(pair.Session).toBeDefined();
    const blocked = spawn(consul, ['lock', '-try', '1s', prefix, 'echo theirs ran'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let blockedOut = '';
    blocked.stdout.on('data', (d: Buffer) => { blockedOut += String(d); });
    const blockedCode = await new Promise((resolve) => blocked.on('close', resolve));
    expect(blockedCode).not.toBe(0);
    expect(blockedOut).not.toContain('theirs ran');
    hold2.release();
    const result = await mine.done;
    expect(result.code).toBe(5);
    expect((await getRecord(client, `${prefix}/.lock`)).data?.Session).toBeUndefined();
  });

  it('-n takes a semaphore slot like consul lock -n', async () => {
    const prefix = `${uniquePrefix('cli-sem')}pool`;
    const hold = holdUntilReleased();
    const mine = start(['lock', '-n', '1', prefix, '--', 'sh', '-c', hold.script]);
    await mine.waitFor(/holding/);
    const full = spawn(consul, ['lock', '-n', '1', '-try', '1s', prefix, 'echo theirs ran'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    full.stdout.on('data', (d: Buffer) => { out += String(d); });
    expect(await new Promise((resolve) => full.on('close', resolve))).not.toBe(0);
    expect(out).not.toContain('theirs ran');
    hold.release();
    expect((await mine.done).code).toBe(0);
    const free = await cli(['lock', '-n', '1', '--try', '0', prefix, '--', 'echo', 'slot free']);
    expect(free.code, free.stderr).toBe(0);
    expect(free.stdout).toBe('slot free\n');
  });
});
