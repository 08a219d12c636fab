// Against an ACL-enabled agent: restore failure reporting (a batch refused by ACL), acl backup/restore,
// token flags (never printed).
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClient } from '../../src/index.ts';
import type { Client } from '../../src/index.ts';
import {
  legacyCreate,
  legacyDelete as legacyDestroy,
  legacyList,
  legacyRead as legacyInfo,
  policyCreate,
  policyDelete,
  policyReadByName,
  roleCreate,
  roleDelete,
  roleReadByName,
  tokenCreate,
  tokenDelete,
  tokenList,
  tokenRead,
} from '../../src/endpoints/acl.ts';
import { keys } from '../../src/endpoints/kv.ts';
import type { Agent } from '../support/agent.mjs';
import { startAgent } from '../support/agent.mjs';
import { startMisbehavingServer } from '../support/misbehaving-server.mjs';
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

describe('acl restore of the original consulate\'s backup (a list of legacy tokens)', () => {
  // what the original's `acl backup` writes: json.dumps(consul.acl.list(), sort_keys=True), from a Consul < 1.4
  // cluster, so with its anonymous token and master token
  const original = [
    { CreateIndex: 3, ID: 'anonymous', ModifyIndex: 3, Name: 'Anonymous Token', Rules: '', Type: 'client' },
    { CreateIndex: 4, ID: 'old-cluster-master', ModifyIndex: 4, Name: 'Master Token', Rules: '', Type: 'management' },
    { CreateIndex: 10, ID: '7c3f4f1e-1111-4222-8333-000000000a01', ModifyIndex: 12, Name: 'app reader', Rules: 'key "app/" { policy = "read" }', Type: 'client' },
    { CreateIndex: 11, ID: 'legacy-non-uuid-secret', ModifyIndex: 11, Name: 'ops', Rules: 'key "" { policy = "write" }\nservice "" { policy = "read" }', Type: 'client' },
    { CreateIndex: 13, ID: '7c3f4f1e-1111-4222-8333-000000000a02', ModifyIndex: 13, Name: 'deployer', Rules: '', Type: 'management' },
  ];
  const file = join(dir, 'original-acl.json');

  it('writes each token through the legacy API (created, then updated), skipping the anonymous and master tokens and saying so', async () => {
    writeFileSync(file, `${JSON.stringify(original)}\n`);
    const dry = await run(['acl', 'restore', '-f', file, '--dry-run', '--token-file', masterFile]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout.split('\n').filter(Boolean)).toEqual([
      'skip legacy token "Anonymous Token" (entry 1): the built-in anonymous token (give --include-anonymous to restore its rules)',
      'skip legacy token "Master Token" (entry 2): the source cluster\'s master/bootstrap token (give --include-master to restore it)',
      'create legacy token "app reader" (entry 3)',
      'create legacy token "ops" (entry 4)',
      'create legacy token "deployer" (entry 5)',
    ]);
    expect(dry.stderr).toMatch(/dry run: would create 3, update 0, skip 2; nothing was written/);
    expect((await legacyInfo(admin, original[2]!.ID)).data).toBeUndefined();

    const first = await run(['acl', 'restore', '-f', file, '--token-file', masterFile]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/skipped legacy token "Anonymous Token" \(entry 1\): the built-in anonymous token/);
    expect(first.stderr).toMatch(/skipped legacy token "Master Token" \(entry 2\): the source cluster's master\/bootstrap token/);
    expect(first.stderr).toMatch(/legacy: 3 created, 0 updated, 2 skipped/);
    // secrets are never printed: legacy tokens are named by Name and entry number
    for (const entry of original) expect(first.stderr + dry.stdout + dry.stderr).not.toContain(entry.ID === 'anonymous' ? '"anonymous"' : entry.ID);
    for (const entry of original.slice(2)) {
      expect((await legacyInfo(admin, entry.ID)).data).toMatchObject({ ID: entry.ID, Name: entry.Name, Type: entry.Type, Rules: entry.Rules });
    }
    expect((await legacyInfo(admin, 'old-cluster-master')).data).toBeUndefined();

    // again, with a changed rule: updated in place; with -n: left alone
    const changed = original.map((e) => (e.Name === 'app reader' ? { ...e, Rules: 'key "app/" { policy = "write" }' } : e));
    writeFileSync(file, JSON.stringify(changed));
    const second = await run(['acl', 'restore', '-f', file, '--token-file', masterFile]);
    expect(second.code, second.stderr).toBe(0);
    // Consul 1.8.7's leader upgrades legacy *management* tokens to the current ACL system within seconds, after which
    // the legacy API refuses to change them: "deployer" is then skipped with that reason instead of updated
    const upgraded = /skipped legacy token "deployer" \(entry 5\): a token of the current ACL system has this secret/.test(second.stderr);
    expect(second.stderr).toMatch(upgraded ? /legacy: 0 created, 2 updated, 3 skipped/ : /legacy: 0 created, 3 updated, 2 skipped/);
    expect(second.stderr).toMatch(/updated legacy token "app reader" \(entry 3\)/);
    expect((await legacyInfo(admin, original[2]!.ID)).data?.Rules).toBe('key "app/" { policy = "write" }');
    writeFileSync(file, JSON.stringify(original));
    const kept = await run(['acl', 'restore', '-f', file, '-n', '--token-file', masterFile]);
    expect(kept.stderr).toMatch(/legacy: 0 created, 0 updated, 5 skipped/);
    expect((await legacyInfo(admin, original[2]!.ID)).data?.Rules).toBe('key "app/" { policy = "write" }');
  });

  it('--include-anonymous / --include-master: the legacy API cannot change this cluster\'s own anonymous token (skipped, reason given); the old master is restored', async () => {
    writeFileSync(file, JSON.stringify(original.slice(0, 2)));
    const result = await run(['acl', 'restore', '-f', file, '--include-anonymous', '--include-master', '--token-file', masterFile]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/skipped legacy token "Anonymous Token" \(entry 1\): a token of the current ACL system has this secret on the target/);
    expect(result.stderr).toMatch(/created legacy token "Master Token" \(entry 2\)/);
    expect((await legacyInfo(admin, 'old-cluster-master')).data).toMatchObject({ Type: 'management' });
    await legacyDestroy(admin, 'old-cluster-master');
  });

  it('refuses a list that is not legacy tokens, naming the entry', async () => {
    const result = await run(['acl', 'restore', '--token-file', masterFile], JSON.stringify([original[2], { ID: 'x', Name: 'y', Type: 'root' }]));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/entry 2 of the list is not a legacy token .*Type is "root"/);
  });

  it('a cluster with ACLs disabled: a clear error, nothing written', async () => {
    writeFileSync(file, JSON.stringify(original));
    const result = await cli(['acl', 'restore', '-f', file], { address: inject('consulAddress') });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^consulate: error: this cluster has ACLs disabled .*ACL support disabled.*Nothing was written/);
  });

  it('a cluster without the legacy API (Consul 1.11+ answers 410): a clear error before any write', async () => {
    // scripted: Consul 1.8.7 has the legacy API; this is 1.11's answer (hashicorp/consul#10661)
    await using server = await startMisbehavingServer(() => ({
      mode: 'respond',
      status: 410,
      statusText: 'Gone',
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: 'Endpoint /v1/acl/list for the legacy ACL system was removed in Consul 1.11.',
    }));
    writeFileSync(file, JSON.stringify(original));
    const result = await cli(['acl', 'restore', '-f', file, '--token-file', masterFile], { address: server.address });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^consulate: error: this cluster has no legacy ACL API \(GET \/v1\/acl\/list answered 410: Endpoint \/v1\/acl\/list for the legacy ACL system was removed in Consul 1\.11\.\).*Nothing was written/);
    expect(server.requests.map((r: { method: string; path: string }) => `${r.method} ${r.path}`)).toEqual(['GET /v1/acl/list']);
  });
});

