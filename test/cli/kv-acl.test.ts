// consulate kv … with the tokens operators really have: a token limited to part of a prefix lists
// and reads what Consul's ACL filtering lets it see (like `consul kv export`), and deletes what it
// lists in transaction batches where Consul refuses a recursive delete. A failed restore batch is one
// line on stderr and every per-op error in --report.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClient } from '../../src/index.ts';
import type { Client } from '../../src/index.ts';
import { policyCreate, tokenCreate } from '../../src/endpoints/acl.ts';
import { keys } from '../../src/endpoints/kv.ts';
import { sendTxn } from '../../src/schemas/txn.ts';
import type { Agent } from '../support/agent.mjs';
import { startAgent } from '../support/agent.mjs';
import { cleanup, cli, prepare } from './run.ts';

const MASTER = '5e5a1ee0-0000-4000-8000-00000000ac17';
const dir = mkdtempSync(join(tmpdir(), 'consulate-cli-kv-acl-'));
let agent: Agent;
let admin: Client;

beforeAll(async () => {
  await prepare();
  agent = await startAgent({ name: 'consulate-cli-kv-acl', acl: { masterToken: MASTER } });
  admin = createClient({ address: agent.address, token: MASTER });
});

afterAll(async () => {
  await agent?.stop();
  cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** A token whose only policy is `rules`. */
async function tokenWith(name: string, rules: string): Promise<string> {
  await policyCreate(admin, { Name: name, Rules: rules });
  return (await tokenCreate(admin, { Description: name, Policies: [{ Name: name }] })).data.SecretID;
}

/** Writes keys (value = the key's name) with the master token, 64 per transaction. */
async function put(keyList: string[]): Promise<void> {
  for (let i = 0; i < keyList.length; i += 64) {
    await sendTxn(admin, keyList.slice(i, i + 64).map((Key) => ({ KV: { Verb: 'set', Key, Value: Buffer.from(Key).toString('base64') } })));
  }
}

const run = (args: string[], token: string, input?: string) =>
  cli(args, { address: agent.address, env: { CONSUL_HTTP_TOKEN: token }, ...(input === undefined ? {} : { input }) });

/** `consul kv export` with the same token (the reference behaviour). */
async function consulExport(prefix: string, token: string): Promise<{ key: string; flags: number; value: string }[]> {
  const { stdout } = await promisify(execFile)(inject('consulBin'), ['kv', 'export', prefix], {
    env: { PATH: process.env['PATH'], CONSUL_HTTP_ADDR: agent.address, CONSUL_HTTP_TOKEN: token },
  });
  return JSON.parse(stdout) as { key: string; flags: number; value: string }[];
}

const numbered = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

describe('a token limited to part of a prefix', () => {
  it('backup, ls and get -r list under the prefix and keep what ACL filtering shows, like consul kv export', async () => {
    await put(['P/open', 'P/open/a', 'P/open/b/c', 'P/openx', 'P/other/z']);
    const token = await tokenWith('read-p-open', 'key_prefix "P/open/" { policy = "read" }');
    // the folder key itself is not readable with this token: an exact read is denied
    const exact = await run(['kv', 'get', 'P/open'], token);
    expect(exact.code).toBe(1);
    expect(exact.stderr).toMatch(/403.*Permission denied/);

    const [backupOpen, backupP, ls, getR, exportOpen, exportP] = await Promise.all([
      run(['kv', 'backup', 'P/open'], token),
      run(['kv', 'backup', 'P'], token),
      run(['kv', 'ls', 'P/open'], token),
      run(['kv', 'get', '-r', 'P/open'], token),
      consulExport('P/open', token),
      consulExport('P', token),
    ]);
    for (const result of [backupOpen, backupP, ls, getR]) expect(result.code, result.stderr).toBe(0);
    const visible = ['P/open/a', 'P/open/b/c'];
    expect(exportOpen.map((e) => e.key)).toEqual(visible);
    expect(JSON.parse(backupOpen.stdout)).toEqual(exportOpen);
    expect(JSON.parse(backupP.stdout)).toEqual(exportP);
    expect(ls.stdout).toBe('P/open/a\nP/open/b/c\n');
    expect(getR.stdout).toBe('P/open/a\tP/open/a\nP/open/b/c\tP/open/b/c\n');

    // with the master token the folder key is in (the folder rule), its neighbour P/openx is not
    const all = await run(['kv', 'ls', 'P/open'], MASTER);
    expect(all.stdout).toBe('P/open\nP/open/a\nP/open/b/c\n');
  });

  it('rm -r deletes the keys it may see in transaction batches where Consul refuses a recursive delete', async () => {
    const inside = numbered('W/open/', 150);
    await put(['W/open', ...inside, 'W/other/keep']);
    const token = await tokenWith('write-w-open', 'key_prefix "W/open/" { policy = "write" }');
    // Consul's own answer to a recursive delete above the token's prefix
    const denied = await fetch(`${agent.address}/v1/kv/W?recurse`, { method: 'DELETE', headers: { 'X-Consul-Token': token } });
    expect(denied.status).toBe(403);

    const result = await run(['kv', 'rm', '-r', 'W'], token);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/removed 150 keys in 3 transaction batches/);
    expect((await keys(admin, 'W')).data).toEqual(['W/open', 'W/other/keep']);

    // nothing visible: nothing to do, exit 0
    const again = await run(['kv', 'rm', '-r', 'W/open'], token);
    expect(again.code, again.stderr).toBe(0);
    expect((await keys(admin, 'W')).data).toEqual(['W/open', 'W/other/keep']);
  });

  it('rm -r in batches reports a refused batch like restore and exits 1', async () => {
    const [readOnly, writable] = [numbered('Q/r/', 10), numbered('Q/w/', 100)];
    await put([...readOnly, ...writable]);
    const token = await tokenWith('rm-q', 'key_prefix "Q/" { policy = "read" }\nkey_prefix "Q/w/" { policy = "write" }');
    const report = join(dir, 'rm.json');
    const result = await run(['kv', 'rm', '-r', 'Q', '--report', report], token);
    expect(result.code).toBe(1);
    // batch 1 (Q/r/000 … Q/w/053) is refused whole; batch 2 (Q/w/054 … Q/w/099) was sent with it and applied
    const removed = [...result.stderr.matchAll(/^consulate: removed (".*")$/gm)].map((m) => JSON.parse(m[1]!) as string);
    expect(removed).toEqual(writable.slice(54));
    expect(result.stderr).toContain(
      'consulate: batch 1 was not applied (64 keys, "Q/r/000" … "Q/w/053"): "Q/r/000": Permission denied (10 errors, all listed in the --report file)\n',
    );
    expect(result.stderr).toMatch(/remove incomplete: 46 keys removed .* 64 in failed batches, 0 not attempted/);
    expect(result.stderr).toMatch(/consulate: error: rm failed: batch 1: "Q\/r\/000": Permission denied\n$/);
    const written = JSON.parse(readFileSync(report, 'utf8')) as { removed: string[]; failed: { errors: { key: string }[] }[] };
    expect(written.removed).toEqual(writable.slice(54));
    expect(written.failed[0]!.errors.map((e) => e.key)).toEqual(readOnly);
    expect((await keys(admin, 'Q/')).data).toEqual([...readOnly, ...writable.slice(0, 54)]);
  });

  it('rm -r with a token that may delete the whole prefix is still one transaction', async () => {
    await put(['V/a', 'V/a/1', 'V/a/2', 'V/ab']);
    const result = await run(['kv', 'rm', '-r', 'V/a'], MASTER);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect((await keys(admin, 'V')).data).toEqual(['V/ab']);
  });

  it('restore --prune lists what the token sees and deletes the extra keys in batches', async () => {
    const old = numbered('R/open/old/', 70);
    await put(['R/open', ...old, 'R/open/keep', 'R/other/z']);
    const token = await tokenWith('write-r-open', 'key_prefix "R/open/" { policy = "write" }');
    const backup = JSON.stringify(['R/open/keep', 'R/open/new'].map((key) => ({ key, flags: 0, value: Buffer.from(key).toString('base64') })));
    const report = join(dir, 'prune.json');
    // 70 of the 71 keys the token sees under R/open: more than half, so it takes --force
    const result = await run(['kv', 'restore', 'R/open', '--prune', '--force', '--report', report], token, backup);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/restored 2 keys .*, 70 pruned/);
    expect((await keys(admin, 'R')).data).toEqual(['R/open', 'R/open/keep', 'R/open/new', 'R/other/z']);
    expect((JSON.parse(readFileSync(report, 'utf8')) as { pruned: string[] }).pruned).toEqual(old);
  });
});

