/// <reference types="node" />
/**
 * `consulate acl backup|restore`: the current ACL system (policies, roles, tokens with their secrets)
 * plus legacy tokens, as one JSON document. Restore is idempotent: each object is updated when it
 * exists (policies and roles matched by ID, then by name; tokens by AccessorID; legacy tokens by
 * their ID) and created otherwise, so running it twice gives the same state.
 *
 * Policy and role IDs cannot be chosen on create, so links are restored by name. The builtin
 * `global-management` policy is left alone; tokens made by an auth method's `login` and expired
 * tokens are skipped (with a note). Needs a token with `acl = "write"` (a management token to see
 * secrets and legacy tokens).
 * @module
 */
import type { Command } from 'commander';
import type { Client } from '../core/client.ts';
import { parseJson } from '../core/encoding.ts';
import type {
  ACLLink,
  ACLLinkInput,
  ACLNodeIdentity,
  ACLNodeIdentityInput,
  ACLPolicy,
  ACLRole,
  ACLServiceIdentity,
  ACLServiceIdentityInput,
  ACLToken,
  LegacyACL,
} from '../endpoints/acl.ts';
import {
  legacyList,
  policyCreate,
  policyList,
  policyRead,
  policyReadByName,
  policyUpdate,
  roleCreate,
  roleList,
  roleRead,
  roleReadByName,
  roleUpdate,
  tokenCreate,
  tokenList,
  tokenRead,
  tokenUpdate,
  legacyUpdate,
} from '../endpoints/acl.ts';
import { addConnectionOptions, withClient } from './connection.ts';
import { CliError, openOutput, readInput, warn, write } from './io.ts';

/** The builtin management policy, which cannot be changed. */
const GLOBAL_MANAGEMENT = '00000000-0000-0000-0000-000000000001';

/** The document `acl backup` writes. */
export interface AclBackup {
  format: 'consulate-acl';
  version: 1;
  policies: ACLPolicy[];
  roles: ACLRole[];
  tokens: ACLToken[];
  /** Legacy tokens (`/v1/acl/list`, with their rules) that are not current-API tokens. */
  legacy: LegacyACL[];
}

/** Reads every policy, role and token (with secrets) and the legacy-only tokens. */
export async function aclBackup(client: Client): Promise<AclBackup> {
  const [policies, roles, tokens, legacy] = await Promise.all([policyList(client), roleList(client), tokenList(client), legacyList(client)]);
  const fullPolicies: ACLPolicy[] = [];
  for (const entry of policies.data) {
    const { data } = await policyRead(client, entry.ID);
    if (data) fullPolicies.push(data);
  }
  const fullTokens: ACLToken[] = [];
  for (const entry of tokens.data) {
    // legacy tokens (with or without an accessor ID assigned by Consul's upgrade) go in the legacy section,
    // with their rules; the current API would drop the rules
    if (entry.AccessorID === '' || entry.Legacy) continue;
    const { data } = await tokenRead(client, entry.AccessorID);
    if (data) fullTokens.push(data);
  }
  if (fullTokens.some((t) => t.SecretID === '<hidden>')) {
    warn('warning: token secrets are hidden from this token (it has acl = "read"); they cannot be restored as they were');
  }
  const secrets = new Set(fullTokens.map((t) => t.SecretID));
  return {
    format: 'consulate-acl',
    version: 1,
    policies: fullPolicies,
    roles: roles.data,
    tokens: fullTokens,
    legacy: legacy.data.filter((t) => !secrets.has(t.ID)),
  };
}

/** Links by name only: policy and role IDs differ in the restored cluster. */
const links = (list: ACLLink[] | null | undefined): ACLLinkInput[] | undefined =>
  list?.length ? list.map((link) => ({ Name: link.Name })) : undefined;
const services = (list: ACLServiceIdentity[] | null | undefined): ACLServiceIdentityInput[] | undefined =>
  list?.length ? list.map((s) => ({ ServiceName: s.ServiceName, ...(s.Datacenters?.length ? { Datacenters: s.Datacenters } : {}) })) : undefined;
const nodes = (list: ACLNodeIdentity[] | null | undefined): ACLNodeIdentityInput[] | undefined =>
  list?.length ? list.map((n) => ({ NodeName: n.NodeName, Datacenter: n.Datacenter })) : undefined;

/** Counts of what a restore did, per kind. */
export interface AclRestoreCounts {
  created: number;
  updated: number;
  skipped: number;
}

