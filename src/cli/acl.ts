/// <reference types="node" />
/**
 * `consulate acl backup|restore`: the current ACL system (policies, roles, tokens with their secrets)
 * plus legacy tokens, as one JSON document. Restore is idempotent: each object is updated when it
 * exists (policies and roles matched by ID, then by name; tokens by AccessorID; legacy tokens by
 * their ID) and created otherwise, so running it twice gives the same state.
 *
 * `acl restore` also reads the original consulate's `acl backup` — a JSON list of legacy tokens
 * `{ID, Name, Type, Rules}` (`/v1/acl/list`) — and writes it through the legacy API (`/v1/acl/update`,
 * which creates or updates), as the original does. Consul 1.4–1.10 have that API when ACLs are
 * enabled; Consul 1.11 removed it (410), which is reported before anything is written.
 *
 * Policy and role IDs cannot be chosen on create, so links are restored by name. Left alone, and
 * reported as skipped: the builtin `global-management` policy; the anonymous token (AccessorID
 * `00000000-0000-0000-0000-000000000002`, legacy ID `anonymous`) unless `--include-anonymous`; the
 * cluster's master/bootstrap token unless `--include-master` (see {@link isMasterToken}); tokens made
 * by an auth method's `login`; expired tokens; tokens whose IDs Consul would refuse on create (not
 * UUIDs). Needs a token with `acl = "write"` (a management token to see secrets and legacy tokens).
 *
 * The restore reads the target first and plans every step; `--dry-run` prints the plan and writes
 * nothing. Steps run in order (policies, roles, tokens, legacy tokens); each applied step is printed
 * as it happens, and on the first failure the rest is not attempted and listed, like `kv restore`.
 * @module
 */
import type { Command } from 'commander';
import type { Client } from '../core/client.ts';
import { parseJson } from '../core/encoding.ts';
import { isACLDisabledError, isHttpError } from '../core/errors.ts';
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
  legacyUpdate,
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
} from '../endpoints/acl.ts';
import { addConnectionOptions, withClient } from './connection.ts';
import { CliError, describeError, openOutput, plural, readInput, warn, write } from './io.ts';

/** The builtin management policy, which cannot be changed. */
const GLOBAL_MANAGEMENT = '00000000-0000-0000-0000-000000000001';
/** The anonymous token's AccessorID (the same in every cluster). */
const ANONYMOUS = '00000000-0000-0000-0000-000000000002';
/**
 * Descriptions Consul itself gives the tokens it makes for the cluster: from `acl.tokens.master`
 * (Consul 1.4–1.10), `acl.tokens.initial_management` (1.11+) and `/v1/acl/bootstrap`.
 */
