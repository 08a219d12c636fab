// consulate kv restore streams its input: batches are written while stdin is still open (memory does not grow
// with the backup), and an invalid entry found after batches were written stops the restore like a failed
// batch, with exactly what was applied reported.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBytes, keys } from '../../src/endpoints/kv.ts';
import { testClient, uniquePrefix } from '../support/client.ts';
import { cleanup, cliEnvironment, prepare, shellCommand } from './run.ts';

const client = testClient();
beforeAll(prepare);
afterAll(cleanup);

/** Starts the CLI with a stdin the test writes to (and closes) itself. */
function startWithStdin(args: readonly string[]) {
  const child = spawn('sh', ['-c', `exec ${shellCommand(args)}`], { env: cliEnvironment(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += String(d); });
  child.stderr.on('data', (d: Buffer) => { stderr += String(d); });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done, exited: () => child.exitCode !== null || child.signalCode !== null };
}

/** Polls until at least `count` keys exist under `prefix` (or fails after 20 s). */
async function waitForKeys(prefix: string, count: number): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { data } = await keys(client, prefix);
    if (data.length >= count) return data;
    if (Date.now() > deadline) throw new Error(`only ${data.length} of ${count} keys under ${prefix} after 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const entry = (key: string, value: string): string => JSON.stringify({ key, flags: 0, value: Buffer.from(value).toString('base64') });

describe('kv restore streams its input', () => {
  it('writes the first batches while stdin is still open, the rest when it ends', async () => {
    const p = uniquePrefix('cli-stream');
    const names = Array.from({ length: 300 }, (_, i) => `${p}${String(i).padStart(4, '0')}`);
    const run = startWithStdin(['kv', 'restore', p]);
    // 200 entries: three full batches of 64 can be sent; the array is not closed
    run.child.stdin.write(`[\n${names.slice(0, 200).map((k) => entry(k, `v ${k}`)).join(',\n')},\n`);
    const seen = await waitForKeys(p, 192);
    expect(run.exited()).toBe(false); // still reading stdin
    expect(seen).toEqual(names.slice(0, seen.length));
    run.child.stdin.end(`${names.slice(200).map((k) => entry(k, `v ${k}`)).join(',\n')}\n]\n`);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^consulate: restored 300 keys in [\d.]+ s\n$/);
    expect((await keys(client, p)).data).toEqual(names);
    expect(Buffer.from((await getBytes(client, names[299]!)).data!).toString()).toBe(`v ${names[299]}`);
  });

  it('an invalid entry after batches were written stops the restore: in-flight batches finish, exactly the applied keys are reported', async () => {
    const p = uniquePrefix('cli-stream-bad');
    const names = Array.from({ length: 100 }, (_, i) => `${p}${String(i).padStart(3, '0')}`);
    const run = startWithStdin(['kv', 'restore', p, '-c', '1']);
    run.child.stdin.write(`[${names.map((k) => entry(k, 'ok')).join(',')},`);
    await waitForKeys(p, 64); // batch 1 written
    run.child.stdin.end(`{"key":"${p}bad","flags":-1,"value":""}]`);
    const result = await run.done;
    expect(result.code).toBe(1);
    const applied = [...result.stderr.matchAll(/^consulate: applied (".*")$/gm)].map((m) => JSON.parse(m[1]!) as string);
    expect(applied).toEqual(names.slice(0, 64));
    expect(result.stderr).toContain(`consulate: stopped: entry 100 ("${p}bad"): flags must be an integer from 0 to 2^64-1, got -1\n`);
    expect(result.stderr).toMatch(/restore incomplete: 64 keys applied .*, 0 in failed batches, 36 not attempted/);
    expect(result.stderr).toMatch(/consulate: error: restore failed: entry 100 .*flags must be/);
    expect((await keys(client, p)).data).toEqual(names.slice(0, 64));
  });
});