describe('kv restore failure lines', () => {
  it('prints one line per failed batch (number, count, key range, first reason) and every op error in --report', async () => {
    // X/a/ and X/c/ writable, X/b/ not: batch 2 (64 keys of X/b/) is refused with 64 errors (a 409 of several KB)
    const token = await tokenWith('write-x-a-c', 'key_prefix "X/a/" { policy = "write" }\nkey_prefix "X/c/" { policy = "write" }');
    const [a, b, c] = [numbered('X/a/', 64), numbered('X/b/', 64), numbered('X/c/', 10)];
    const backup = JSON.stringify([...a, ...b, ...c].map((key) => ({ key, flags: 0, value: '' })));
    const report = join(dir, 'failed.json');
    const result = await run(['kv', 'restore', 'X', '-c', '1', '--report', report], token, backup);
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.every((line) => line.startsWith('consulate: ')), result.stderr).toBe(true);
    expect(result.stderr).not.toContain('OpIndex');
    const batchLines = lines.filter((line) => line.startsWith('consulate: batch 2 '));
    expect(batchLines).toEqual([
      'consulate: batch 2 was not applied (64 keys, "X/b/000" … "X/b/063"): "X/b/000": Permission denied (64 errors, all listed in the --report file)',
    ]);
    expect(result.stderr).toMatch(/restore incomplete: 64 keys applied .* 64 in failed batches, 10 not attempted/);
    expect(lines.at(-1)).toBe('consulate: error: restore failed: batch 2: "X/b/000": Permission denied');
    const written = JSON.parse(readFileSync(report, 'utf8')) as { failed: { batch: number; keys: string[]; error: string; errors: { OpIndex: number; key: string; What: string }[] }[] };
    expect(written.failed).toHaveLength(1);
    expect(written.failed[0]!.keys).toEqual(b);
    expect(written.failed[0]!.error).toBe('"X/b/000": Permission denied');
    expect(written.failed[0]!.errors).toEqual(b.map((key, OpIndex) => ({ OpIndex, key, What: 'Permission denied' })));
    expect((await keys(admin, 'X/')).data).toEqual(a);
  });
});