const CONSUL_MADE_MANAGEMENT = new Set(['Master Token', 'Initial Management Token', 'Bootstrap Token (Global Management)']);
/** Names the legacy ACL system (Consul < 1.4) gave the master and bootstrap tokens. */
const LEGACY_MASTER_NAMES = new Set(['Master Token', 'Bootstrap Token']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

/** One legacy token as the original consulate's `acl backup` holds it (`/v1/acl/list`'s entries). */
export interface LegacyTokenEntry {
  /** The token's secret. */
  ID: string;
  Name: string;
  /** `client` or `management`. */
  Type: 'client' | 'management';
  Rules: string;
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

/**
 * Whether a token is the cluster's own master/bootstrap token, which belongs to the cluster it was
 * made in rather than to the data being restored: it links the builtin `global-management` policy
 * *and* carries a description Consul writes itself (`Master Token`, `Initial Management Token`,
 * `Bootstrap Token (Global Management)`). A management token an operator created (any other
 * description) is restored like any token.
 */
export function isMasterToken(token: Pick<ACLToken, 'Description' | 'Policies'>): boolean {
  return CONSUL_MADE_MANAGEMENT.has(token.Description ?? '') &&
    (token.Policies ?? []).some((p) => p.ID === GLOBAL_MANAGEMENT || p.Name === 'global-management');
}

/** A legacy token's special role: the anonymous token, or the master/bootstrap token (by the names Consul gave them). */
function legacySpecial(token: LegacyTokenEntry): 'anonymous' | 'master' | undefined {
  if (token.ID === 'anonymous') return 'anonymous';
  if (token.Type === 'management' && LEGACY_MASTER_NAMES.has(token.Name)) return 'master';
  return undefined;
}

/** Links by name only: policy and role IDs differ in the restored cluster. */
const links = (list: ACLLink[] | null | undefined): ACLLinkInput[] | undefined =>
  list?.length ? list.map((link) => ({ Name: link.Name })) : undefined;
const services = (list: ACLServiceIdentity[] | null | undefined): ACLServiceIdentityInput[] | undefined =>
  list?.length ? list.map((s) => ({ ServiceName: s.ServiceName, ...(s.Datacenters?.length ? { Datacenters: s.Datacenters } : {}) })) : undefined;
const nodes = (list: ACLNodeIdentity[] | null | undefined): ACLNodeIdentityInput[] | undefined =>
  list?.length ? list.map((n) => ({ NodeName: n.NodeName, Datacenter: n.Datacenter })) : undefined;

/** The kinds of ACL object a restore writes, in the order it writes them. */
export type AclKind = 'policies' | 'roles' | 'tokens' | 'legacy';

/** One planned step of a restore. */
export interface AclStep {
  kind: AclKind;
  /** What it is about, never a secret: `policy "name"`, `token <AccessorID> ("description")`, `legacy token "name"`. */
  label: string;
  action: 'create' | 'update' | 'skip';
  /** Why it is skipped. */
  reason?: string;
  /** Carries out the step; resolves with a reason when Consul's answer means the step was skipped after all. */
  apply?: () => Promise<string | undefined>;
}

/** Options of {@link planAclRestore}. */
export interface AclRestoreOptions {
  /** Leave existing objects as they are. */
  noReplace?: boolean;
  /** Also restore the master/bootstrap token(s) (see {@link isMasterToken}). */
  includeMaster?: boolean;
  /** Also apply the anonymous token's description and links to the target's anonymous token. */
  includeAnonymous?: boolean;
}

/** What a restore did: every step by outcome, in order. */
export interface AclRestoreReport {
  ok: boolean;
  applied: AclStep[];
  skipped: AclStep[];
  failed: { step: AclStep; error: string }[];
  notAttempted: AclStep[];
}

const quoted = (text: string): string => JSON.stringify(text);
const tokenLabel = (t: Pick<ACLToken, 'AccessorID' | 'Description'>): string => `token ${t.AccessorID}${t.Description ? ` (${quoted(t.Description)})` : ''}`;
/** A legacy token's ID is its secret: it is named by its Name and its place in the file. */
const legacyLabel = (t: LegacyTokenEntry, index: number): string => `legacy token ${quoted(t.Name)} (entry ${index + 1})`;

/** Answers of a cluster that has no legacy ACL API (Consul 1.11+ says 410 Gone; a later one may say 404). */
function noLegacyApi(error: unknown): CliError | undefined {
  if (!isHttpError(error) || (error.status !== 410 && error.status !== 404)) return undefined;
  return new CliError(
    `this cluster has no legacy ACL API (GET /v1/acl/list answered ${error.status}${error.consulMessage ? `: ${error.consulMessage.trim()}` : ''}); ` +
      'legacy tokens (the original consulate\'s ACL backups are made of them) can only be written to Consul 1.4–1.10 with ACLs enabled. ' +
      'Nothing was written. Restore them there (Consul migrates legacy tokens when upgraded), or recreate each as a policy holding its Rules and a token linking it',
  );
}

/** Reads the target's legacy token IDs; a cluster without the legacy API is a clear error, before any write. */
async function legacyIds(client: Client): Promise<Set<string>> {
  try {
    return new Set((await legacyList(client)).data.map((t) => t.ID));
  } catch (error) {
    throw noLegacyApi(error) ?? error;
  }
}

/** Steps for legacy tokens (the original consulate's backup, or a consulate backup's `legacy` section). */
async function legacySteps(client: Client, entries: readonly LegacyTokenEntry[], options: AclRestoreOptions): Promise<AclStep[]> {
  if (entries.length === 0) return [];
  const present = await legacyIds(client);
  return entries.map((token, index): AclStep => {
    const label = legacyLabel(token, index);
    const special = legacySpecial(token);
    if (special === 'anonymous' && !options.includeAnonymous) {
      return { kind: 'legacy', label, action: 'skip', reason: 'the built-in anonymous token (give --include-anonymous to restore its rules)' };
    }
    if (special === 'master' && !options.includeMaster) {
      return { kind: 'legacy', label, action: 'skip', reason: 'the source cluster\'s master/bootstrap token (give --include-master to restore it)' };
    }
    const exists = present.has(token.ID);
    if (exists && options.noReplace) return { kind: 'legacy', label, action: 'skip', reason: 'exists (--no-replace)' };
    return {
      kind: 'legacy',
      label,
      action: exists ? 'update' : 'create',
      apply: async () => {
        try {
          await legacyUpdate(client, { ID: token.ID, Name: token.Name, Type: token.Type, Rules: token.Rules });
          return undefined;
        } catch (error) {
          // Consul 1.8.7: a current-API token already has this secret (the target's own anonymous or master token…)
          if (isHttpError(error) && /non-legacy token/.test(error.consulMessage ?? '')) {
            return 'a token of the current ACL system has this secret on the target (Consul upgrades legacy management tokens; the legacy API cannot change them); left as it is';
          }
          throw error;
        }
      },
    };
  });
}

/**
 * Plans the restore of a consulate ACL backup or the original consulate's legacy list: reads the
 * target (nothing is written) and returns every step in the order it would run.
 * @throws {CliError} when the cluster has ACLs disabled, or lacks the legacy API that legacy tokens need.
 */
export async function planAclRestore(client: Client, backup: AclBackup | readonly LegacyTokenEntry[], options: AclRestoreOptions = {}): Promise<AclStep[]> {
  try {
    if (Array.isArray(backup)) return await legacySteps(client, backup as readonly LegacyTokenEntry[], options);
    return await planCurrent(client, backup as AclBackup, options);
  } catch (error) {
    if (isACLDisabledError(error)) {
      throw new CliError(`this cluster has ACLs disabled (${describeError(error)}); enable them (acl { enabled = true }) before restoring ACLs. Nothing was written`);
    }
    throw error;
  }
}

async function planCurrent(client: Client, backup: AclBackup, options: AclRestoreOptions): Promise<AclStep[]> {
  const steps: AclStep[] = [];
  for (const policy of backup.policies) {
    const label = `policy ${quoted(policy.Name)}`;
    if (policy.ID === GLOBAL_MANAGEMENT) {
      steps.push({ kind: 'policies', label, action: 'skip', reason: 'built-in (every cluster has its own)' });
      continue;
    }
    const input = {
      Name: policy.Name,
      Description: policy.Description,
      Rules: policy.Rules,
      ...(policy.Datacenters?.length ? { Datacenters: policy.Datacenters } : {}),
    };
    const existing = (await policyRead(client, policy.ID)).data ?? (await policyReadByName(client, policy.Name)).data;
    if (existing && options.noReplace) steps.push({ kind: 'policies', label, action: 'skip', reason: 'exists (--no-replace)' });
    else if (existing) steps.push({ kind: 'policies', label, action: 'update', apply: async () => void (await policyUpdate(client, existing.ID, input)) });
    else steps.push({ kind: 'policies', label, action: 'create', apply: async () => void (await policyCreate(client, input)) });
  }
  for (const role of backup.roles) {
    const label = `role ${quoted(role.Name)}`;
    const input = {
      Name: role.Name,
      Description: role.Description,
      Policies: links(role.Policies),
      ServiceIdentities: services(role.ServiceIdentities),
      NodeIdentities: nodes(role.NodeIdentities),
    };
    const existing = (await roleRead(client, role.ID)).data ?? (await roleReadByName(client, role.Name)).data;
    if (existing && options.noReplace) steps.push({ kind: 'roles', label, action: 'skip', reason: 'exists (--no-replace)' });
    else if (existing) steps.push({ kind: 'roles', label, action: 'update', apply: async () => void (await roleUpdate(client, existing.ID, input)) });
    else steps.push({ kind: 'roles', label, action: 'create', apply: async () => void (await roleCreate(client, input)) });
  }
  for (const token of backup.tokens) {
    const label = tokenLabel(token);
    const skip = (reason: string): void => void steps.push({ kind: 'tokens', label, action: 'skip', reason });
    if (token.AccessorID === ANONYMOUS && !options.includeAnonymous) {
      skip('the built-in anonymous token (give --include-anonymous to apply its policies and roles to this cluster\'s)');
      continue;
    }
    if (isMasterToken(token) && !options.includeMaster) {
      skip('the source cluster\'s master/bootstrap token (give --include-master to restore it)');
      continue;
    }
    if (token.AuthMethod) {
      skip(`made by auth method ${quoted(token.AuthMethod)} (log in again)`);
      continue;
    }
    if (token.ExpirationTime && Date.parse(token.ExpirationTime) <= Date.now()) {
      skip(`expired at ${token.ExpirationTime}`);
      continue;
    }
    const input = {
      Description: token.Description,
      Policies: links(token.Policies),
      Roles: links(token.Roles),
      ServiceIdentities: services(token.ServiceIdentities),
      NodeIdentities: nodes(token.NodeIdentities),
    };
    const existing = UUID.test(token.AccessorID) ? (await tokenRead(client, token.AccessorID)).data : undefined;
    if (existing && options.noReplace) skip('exists (--no-replace)');
    else if (existing) steps.push({ kind: 'tokens', label, action: 'update', apply: async () => void (await tokenUpdate(client, token.AccessorID, input)) });
    else if (token.SecretID === '<hidden>') skip('backed up without its secret (the backup\'s token had acl = "read")');
    else if (!UUID.test(token.AccessorID) || !UUID.test(token.SecretID)) {
      skip(`its ${UUID.test(token.AccessorID) ? 'SecretID' : 'AccessorID'} is not a UUID, which Consul refuses when creating a token`);
    } else {
      steps.push({
        kind: 'tokens',
        label,
        action: 'create',
        apply: async () => void (await tokenCreate(client, {
          ...input,
          AccessorID: token.AccessorID,
          SecretID: token.SecretID,
          Local: token.Local,
          ...(token.ExpirationTime ? { ExpirationTime: token.ExpirationTime } : {}),
        })),
      });
    }
  }
  steps.push(...(await legacySteps(client, backup.legacy.map(legacyEntry), options)));
  return steps;
}

function legacyEntry(token: LegacyACL): LegacyTokenEntry {
  return { ID: token.ID, Name: token.Name, Type: token.Type === 'management' ? 'management' : 'client', Rules: token.Rules };
}

/**
 * Runs planned steps in order, printing each as it is applied; stops at the first failure.
 * @returns what was applied, skipped (planned or found while applying), failed and not attempted.
 */
export async function runAclRestore(steps: readonly AclStep[]): Promise<AclRestoreReport> {
  const report: AclRestoreReport = { ok: true, applied: [], skipped: [], failed: [], notAttempted: [] };
  for (const step of steps) {
    if (!report.ok) {
      if (step.action !== 'skip') report.notAttempted.push(step);
      else report.skipped.push(step);
      continue;
    }
    if (step.action === 'skip' || step.apply === undefined) {
      report.skipped.push(step);
      warn(`skipped ${step.label}: ${step.reason ?? 'nothing to do'}`);
      continue;
    }
    try {
      const skippedBecause = await step.apply();
      if (skippedBecause === undefined) {
        report.applied.push(step);
        warn(`${step.action === 'create' ? 'created' : 'updated'} ${step.label}`);
      } else {
        const skipped: AclStep = { ...step, action: 'skip', reason: skippedBecause };
        report.skipped.push(skipped);
        warn(`skipped ${step.label}: ${skippedBecause}`);
      }
    } catch (error) {
      report.ok = false;
      const text = describeError(error).replace(/\s*\n\s*/g, ' ');
      report.failed.push({ step, error: text });
      warn(`failed to ${step.action} ${step.label}: ${text}`);
    }
  }
  return report;
}

function counts(report: AclRestoreReport): string[] {
  const kinds: AclKind[] = ['policies', 'roles', 'tokens', 'legacy'];
  return kinds.map((kind) => {
    const created = report.applied.filter((s) => s.kind === kind && s.action === 'create').length;
    const updated = report.applied.filter((s) => s.kind === kind && s.action === 'update').length;
    const skipped = report.skipped.filter((s) => s.kind === kind).length;
    return `${kind}: ${created} created, ${updated} updated, ${skipped} skipped`;
  });
}

/** Reads an ACL backup: consulate's document, or the original consulate's list of legacy tokens. */
export function parseAclBackup(value: unknown): AclBackup | LegacyTokenEntry[] {
  if (Array.isArray(value)) {
    return value.map((entry: unknown, index): LegacyTokenEntry => {
      const token = entry as Partial<Record<keyof LegacyTokenEntry, unknown>> | null;
      const problem = !token || typeof token !== 'object'
        ? 'not an object'
        : typeof token.ID !== 'string' || token.ID === ''
          ? 'no ID'
          : token.Type !== 'client' && token.Type !== 'management'
            ? `Type is ${JSON.stringify(token.Type)}, not "client" or "management"`
            : (token.Name !== undefined && typeof token.Name !== 'string') || (token.Rules !== undefined && typeof token.Rules !== 'string')
              ? 'Name and Rules must be strings'
              : undefined;
      if (problem !== undefined) {
        throw new CliError(`not an ACL backup: entry ${index + 1} of the list is not a legacy token {ID, Name, Type, Rules} as the original consulate's acl backup writes (${problem})`);
      }
      const valid = token as { ID: string; Name?: string; Type: 'client' | 'management'; Rules?: string };
      return { ID: valid.ID, Name: valid.Name ?? '', Type: valid.Type, Rules: valid.Rules ?? '' };
    });
  }
  const doc = value as Partial<AclBackup> | null;
  if (!doc || typeof doc !== 'object' || doc.format !== 'consulate-acl' || !Array.isArray(doc.policies) || !Array.isArray(doc.tokens)) {
    throw new CliError(
      'not an ACL backup made by consulate acl backup (expected {"format":"consulate-acl","policies":[…],"roles":[…],"tokens":[…]}) ' +
        'or by the original consulate (a list of {ID, Name, Type, Rules})',
    );
  }
  return { format: 'consulate-acl', version: 1, policies: doc.policies, roles: doc.roles ?? [], tokens: doc.tokens, legacy: doc.legacy ?? [] };
}

interface RestoreFlags {
  file?: string;
  replace: boolean;
  dryRun?: boolean;
  includeMaster?: boolean;
  includeAnonymous?: boolean;
}

/** Registers the `acl` command group. */
export function registerAcl(program: Command): void {
  const acl = addConnectionOptions(program.command('acl').description('ACL utilities'));
  addConnectionOptions(
    acl
      .command('backup')
      .description('back up ACL policies, roles and tokens (with secrets) and legacy tokens as JSON (a file is created mode 0600: it holds secrets)')
      .option('-f, --file <file>', 'write to this file instead of stdout')
      .option('-p, --pretty', 'indent the JSON'),
  ).action(async (opts: { file?: string; pretty?: boolean }, command: Command) => {
    await withClient(command, async (client) => {
      let backup: AclBackup;
      try {
        backup = await aclBackup(client);
      } catch (error) {
        if (isACLDisabledError(error)) throw new CliError(`this cluster has ACLs disabled (${describeError(error)}): there are no ACLs to back up. Nothing was written`);
        throw error;
      }
      const output = await openOutput(opts.file);
      try {
        const text = JSON.stringify(backup, null, opts.pretty ? 2 : undefined);
        await write(output.stream, `${text}\n`);
        await output.commit();
      } catch (error) {
        await output.abort();
        throw error;
      }
      warn(
        `backed up ${plural(backup.policies.length, 'policy', 'policies')}, ${plural(backup.roles.length, 'role', 'roles')}, ` +
          `${plural(backup.tokens.length, 'token', 'tokens')}, ${plural(backup.legacy.length, 'legacy token', 'legacy tokens')}`,
      );
    });
  });
  addConnectionOptions(
    acl
      .command('restore')
      .summary('restore an ACL backup (consulate\'s, or the original consulate\'s legacy list)')
      .description(
        'Restore an ACL backup: consulate\'s (update what exists — policies/roles by ID or name, tokens by AccessorID — and create the rest), ' +
          'or the original consulate\'s list of legacy tokens {ID, Name, Type, Rules}, written through the legacy API (/v1/acl/update, Consul 1.4–1.10). ' +
          'Skipped and reported: the built-in global-management policy and anonymous token, the source cluster\'s master/bootstrap token ' +
          '(a token linking global-management whose description Consul wrote: "Master Token", "Initial Management Token", ' +
          '"Bootstrap Token (Global Management)"; legacy: a management token named "Master Token" or "Bootstrap Token"), ' +
          'auth-method and expired tokens, and IDs Consul would refuse. Each applied step is printed; on failure the rest is listed as not attempted.',
      )
      .option('-f, --file <file>', 'read this file instead of stdin')
      .option('-n, --no-replace', 'leave existing policies, roles and tokens as they are')
      .option('--dry-run', 'print what would be created, updated and skipped (on stdout); write nothing')
      .option('--include-master', 'also restore the source cluster\'s master/bootstrap token (a management token with the source\'s secret)')
      .option('--include-anonymous', 'also apply the anonymous token\'s policies and roles (legacy: rules) to this cluster\'s anonymous token'),
  ).action(async (opts: RestoreFlags, command: Command) => {
    const text = (await readInput(opts.file)).toString('utf8');
    // as kv restore says it (not JSON.parse's "Unexpected end of JSON input")
    if (text.trim() === '') throw new CliError('the input is empty: expected an ACL backup (consulate acl backup\'s JSON, or the original consulate\'s list of tokens)');
    let doc: unknown;
    try {
      doc = parseJson(text);
    } catch (error) {
      throw new CliError(`the ACL backup is not valid JSON: ${(error as Error).message}`);
    }
    const backup = parseAclBackup(doc);
    await withClient(command, async (client) => {
      const steps = await planAclRestore(client, backup, {
        noReplace: !opts.replace,
        includeMaster: opts.includeMaster === true,
        includeAnonymous: opts.includeAnonymous === true,
      });
      if (opts.dryRun) {
        const lines = steps.map((s) => (s.action === 'skip' ? `skip ${s.label}: ${s.reason ?? ''}` : `${s.action} ${s.label}`));
        await write(process.stdout, lines.length ? `${lines.join('\n')}\n` : '');
        const n = (action: AclStep['action']): number => steps.filter((s) => s.action === action).length;
        warn(`dry run: would create ${n('create')}, update ${n('update')}, skip ${n('skip')}; nothing was written`);
        return;
      }
      const report = await runAclRestore(steps);
      for (const line of counts(report)) warn(line);
      if (report.ok) return;
      for (const step of report.notAttempted) warn(`not attempted: ${step.action} ${step.label}`);
      warn(
        `acl restore incomplete: ${report.applied.length} applied (listed above), ${report.skipped.length} skipped, ` +
          `${report.failed.length} failed, ${report.notAttempted.length} not attempted`,
      );
      throw new CliError(`acl restore failed: ${report.failed[0]!.step.action} ${report.failed[0]!.step.label}: ${report.failed[0]!.error}`);
    }, 'Consul ignores ?dc= on ACL writes (they go to the datacenter of the agent you talk to)');
  });
}
