// Against an ACL-enabled agent: restore failure reporting (a batch refused by ACL), acl backup/restore,
// token flags (never printed).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.ts';
import type { Client } from '../../src/index.ts';
import {
  legacyCreate,
  legacyDelete as legacyDestroy,
  legacyRead as legacyInfo,
  policyCreate,
  policyDelete,
  policyReadByName,
  roleCreate,
  roleDelete,
  roleReadByName,
  tokenCreate,
  tokenDelete,
  tokenRead,
} from '../../src/endpoints/acl.ts';
import { keys } from '../../src/endpoints/kv.ts';
import type { Agent } from '../support/agent.mjs';
import { startAgent } from '../support/agent.mjs';
import { cleanup, cli, prepare } from './run.ts';

const MASTER = '5e5a1ee0-0000-4000-8000-00000000c11a';
const dir = mkdtempSync(join(tmpdir(), 'consulate-cli-acl-'));
let agent: Agent;
let admin: Client;
let writerToken: string;
const masterFile = join(dir, 'master.token');

beforeAll(async () => {
  await prepare();
  agent = await startAgent({ name: 'consulate-cli-acl', acl: { masterToken: MASTER } });
  admin = createClient({ address: agent.address, token: MASTER });
  writeFileSync(masterFile, `${MASTER}\n`);
  // a token that may write only r/a/ and r/c/ (and read everything)
  await policyCreate(admin, {
    Name: 'cli-restore-writer',
    Rules: 'key_prefix "" { policy = "read" }\nkey_prefix "r/a/" { policy = "write" }\nkey_prefix "r/c/" { policy = "write" }',
  });
  writerToken = (await tokenCreate(admin, { Description: 'restore writer', Policies: [{ Name: 'cli-restore-writer' }] })).data.SecretID;
});

afterAll(async () => {
  await agent?.stop();
  cleanup();
});

const run = (args: string[], input?: string) => cli(args, { address: agent.address, ...(input === undefined ? {} : { input }) });

function backupOf(keyList: string[]): string {
  return JSON.stringify(keyList.map((key) => ({ key, flags: 0, value: Buffer.from(key).toString('base64') })));
}

describe('kv restore failure report', () => {
  // sorted: r/a/000…r/a/099 (allowed), r/b/denied (denied), r/c/000…r/c/099 (allowed). With 64 ops per
  // batch, batch 2 (r/a/064…r/c/026) holds the denied key and is refused whole.
  const all = [
    ...Array.from({ length: 100 }, (_, i) => `r/a/${String(i).padStart(3, '0')}`),
    'r/b/denied',
    ...Array.from({ length: 100 }, (_, i) => `r/c/${String(i).padStart(3, '0')}`),
  ];
  const tokenFile = join(dir, 'writer.token');

  it('lists exactly the keys of the batches that committed, and exits 1', async () => {
    writeFileSync(tokenFile, writerToken);
    const report = join(dir, 'report.json');
    const result = await run(['kv', 'restore', 'r', '-c', '1', '--token-file', tokenFile, '--report', report], backupOf(all));
    expect(result.code).toBe(1);
    const applied = [...result.stderr.matchAll(/^consulate: applied (".*")$/gm)].map((m) => JSON.parse(m[1]!) as string);
    expect(applied).toEqual(all.slice(0, 64));
    expect(result.stderr).toMatch(/batch 2 was not applied .*Permission denied/);
    expect(result.stderr).toMatch(/restore incomplete: 64 keys applied .* 64 in failed batches, 73 not attempted/);
    expect(result.stderr).toMatch(/consulate: error: restore failed: .*Permission denied/);
    expect(result.stderr).not.toContain(writerToken);
    const written = JSON.parse(readFileSync(report, 'utf8')) as { applied: string[]; failed: { batch: number; keys: string[] }[]; notAttempted: string[] };
    expect(written.applied).toEqual(all.slice(0, 64));
    expect(written.failed.map((f) => [f.batch, f.keys])).toEqual([[2, all.slice(64, 128)]]);
    expect(written.notAttempted).toEqual(all.slice(128));
    expect((await keys(admin, 'r/')).data).toEqual(all.slice(0, 64));
  });

  it('with batches in flight, the report still matches what Consul holds', async () => {
    const prefix = 'r/';
    const result = await run(['kv', 'restore', prefix, '-c', '4', '--token-file', tokenFile], backupOf(all));
    expect(result.code).toBe(1);
    const applied = [...result.stderr.matchAll(/^consulate: applied (".*")$/gm)].map((m) => JSON.parse(m[1]!) as string);
    // batch 1 was applied in the first run already; whatever else committed now is listed, nothing more
    const present = (await keys(admin, prefix)).data;
    expect(present).toEqual([...new Set([...all.slice(0, 64), ...applied])].sort());
    expect(present).not.toContain('r/b/denied');
    expect(applied.some((k) => k >= 'r/a/064' && k <= 'r/c/026')).toBe(false);
  });
});