/** Restores a backup made by {@link aclBackup} (see the module documentation). */
export async function aclRestore(
  client: Client,
  backup: AclBackup,
  { noReplace = false }: { noReplace?: boolean } = {},
): Promise<Record<'policies' | 'roles' | 'tokens' | 'legacy', AclRestoreCounts>> {
  const counts = {
    policies: { created: 0, updated: 0, skipped: 0 },
    roles: { created: 0, updated: 0, skipped: 0 },
    tokens: { created: 0, updated: 0, skipped: 0 },
    legacy: { created: 0, updated: 0, skipped: 0 },
  };
  for (const policy of backup.policies) {
    if (policy.ID === GLOBAL_MANAGEMENT) continue;
    const input = {
      Name: policy.Name,
      Description: policy.Description,
      Rules: policy.Rules,
      ...(policy.Datacenters?.length ? { Datacenters: policy.Datacenters } : {}),
    };
    const existing = (await policyRead(client, policy.ID)).data ?? (await policyReadByName(client, policy.Name)).data;
    if (existing && noReplace) counts.policies.skipped++;
    else if (existing) {
      await policyUpdate(client, existing.ID, input);
      counts.policies.updated++;
    } else {
      await policyCreate(client, input);
      counts.policies.created++;
    }
  }
  for (const role of backup.roles) {
    const input = {
      Name: role.Name,
      Description: role.Description,
      Policies: links(role.Policies),
      ServiceIdentities: services(role.ServiceIdentities),
      NodeIdentities: nodes(role.NodeIdentities),
    };
    const existing = (await roleRead(client, role.ID)).data ?? (await roleReadByName(client, role.Name)).data;
    if (existing && noReplace) counts.roles.skipped++;
    else if (existing) {
      await roleUpdate(client, existing.ID, input);
      counts.roles.updated++;
    } else {
      await roleCreate(client, input);
      counts.roles.created++;
    }
  }
  for (const token of backup.tokens) {
    if (token.AuthMethod) {
      warn(`note: token ${token.AccessorID} was made by auth method ${JSON.stringify(token.AuthMethod)}; not restored (log in again)`);
      counts.tokens.skipped++;
      continue;
    }
    if (token.ExpirationTime && Date.parse(token.ExpirationTime) <= Date.now()) {
      counts.tokens.skipped++;
      continue;
    }
    const input = {
      Description: token.Description,
      Policies: links(token.Policies),
      Roles: links(token.Roles),
      ServiceIdentities: services(token.ServiceIdentities),
      NodeIdentities: nodes(token.NodeIdentities),
    };
    const existing = (await tokenRead(client, token.AccessorID)).data;
    if (existing && noReplace) counts.tokens.skipped++;
    else if (existing) {
      await tokenUpdate(client, token.AccessorID, input);
      counts.tokens.updated++;
    } else {
      if (token.SecretID === '<hidden>') {
        warn(`note: token ${token.AccessorID} was backed up without its secret; not restored`);
        counts.tokens.skipped++;
        continue;
      }
      await tokenCreate(client, {
        ...input,
        AccessorID: token.AccessorID,
        SecretID: token.SecretID,
        Local: token.Local,
        ...(token.ExpirationTime ? { ExpirationTime: token.ExpirationTime } : {}),
      });
      counts.tokens.created++;
    }
  }
  const present = new Set((await legacyList(client)).data.map((t) => t.ID));
  for (const token of backup.legacy) {
    if (present.has(token.ID) && noReplace) {
      counts.legacy.skipped++;
      continue;
    }
    await legacyUpdate(client, { ID: token.ID, Name: token.Name, Type: token.Type === 'management' ? 'management' : 'client', Rules: token.Rules });
    if (present.has(token.ID)) counts.legacy.updated++;
    else counts.legacy.created++;
  }
  return counts;
}

function checkBackup(value: unknown): AclBackup {
  const doc = value as Partial<AclBackup> | null;
  if (!doc || typeof doc !== 'object' || doc.format !== 'consulate-acl' || !Array.isArray(doc.policies) || !Array.isArray(doc.tokens)) {
    throw new CliError('not an ACL backup made by consulate acl backup (expected {"format":"consulate-acl","policies":[…],"roles":[…],"tokens":[…]})');
  }
  return { format: 'consulate-acl', version: 1, policies: doc.policies, roles: doc.roles ?? [], tokens: doc.tokens, legacy: doc.legacy ?? [] };
}

/** Registers the `acl` command group. */
export function registerAcl(program: Command): void {
  const acl = addConnectionOptions(program.command('acl').description('ACL utilities'));
  addConnectionOptions(
    acl
      .command('backup')
      .description('back up ACL policies, roles and tokens (with secrets) and legacy tokens as JSON (the file is created mode 0600)')
      .option('-f, --file <file>', 'write to this file instead of stdout')
      .option('-p, --pretty', 'indent the JSON'),
  ).action(async (opts: { file?: string; pretty?: boolean }, command: Command) => {
    await withClient(command, async (client) => {
      const backup = await aclBackup(client);
      const output = await openOutput(opts.file);
      try {
        const text = JSON.stringify(backup, null, opts.pretty ? 2 : undefined);
        await write(output.stream, `${text}\n`);
        await output.commit();
      } catch (error) {
        await output.abort();
        throw error;
      }
      warn(`backed up ${backup.policies.length} policies, ${backup.roles.length} roles, ${backup.tokens.length} tokens, ${backup.legacy.length} legacy tokens`);
    });
  });
  addConnectionOptions(
    acl
      .command('restore')
      .description('restore an ACL backup: update what exists (policies/roles by ID or name, tokens by AccessorID), create the rest')
      .option('-f, --file <file>', 'read this file instead of stdin')
      .option('-n, --no-replace', 'leave existing policies, roles and tokens as they are'),
  ).action(async (opts: { file?: string; replace: boolean }, command: Command) => {
    const text = (await readInput(opts.file)).toString('utf8');
    let doc: unknown;
    try {
      doc = parseJson(text);
    } catch (error) {
      throw new CliError(`the ACL backup is not valid JSON: ${(error as Error).message}`);
    }
    const backup = checkBackup(doc);
    await withClient(command, async (client) => {
      const counts = await aclRestore(client, backup, { noReplace: !opts.replace });
      for (const [kind, c] of Object.entries(counts)) {
        warn(`${kind}: ${c.created} created, ${c.updated} updated, ${c.skipped} skipped`);
      }
    }, 'Consul ignores ?dc= on ACL writes (they go to the datacenter of the agent you talk to)');
  });
}