describe('acl restore onto another cluster', () => {
  it('skips the built-in and master tokens (saying so), restores the rest, and reports each step', async () => {
    // the source cluster's master secret is not a UUID: creating it elsewhere fails with "SecretID is not a valid UUID"
    const source = await startAgent({ name: 'consulate-cli-acl-source', acl: { masterToken: 'source-master-secret' } });
    try {
      const sourceAdmin = createClient({ address: source.address, token: 'source-master-secret' });
      await policyCreate(sourceAdmin, { Name: 'x-app', Rules: 'key_prefix "x/" { policy = "read" }' });
      const accessor = '5a5a5a5a-1111-4222-8333-444455556666';
      await tokenCreate(sourceAdmin, { AccessorID: accessor, SecretID: '5b5b5b5b-1111-4222-8333-444455556666', Description: 'x app', Policies: [{ Name: 'x-app' }] });
      // an operator's own management token is data, not the cluster's master: it is restored
      await tokenCreate(sourceAdmin, { AccessorID: '5c5c5c5c-1111-4222-8333-444455556666', SecretID: '5d5d5d5d-1111-4222-8333-444455556666', Description: 'ci admin', Policies: [{ Name: 'global-management' }] });
      const sourceFile = join(dir, 'source-token');
      writeFileSync(sourceFile, 'source-master-secret');
      const file = join(dir, 'source-acl.json');
      const backup = await cli(['acl', 'backup', '-f', file, '--token-file', sourceFile], { address: source.address });
      expect(backup.code, backup.stderr).toBe(0);
      const doc = JSON.parse(readFileSync(file, 'utf8')) as { tokens: { Description: string }[] };
      expect(doc.tokens.map((t) => t.Description)).toEqual(expect.arrayContaining(['Master Token', 'Anonymous Token', 'x app', 'ci admin']));

      const dry = await run(['acl', 'restore', '-f', file, '--dry-run', '--token-file', masterFile]);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toMatch(/^skip policy "global-management": built-in/m);
      expect(dry.stdout).toMatch(/^create policy "x-app"$/m);
      expect(dry.stdout).toMatch(/^skip token [0-9a-f-]+ \("Master Token"\): the source cluster's master\/bootstrap token \(give --include-master to restore it\)$/m);
      expect(dry.stdout).toMatch(/^skip token 00000000-0000-0000-0000-000000000002 \("Anonymous Token"\): the built-in anonymous token/m);
      expect(dry.stdout).toMatch(new RegExp(`^create token ${accessor} \\("x app"\\)$`, 'm'));
      expect((await policyReadByName(admin, 'x-app')).data).toBeUndefined();

      const restored = await run(['acl', 'restore', '-f', file, '--token-file', masterFile]);
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.stderr).toMatch(/^consulate: created policy "x-app"$/m);
      expect(restored.stderr).toMatch(new RegExp(`^consulate: created token ${accessor} \\("x app"\\)$`, 'm'));
      expect(restored.stderr).toMatch(/^consulate: tokens: 2 created, 0 updated, 2 skipped$/m);
      expect((await tokenRead(admin, accessor)).data?.Policies?.map((p) => p.Name)).toEqual(['x-app']);
      expect((await tokenRead(admin, '5c5c5c5c-1111-4222-8333-444455556666')).data?.Description).toBe('ci admin');
      // this cluster's own master and anonymous tokens are untouched
      const own = (await tokenList(admin)).data.filter((t) => t.Description === 'Master Token');
      expect(own).toHaveLength(1);
      expect((await tokenRead(admin, '00000000-0000-0000-0000-000000000002')).data?.Description).toBe('Anonymous Token');

      // --include-master: the source master's secret is not a UUID, which Consul refuses on create: skipped up front
      const withMaster = await run(['acl', 'restore', '-f', file, '--include-master', '--token-file', masterFile]);
      expect(withMaster.code, withMaster.stderr).toBe(0);
      expect(withMaster.stderr).toMatch(/skipped token [0-9a-f-]+ \("Master Token"\): its SecretID is not a UUID/);
    } finally {
      await source.stop();
    }
  });

  it('stops at the first failure and lists what was applied, what failed and what was not attempted (exit 1)', async () => {
    const backup = {
      format: 'consulate-acl',
      version: 1,
      policies: [{ ID: '11111111-0000-4000-8000-000000000001', Name: 'partial-ok', Description: '', Rules: 'key_prefix "partial/" { policy = "read" }' }],
      // links a policy that exists nowhere: Consul refuses the role
      roles: [{ ID: '22222222-0000-4000-8000-000000000001', Name: 'partial-bad', Description: '', Policies: [{ ID: 'x', Name: 'no-such-policy' }] }],
      tokens: [{ AccessorID: '33333333-0000-4000-8000-000000000001', SecretID: '33333333-0000-4000-8000-000000000002', Description: 'partial token', Policies: [{ ID: 'y', Name: 'partial-ok' }], Local: false }],
      legacy: [],
    };
    const result = await run(['acl', 'restore', '--token-file', masterFile], JSON.stringify(backup));
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toContain('consulate: created policy "partial-ok"');
    expect(lines.find((l) => l.startsWith('consulate: failed to create role "partial-bad": '))).toMatch(/no-such-policy/);
    expect(lines).toContain('consulate: not attempted: create token 33333333-0000-4000-8000-000000000001 ("partial token")');
    expect(lines).toContain('consulate: acl restore incomplete: 1 applied (listed above), 0 skipped, 1 failed, 1 not attempted');
    expect(lines.at(-1)).toMatch(/^consulate: error: acl restore failed: create role "partial-bad": /);
    expect((await policyReadByName(admin, 'partial-ok')).data).toBeDefined();
    expect((await tokenRead(admin, '33333333-0000-4000-8000-000000000001')).data).toBeUndefined();
  });
});

describe('acl backup files', () => {
  it('are created mode 0600 (they hold secrets), also over an existing wider file', async () => {
    const fresh = join(dir, 'acl-0600.json');
    const existing = join(dir, 'acl-0644.json');
    writeFileSync(existing, 'old');
    chmodSync(existing, 0o644);
    const [a, b] = await Promise.all([
      run(['acl', 'backup', '-f', fresh, '--token-file', masterFile]),
      run(['acl', 'backup', '-f', existing, '--token-file', masterFile]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
    expect(statSync(existing).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(existing, 'utf8'))).toHaveProperty('format', 'consulate-acl');
    expect((await legacyList(admin)).data.length).toBeGreaterThan(0);
  });
});