describe('acl backup/restore', () => {
  it('backs up policies, roles, tokens (with secrets) and legacy tokens, and restores them idempotently', async () => {
    const policy = (await policyCreate(admin, { Name: 'cli-p1', Description: 'p one', Rules: 'key_prefix "p1/" { policy = "read" }' })).data;
    const role = (await roleCreate(admin, { Name: 'cli-r1', Description: 'r one', Policies: [{ Name: 'cli-p1' }] })).data;
    const accessor = '0a0a0a0a-1111-4222-8333-444455556666';
    const secret = '0b0b0b0b-1111-4222-8333-444455556666';
    await tokenCreate(admin, { AccessorID: accessor, SecretID: secret, Description: 'cli token', Policies: [{ Name: 'cli-p1' }], Roles: [{ Name: 'cli-r1' }] });
    const legacyId = (await legacyCreate(admin, { Name: 'cli legacy', Type: 'client', Rules: 'key "" { policy = "read" }' })).data;

    const file = join(dir, 'acl.json');
    const backup = await run(['acl', 'backup', '-f', file, '-p', '--token-file', masterFile]);
    expect(backup.code, backup.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { policies: { Name: string }[]; roles: { Name: string }[]; tokens: { AccessorID: string; SecretID: string }[]; legacy: { ID: string }[] };
    expect(doc.policies.map((p) => p.Name)).toContain('cli-p1');
    expect(doc.roles.map((r) => r.Name)).toContain('cli-r1');
    expect(doc.tokens.find((t) => t.AccessorID === accessor)?.SecretID).toBe(secret);
    expect(doc.legacy.map((t) => t.ID)).toContain(legacyId);

    await tokenDelete(admin, accessor);
    await roleDelete(admin, role.ID);
    await policyDelete(admin, policy.ID);
    await legacyDestroy(admin, legacyId);
    expect((await legacyInfo(admin, legacyId)).data).toBeUndefined();

    const first = await run(['acl', 'restore', '-f', file, '--token-file', masterFile]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/policies: 1 created/);
    expect(first.stderr).toMatch(/roles: 1 created/);
    expect(first.stderr).toMatch(/tokens: 1 created/);
    const restored = (await tokenRead(admin, accessor)).data!;
    expect(restored.SecretID).toBe(secret);
    expect(restored.Description).toBe('cli token');
    expect(restored.Policies?.map((p) => p.Name)).toEqual(['cli-p1']);
    expect(restored.Roles?.map((r) => r.Name)).toEqual(['cli-r1']);
    expect((await policyReadByName(admin, 'cli-p1')).data?.Rules).toBe('key_prefix "p1/" { policy = "read" }');
    expect((await roleReadByName(admin, 'cli-r1')).data?.Policies?.map((p) => p.Name)).toEqual(['cli-p1']);
    expect(first.stderr).toMatch(/legacy: 1 created/);
    expect((await legacyInfo(admin, legacyId)).data).toMatchObject({ Name: 'cli legacy', Type: 'client', Rules: 'key "" { policy = "read" }' });

    // again: everything exists, so everything is updated and nothing duplicated
    const second = await run(['acl', 'restore', '-f', file, '--token-file', masterFile]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/policies: 0 created/);
    expect(second.stderr).toMatch(/roles: 0 created, 1 updated/);
    expect(second.stderr).toMatch(/tokens: 0 created/);
    expect(second.stderr).toMatch(/legacy: 0 created/);
  });

  it('fails with exit 1 without a token, and for a file that is not an ACL backup', async () => {
    const [denied, bad] = await Promise.all([run(['acl', 'backup']), run(['acl', 'restore', '--token-file', masterFile], '[1,2,3]')]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^consulate: error: .*403/);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not an ACL backup/);
  });
});

describe('tokens on the command line', () => {
  it('--token works with a warning on stderr; a wrong token fails without printing it', async () => {
    const wrong = 'deadbeef-0000-4000-8000-0000000bad00';
    const [withToken, withWrong] = await Promise.all([
      run(['kv', 'set', 'tok/ok', 'v', '--token', MASTER]),
      run(['kv', 'get', 'tok/ok', '--token', wrong]),
    ]);
    expect(withToken.code, withToken.stderr).toBe(0);
    expect(withToken.stderr).toMatch(/warning: --token is visible to other users/);
    expect(withWrong.code).toBe(1);
    expect(withWrong.stderr).toMatch(/403/);
    expect(withWrong.stderr + withWrong.stdout).not.toContain(wrong);
    const viaEnv = await cli(['kv', 'get', 'tok/ok'], { address: agent.address, env: { CONSUL_HTTP_TOKEN_FILE: masterFile } });
    expect(viaEnv.stdout).toBe('v\n');
    expect(viaEnv.stderr).toBe('');
  });
});
