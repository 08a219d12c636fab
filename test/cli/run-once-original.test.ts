// consulate run_once next to the Python consulate's run_once on the same lock name (issue 10): the
// original locks the key LOCK with a session and flags 0 (test/support/original-lock.ts drives it
// request for request); the two must exclude each other, and a key whose holder is gone must not block.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getRecord } from '../../src/endpoints/kv.ts';
import { read as readSession } from '../../src/endpoints/session.ts';
import { raw, testClient, uniquePrefix } from '../support/client.ts';
import { originalLock } from '../support/original-lock.ts';
import { cleanup, cli, prepare, start } from './run.ts';

const client = testClient();
const dir = mkdtempSync(join(tmpdir(), 'consulate-run-once-original-'));
let counter = 0;
beforeAll(prepare);
afterAll(cleanup);

/** A lock name no other test uses (the original's run_once takes any name; the key is the name itself). */
const lockName = (name: string): string => `${uniquePrefix(name)}job`;

/** A key that exists with the original's flags (0) and no holder. */
function expectUnheld(pair: { Flags: bigint; Session?: string | undefined } | undefined): void {
  expect(pair?.Flags).toBe(0n);
  expect(pair?.Session).toBeUndefined();
}

/** A shell command that prints `holding`, then waits until the returned release file exists. */
function holdUntilReleased(): { script: string; release(): void } {
  const file = join(dir, `release-${counter++}`);
  return { script: `echo holding; while [ ! -f ${file} ]; do sleep 0.05; done; echo released`, release: () => writeFileSync(file, '') };
}

describe('run_once and the original consulate run_once on the same lock', () => {
  it('the original locks the key LOCK itself (its "//LOCK" is moved there by Consul) with flags 0', async () => {
    const name = lockName('orig-format');
    const theirs = originalLock(inject('consulAddress'), '');
    expect(await theirs.acquire(name)).toBe(true);
    expect(theirs.item).toBe(`/${name}`);
    const pair = (await getRecord(client, name)).data!;
    expect(pair).toMatchObject({ Key: name, Flags: 0n, Session: theirs.session });
    expect((await readSession(client, theirs.session!)).data).toMatchObject({ Name: '', TTL: '', Behavior: 'release' });
    await theirs.release();
    expect((await getRecord(client, name)).data).toBeUndefined();
  });

  it('(a) ours exits 2 without running while the original holds the lock, and runs once it is released', async () => {
    const name = lockName('orig-holds');
    const theirs = originalLock(inject('consulAddress'), '');
    expect(await theirs.acquire(name)).toBe(true);
    const blocked = await cli(['run_once', name, '--', 'echo', 'ours ran']);
    expect(blocked.code).toBe(2);
    expect(blocked.stdout).toBe('');
    expect(blocked.stderr).toContain(`is held by session ${theirs.session}; not running the command`);
    // theirs is untouched
    expect((await getRecord(client, name)).data).toMatchObject({ Flags: 0n, Session: theirs.session });
    await theirs.release();
    const ran = await cli(['run_once', name, '--', 'echo', 'ours ran']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toBe('ours ran\n');
  });

  it('(b) the original cannot acquire while ours holds the lock, and can once ours is done', async () => {
    const name = lockName('ours-holds');
    const hold = holdUntilReleased();
    const ours = start(['run_once', name, '--', 'sh', '-c', hold.script]);
    await ours.waitFor(/holding/);
    const held = (await getRecord(client, name)).data!;
    expect(held).toMatchObject({ Flags: 0n }); // the original's format
    expect(held.Session).toBeDefined();
    const theirs = originalLock(inject('consulAddress'), '');
    expect(await theirs.acquire(name)).toBe(false); // the original raises LockFailure: exit 2
    expect((await getRecord(client, name)).data?.Session).toBe(held.Session);
    hold.release();
    const result = await ours.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('holding\nreleased\n');
    // ours leaves the key without a session (its LockIndex is the fencing token); the original takes it
    expectUnheld((await getRecord(client, name)).data);
    expect(await theirs.acquire(name)).toBe(true);
    await theirs.release();
  });

  it('(c) a key the original left behind without a holder does not block: it runs', async () => {
    const name = lockName('orig-stale');
    // the original's run killed between its ?release and its DELETE: the key stays, held by nobody
    const theirs = originalLock(inject('consulAddress'), '');
    expect(await theirs.acquire(name)).toBe(true);
    expect((await raw(`/v1/kv/${name}?release=${theirs.session}`, { method: 'PUT' })).status).toBe(200);
    expectUnheld((await getRecord(client, name)).data);
    const ran = await cli(['run_once', name, '--', 'echo', 'ours ran']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toBe('ours ran\n');
    await raw(`/v1/session/destroy/${theirs.session}`, { method: 'PUT' });
  });

  it("(c) after the holder's session is gone, only Consul's lock-delay (15 s, the original's sessions keep the default) holds ours off: exit 2, then it runs", async () => {
    const name = lockName('orig-gone');
    const theirs = originalLock(inject('consulAddress'), '');
    expect(await theirs.acquire(name)).toBe(true);
    // the session ends without a release (its node failed, or it was destroyed): Consul clears the holder
    expect((await raw(`/v1/session/destroy/${theirs.session}`, { method: 'PUT' })).status).toBe(200);
    const gone = Date.now();
    expectUnheld((await getRecord(client, name)).data);
    const during = await cli(['run_once', name, '--', 'echo', 'ours ran']);
    expect(during.code).toBe(2);
    expect(during.stderr).toMatch(/is in its lock-delay; not running the command/);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, gone + 15_500 - Date.now())));
    const after = await cli(['run_once', name, '--', 'echo', 'ours ran']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toBe('ours ran\n');
  }, 60_000);

  it('-i reads and writes LOCK_last_run as the original does (seconds since the epoch, as text)', async () => {
    const name = lockName('orig-interval');
    // the original's run_once stores int(time.time()) through kv.__setitem__: json.dumps(now)
    const now = Math.floor(Date.now() / 1000);
    expect((await raw(`/v1/kv/${name}_last_run?cas=0`, { method: 'PUT', body: JSON.stringify(now) })).status).toBe(200);
    const skipped = await cli(['run_once', '-i', '3600', name, '--', 'echo', 'ours ran']);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toBe('');
    expect(skipped.stderr).toMatch(/last run happened fewer than 3600 seconds ago/);
    // a stamp an hour old: runs, and writes a stamp the original's int(last_run) reads
    await raw(`/v1/kv/${name}_last_run`, { method: 'PUT', body: String(now - 3600) });
    const due = await cli(['run_once', '-i', '60', name, '--', 'echo', 'ours ran']);
    expect(due.code, due.stderr).toBe(0);
    expect(due.stdout).toBe('ours ran\n');
    const stamp = await (await raw(`/v1/kv/${name}_last_run?raw`)).text();
    expect(stamp).toMatch(/^\d+$/);
    expect(Number(stamp)).toBeGreaterThanOrEqual(now);
  });
});
