/**
 * The ACL API: tokens, policies, roles, auth methods, binding rules, login/logout, bootstrap,
 * replication and rules translation, plus consulate's legacy calls (`create`, `update`, `destroy`,
 * `info`, `clone`, `list`), as pure functions taking a {@link Client} first.
 *
 * How "missing" is reported differs per object on Consul 1.8.7, and these functions smooth it over:
 * a missing token or policy (403 `ACL not found`), role, auth method or binding rule (404) or legacy
 * token (`[]`) is `data: undefined`. A real denial (403 `Permission denied`) and an unknown *caller*
 * token (also 403 `ACL not found`) still throw {@link ForbiddenError}; see {@link tokenRead}.
 * A 404 that is not Consul's (an HTML page from a proxy) throws a `NotFoundError` instead.
 *
 * Consul 1.8.7 ignores `?dc=` on every ACL write (they go to the agent's datacenter and on to the
 * primary; a local token stays in the agent's datacenter) and on the legacy `info`/`list` reads:
 * there an explicit `datacenter` option is an {@link InputError}. The other reads and `login`/`logout` honour `datacenter`.
 *
 * Option objects are camelCase (`description`, `policies: [{ name }]`, `expirationTTL`…) and are
 * translated to Consul's fields; returned data keeps Consul's names (`AccessorID`, `SecretID`…).
 * The caller's token only ever travels in `X-Consul-Token`. The legacy API puts the *target*
 * token's secret in the URL path (Consul's design): errors of those calls redact it.
 * @see https://developer.hashicorp.com/consul/api-docs/acl
 * @module
 */
import type * as v from 'valibot';
import type { Client } from '../core/client.ts';
import type { Duration } from '../core/encoding.ts';
import { formatDuration } from '../core/encoding.ts';
import type { ForbiddenError } from '../core/errors.ts';
import { InputError, isConsulError, isForbiddenError } from '../core/errors.ts';
import { pathSegment } from '../core/path.ts';
import { withoutSecret } from '../core/redact.ts';
import { emptyMeta } from '../core/meta.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import { MISSING } from '../core/missing.ts';
import type { RequestSpec, Result } from '../core/request.ts';
import { drain, requestJson, requestJsonOrMissing, send } from '../core/request.ts';
import { refuseDatacenter } from '../core/routing.ts';
import type {
  ACLAuthMethod as ACLAuthMethodT,
  ACLAuthMethodListEntry as ACLAuthMethodListEntryT,
  ACLBindingRule as ACLBindingRuleT,
  ACLPolicy as ACLPolicyT,
  ACLPolicyListEntry as ACLPolicyListEntryT,
  ACLReplicationStatus as ACLReplicationStatusT,
  ACLRole as ACLRoleT,
  ACLToken as ACLTokenT,
  ACLTokenListEntry as ACLTokenListEntryT,
  LegacyACL as LegacyACLT,
} from '../schemas/acl.ts';
import {
  ACLAuthMethod,
  ACLAuthMethodList,
  ACLBindingRule,
  ACLBindingRuleList,
  ACLBoolean,
  ACLIDResult,
  ACLPolicy,
  ACLPolicyList,
  ACLReplicationStatus,
  ACLRole,
  ACLRoleList,
  ACLToken,
  ACLTokenList,
  LegacyACLList,
} from '../schemas/acl.ts';

/** Why an explicit `datacenter` option is refused on ACL writes (Consul 1.8.7 ignores `?dc=` there). */
const ACL_WRITE = 'ACL writes go to the datacenter of the agent you talk to and on to the primary; a local token stays in that datacenter';
/** Why an explicit `datacenter` option is refused on the legacy ACL reads (Consul 1.8.7 ignores `?dc=` there). */
const LEGACY_READ = 'legacy ACL reads answer from the datacenter of the agent you talk to';

export type {
  ACLAuthMethod,
  ACLAuthMethodListEntry,
  ACLBindingRule,
  ACLIDResult,
  ACLLink,
  ACLNodeIdentity,
  ACLPolicy,
  ACLPolicyListEntry,
  ACLReplicationStatus,
  ACLRole,
  ACLServiceIdentity,
  ACLToken,
  ACLTokenListEntry,
  LegacyACL,
} from '../schemas/acl.ts';

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

/** A policy or role to link, by ID or by name (give one; with both, Consul uses the ID). */
export type ACLLinkInput = { id: string; name?: string | undefined } | { id?: string | undefined; name: string };

/** A service identity: grants the synthetic policy of one service (and its sidecar proxy). */
export interface ACLServiceIdentityInput {
  /** The service's name. */
  serviceName: string;
  /** Datacenters where it applies (all when left out). */
  datacenters?: string[] | undefined;
}

/** A node identity: grants the synthetic policy of one node in one datacenter. */
export interface ACLNodeIdentityInput {
  /** The node's name. */
  nodeName: string;
  /** Its datacenter. */
  datacenter: string;
}

/** A token to create or (wholly) replace. */
export interface ACLTokenInput {
  /** Accessor ID (UUID) to use instead of a generated one (create only). */
  accessorId?: string | undefined;
  /** Secret ID (UUID) to use instead of a generated one (create only). */
  secretId?: string | undefined;
  /** Human-readable description. */
  description?: string | undefined;
  /** Policies to link. */
  policies?: ACLLinkInput[] | undefined;
  /** Roles to link. */
  roles?: ACLLinkInput[] | undefined;
  /** Service identities. */
  serviceIdentities?: ACLServiceIdentityInput[] | undefined;
  /** Node identities. */
  nodeIdentities?: ACLNodeIdentityInput[] | undefined;
  /** Keep the token in this datacenter only (not replicated). Cannot change on update. */
  local?: boolean | undefined;
  /** When the token expires (create only). */
  expirationTime?: Date | string | undefined;
  /** How long until the token expires, a Go duration or milliseconds (create only). */
  expirationTTL?: Duration | undefined;
}

/** A policy to create or (wholly) replace. */
export interface ACLPolicyInput {
  /** Unique name. */
  name: string;
  /** Human-readable description. */
  description?: string | undefined;
  /** Rules in HCL or JSON, e.g. `key_prefix "app/" { policy = "read" }`. */
  rules?: string | undefined;
  /** Datacenters where the policy applies (all when left out). */
  datacenters?: string[] | undefined;
}

/** A role to create or (wholly) replace. */
export interface ACLRoleInput {
  /** Unique name. */
  name: string;
  /** Human-readable description. */
  description?: string | undefined;
  /** Policies to link. */
  policies?: ACLLinkInput[] | undefined;
  /** Service identities. */
  serviceIdentities?: ACLServiceIdentityInput[] | undefined;
  /** Node identities. */
  nodeIdentities?: ACLNodeIdentityInput[] | undefined;
}

/** An auth method to create or (wholly) replace. */
export interface ACLAuthMethodInput {
  /** Unique name (on update, defaults to the name in the call). */
  name?: string | undefined;
  /** `kubernetes`, `jwt` or `oidc` (1.8.7). */
  type: string;
  /** Name to show in UIs. */
  displayName?: string | undefined;
  /** Human-readable description. */
  description?: string | undefined;
  /** Longest life of tokens made by `login`, a Go duration or milliseconds. */
  maxTokenTTL?: Duration | undefined;
  /** `local` (default) or `global` tokens. */
  tokenLocality?: 'local' | 'global' | undefined;
  /**
   * Type-specific configuration, **sent as is with Consul's field names** (`Host`, `CACert`,
   * `ServiceAccountJWT` for kubernetes; `JWTValidationPubKeys`, `BoundAudiences`, `ClaimMappings`… for jwt).
   */
  config?: Record<string, unknown> | undefined;
}

/** A binding rule to create or (wholly) replace. */
export interface ACLBindingRuleInput {
  /** The auth method it applies to (required on create; kept on update when left out). */
  authMethod?: string | undefined;
  /** What a login gets: a service identity, a node identity or a role. */
  bindType: 'service' | 'node' | 'role';
  /** Name of the service/node/role; may interpolate claims, e.g. `${value.svc}`. */
  bindName: string;
  /** Filter on the verified claims, e.g. `value.ns==default` (empty: every login). */
  selector?: string | undefined;
  /** Human-readable description. */
  description?: string | undefined;
}

/** What `login` exchanges for a token. */
export interface ACLLoginInput {
  /** The auth method's name. */
  authMethod: string;
  /** The credential it verifies (a JWT, a Kubernetes service-account token…). */
  bearerToken: string;
  /** Metadata stored in the created token's description. */
  meta?: Record<string, string> | undefined;
}

/** Options of {@link tokenList}. */
export interface ACLTokenListOptions extends ReadOptions {
  /** Only tokens linked to this policy ID. */
  policy?: string | undefined;
  /** Only tokens linked to this role ID. */
  role?: string | undefined;
  /** Only tokens created by this auth method (name). */
  authMethod?: string | undefined;
}

/** Options of {@link roleList}. */
export interface ACLRoleListOptions extends ReadOptions {
  /** Only roles linked to this policy ID. */
  policy?: string | undefined;
}

/** Options of {@link bindingRuleList}. */
export interface ACLBindingRuleListOptions extends ReadOptions {
  /** Only the rules of this auth method (name). */
  authMethod?: string | undefined;
}

/** Options of the legacy {@link create} and {@link update}. */
export interface LegacyACLOptions extends WriteOptions {
  /** `client` (default) or `management`. */
  type?: 'client' | 'management' | undefined;
  /** Rules in HCL or JSON. */
  rules?: string | undefined;
}

/** Options of the legacy {@link create}. */
export interface LegacyACLCreateOptions extends LegacyACLOptions {
  /** The secret to use instead of a generated one. */
  id?: string | undefined;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function put(body: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) body[key] = value;
}

function linkBody(link: ACLLinkInput, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (link.id) out['ID'] = link.id;
  if (link.name) out['Name'] = link.name;
  if (!out['ID'] && !out['Name']) throw new InputError(`each of ${what} needs an id or a name`);
  return out;
}

function identitiesBody(
  body: Record<string, unknown>,
  input: { policies?: ACLLinkInput[] | undefined; roles?: ACLLinkInput[] | undefined; serviceIdentities?: ACLServiceIdentityInput[] | undefined; nodeIdentities?: ACLNodeIdentityInput[] | undefined },
): void {
  put(body, 'Policies', input.policies?.map((l) => linkBody(l, 'policies')));
  put(body, 'Roles', input.roles?.map((l) => linkBody(l, 'roles')));
  put(
    body,
    'ServiceIdentities',
    input.serviceIdentities?.map((s) => {
      if (!s.serviceName) throw new InputError('each service identity needs a serviceName');
      const out: Record<string, unknown> = { ServiceName: s.serviceName };
      put(out, 'Datacenters', s.datacenters);
      return out;
    }),
  );
  put(
    body,
    'NodeIdentities',
    input.nodeIdentities?.map((n) => {
      if (!n.nodeName || !n.datacenter) throw new InputError('each node identity needs a nodeName and a datacenter');
      return { NodeName: n.nodeName, Datacenter: n.datacenter };
    }),
  );
}

function tokenBody(input: ACLTokenInput): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  put(body, 'AccessorID', input.accessorId);
  put(body, 'SecretID', input.secretId);
  put(body, 'Description', input.description);
  identitiesBody(body, input);
  put(body, 'Local', input.local);
  const time = input.expirationTime;
  put(body, 'ExpirationTime', time instanceof Date ? time.toISOString() : time);
  put(body, 'ExpirationTTL', input.expirationTTL === undefined ? undefined : formatDuration(input.expirationTTL, 'expirationTTL'));
  return body;
}

function policyBody(input: ACLPolicyInput): Record<string, unknown> {
  if (!input?.name) throw new InputError('a policy needs a name');
  const body: Record<string, unknown> = { Name: input.name };
  put(body, 'Description', input.description);
  put(body, 'Rules', input.rules);
  put(body, 'Datacenters', input.datacenters);
  return body;
}

function roleBody(input: ACLRoleInput): Record<string, unknown> {
  if (!input?.name) throw new InputError('a role needs a name');
  const body: Record<string, unknown> = { Name: input.name };
  put(body, 'Description', input.description);
  identitiesBody(body, input);
  return body;
}

function authMethodBody(input: ACLAuthMethodInput, name: string | undefined): Record<string, unknown> {
  const n = name ?? input?.name;
  if (!n) throw new InputError('an auth method needs a name');
  if (!input.type) throw new InputError('an auth method needs a type');
  const body: Record<string, unknown> = { Name: n, Type: input.type };
  put(body, 'DisplayName', input.displayName);
  put(body, 'Description', input.description);
  put(body, 'MaxTokenTTL', input.maxTokenTTL === undefined ? undefined : formatDuration(input.maxTokenTTL, 'maxTokenTTL'));
  put(body, 'TokenLocality', input.tokenLocality);
  put(body, 'Config', input.config);
  return body;
}

function bindingRuleBody(input: ACLBindingRuleInput): Record<string, unknown> {
  if (!input?.bindType || !input.bindName) throw new InputError('a binding rule needs a bindType and a bindName');
  const body: Record<string, unknown> = { BindType: input.bindType, BindName: input.bindName };
  put(body, 'AuthMethod', input.authMethod);
  put(body, 'Selector', input.selector);
  put(body, 'Description', input.description);
  return body;
}

/** Consul's text for both "no such ACL object" and "your token is unknown". */
const ACL_NOT_FOUND = 'ACL not found';

/** Whether the caller's token resolves (token/self answers); an anonymous caller always does. */
async function callerTokenResolves(client: Client, options: ReadOptions): Promise<boolean> {
  const token = options.token ?? client.config.token;
  const header = Object.keys(client.config.headers).some((h) => /^(x-consul-token|authorization)$/i.test(h));
  if (!token && !header) return true;
  const probe: ReadOptions = {};
  if (options.datacenter !== undefined) probe.datacenter = options.datacenter;
  if (options.namespace !== undefined) probe.namespace = options.namespace;
  if (options.partition !== undefined) probe.partition = options.partition;
  if (options.token !== undefined) probe.token = options.token;
  if (options.signal !== undefined) probe.signal = options.signal;
  try {
    const { response } = await send(client, { path: 'acl/token/self', options: probe });
    await drain(response);
    return true;
  } catch (error) {
    if (isForbiddenError(error) && error.consulMessage === ACL_NOT_FOUND) return false;
    throw error;
  }
}

/**
 * A read where 403 `ACL not found` means "no such object" — unless the caller's own token is the
 * unknown one, which a `token/self` probe tells apart (only on that answer).
 */
async function readAclObject<T>(
  client: Client,
  spec: RequestSpec,
  schema: v.GenericSchema<unknown, T>,
  options: ReadOptions,
): Promise<Result<T | undefined>> {
  try {
    return await requestJson(client, spec, schema);
  } catch (error) {
    if (isForbiddenError(error) && error.consulMessage === ACL_NOT_FOUND && (await callerTokenResolves(client, options))) {
      return { data: undefined, meta: emptyMeta(403) };
    }
    throw error;
  }
}

/**
 * A copy of a consulate error without `secret` in its message, path or Consul text (legacy calls put
 * the secret in the URL): same class and fields, minus its `cause` (a fetch failure may quote the URL).
 */
function redactSecret(error: unknown, secret: string, hint?: { when: RegExp; text: string }): unknown {
  if (!isConsulError(error)) return error;
  return withoutSecret(error, secret, hint && hint.when.test(error.consulMessage ?? '') ? ` (${hint.text})` : '');
}

async function legacyCall<T>(secret: string, call: () => Promise<T>, hint?: { when: RegExp; text: string }): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw redactSecret(error, secret, hint);
  }
}

async function text(client: Client, spec: RequestSpec): Promise<Result<string>> {
  const { response, meta } = await send(client, spec);
  return { data: await response.text(), meta };
}

// ---------------------------------------------------------------------------------------------
// Bootstrap, replication
// ---------------------------------------------------------------------------------------------

/**
 * Bootstraps the ACL system once: creates the first management token (consulate's `bootstrap`).
 * The answer also carries the legacy `ID` (equal to `SecretID`), so `data.ID` works as before.
 * @returns the new management token.
 * @throws {ForbiddenError} when the cluster is already bootstrapped (Consul: `Permission denied: ACL
 *   bootstrap no longer allowed (reset index: N)`), e.g. because a master token is configured.
 * @throws {HttpError} with status 401 when ACLs are disabled.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl#bootstrap-acls
 * @example
 * ```ts
 * const { data: root } = await acl.bootstrap(client);
 * const admin = withConfig(client, { token: root.SecretID });
 * ```
 */
export async function bootstrap(client: Client, options: WriteOptions = {}): Promise<Result<ACLTokenT>> {
  refuseDatacenter(options, 'acl.bootstrap', ACL_WRITE);
  return requestJson(client, { method: 'PUT', path: 'acl/bootstrap', options }, ACLToken);
}

/**
 * ACL replication status of the answering datacenter (needs no token on 1.8.7).
 * @returns `Enabled`, `Running`, `SourceDatacenter`, `ReplicationType`, replicated indexes…
 * @throws {HttpError} with status 401 when ACLs are disabled.
 * @see https://developer.hashicorp.com/consul/api-docs/acl#check-acl-replication
 * @example const { data } = await acl.replication(client); // data.Enabled
 */
export async function replication(client: Client, options: ReadOptions = {}): Promise<Result<ACLReplicationStatusT>> {
  return requestJson(client, { path: 'acl/replication', options }, ACLReplicationStatus);
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

/**
 * Creates a token linked to policies, roles and identities.
 * @param input - camelCase fields, translated to Consul's (`policies: [{ name }]` → `Policies: [{ Name }]`).
 * @returns the token, with its `AccessorID` and `SecretID`.
 * @throws {InputError} for a link without id/name or a bad `expirationTTL`, before sending.
 * @throws {ForbiddenError} without `acl = "write"`.
 * @throws {ServerError} when Consul rejects the token (e.g. an unknown policy name).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/tokens#create-a-token
 * @example
 * ```ts
 * const { data: token } = await acl.tokenCreate(admin, {
 *   description: 'web app', policies: [{ name: 'web-kv' }], expirationTTL: '24h',
 * });
 * ```
 */
export async function tokenCreate(client: Client, input: ACLTokenInput = {}, options: WriteOptions = {}): Promise<Result<ACLTokenT>> {
  refuseDatacenter(options, 'acl.tokenCreate', ACL_WRITE);
  return requestJson(client, { method: 'PUT', path: 'acl/token', json: tokenBody(input), options }, ACLToken);
}

/**
 * Reads a token by its accessor ID; `data` is `undefined` when there is no such token.
 *
 * Consul 1.8.7 answers a missing token with 403 `ACL not found` — the same answer it gives when the
 * *caller's* token is unknown. On that answer (only) this function asks `token/self` with the same
 * token: if the caller's token resolves, the target is missing (`undefined`); if not, the original
 * {@link ForbiddenError} is thrown. A `Permission denied` always throws.
 * @param accessorId - the token's `AccessorID` (not its secret).
 * @returns the token (`SecretID` is `"<hidden>"` for callers with only `acl = "read"`), or `undefined`
 *   (then `meta.status` is 403 and the other `meta` fields are empty).
 * @throws {ForbiddenError} without `acl = "read"`, or when the caller's token is unknown.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/tokens#read-a-token
 * @example const { data: token } = await acl.tokenRead(admin, accessorId);
 */
export async function tokenRead(client: Client, accessorId: string, options: ReadOptions = {}): Promise<Result<ACLTokenT | undefined>> {
  return readAclObject(client, { path: `acl/token/${pathSegment(accessorId, 'accessorId')}`, options }, ACLToken, options);
}

/**
 * Reads the token the request is made with (the client's, or `options.token`). Needs no permission.
 * @returns the caller's token.
 * @throws {ForbiddenError} `ACL not found` when that token is unknown (or for the anonymous token).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/tokens#read-self-token
 * @example const { data: me } = await acl.tokenReadSelf(client); // me.Policies
 */
export async function tokenReadSelf(client: Client, options: ReadOptions = {}): Promise<Result<ACLTokenT>> {
  return requestJson(client, { path: 'acl/token/self', options }, ACLToken);
}

/**
 * Replaces a token's description, links and identities (fields left out are cleared;
 * `local`, `accessorId`/`secretId` and expiration cannot change).
 * @returns the updated token.
 * @throws {ForbiddenError} without `acl = "write"`.
 * @throws {ServerError} `Cannot find token …` when it does not exist.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/tokens#update-a-token
 * @example await acl.tokenUpdate(admin, accessorId, { description: 'web', policies: [{ name: 'web-kv' }] });
 */
export async function tokenUpdate(
  client: Client,
  accessorId: string,
  input: ACLTokenInput,
  options: WriteOptions = {},
): Promise<Result<ACLTokenT>> {
  refuseDatacenter(options, 'acl.tokenUpdate', ACL_WRITE);
  const path = `acl/token/${pathSegment(accessorId, 'accessorId')}`;
  return requestJson(client, { method: 'PUT', path, json: tokenBody(input), options }, ACLToken);
}

/**
 * Clones a token: same links and identities, new accessor and secret.
 * @param input - `description` for the clone (defaults to the original's).
 * @returns the new token.
 * @throws {ForbiddenError} without `acl = "write"`, or `ACL not found` for an unknown token.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/tokens#clone-a-token
 * @example const { data: copy } = await acl.tokenClone(admin, accessorId, { description: 'copy' });
 */
export async function tokenClone(
  client: Client,
  accessorId: string,
  input: { description?: string | undefined } = {},
  options: WriteOptions = {},
): Promise<Result<ACLTokenT>> {
  refuseDatacenter(options, 'acl.tokenClone', ACL_WRITE);
  const body: Record<string, unknown> = {};
  put(body, 'Description', input.description);
  const path = `acl/token/${pathSegment(accessorId, 'accessorId')}/clone`;
  return requestJson(client, { method: 'PUT', path, json: body, options }, ACLToken);
}

/**
 * Deletes a token by accessor ID (`delete` in the facade). Deleting a missing token succeeds.
 * @returns `true` (Consul's answer).
 * @throws {ForbiddenError} without `acl = "write"`.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/tokens#delete-a-token
 * @example await acl.tokenDelete(admin, accessorId);
 */
export async function tokenDelete(client: Client, accessorId: string, options: WriteOptions = {}): Promise<Result<boolean>> {
  refuseDatacenter(options, 'acl.tokenDelete', ACL_WRITE);
  return requestJson(client, { method: 'DELETE', path: `acl/token/${pathSegment(accessorId, 'accessorId')}`, options }, ACLBoolean);
}

/**
 * Lists tokens (without their secrets), optionally only those linked to a policy or role or made
 * by an auth method.
 * @returns the tokens.
 * @throws {ForbiddenError} without `acl = "read"` — also for the anonymous token: on 1.8.7 ACL
 *   listings are denied, not filtered.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/tokens#list-tokens
 * @example const { data } = await acl.tokenList(admin, { policy: policyId });
 */
export async function tokenList(client: Client, options: ACLTokenListOptions = {}): Promise<Result<ACLTokenListEntryT[]>> {
  const { policy, role, authMethod, ...rest } = options;
  return requestJson(client, { path: 'acl/tokens', params: { policy, role, authmethod: authMethod }, options: rest }, ACLTokenList);
}

// ---------------------------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------------------------

/**
 * Creates a policy.
 * @returns the policy with its `ID`.
 * @throws {InputError} without a name, before sending.
 * @throws {ServerError} for rules Consul cannot parse or a name already taken (Consul answers 500).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/policies#create-a-policy
 * @example
 * ```ts
 * await acl.policyCreate(admin, { name: 'web-kv', rules: 'key_prefix "web/" { policy = "write" }' });
 * ```
 */
export async function policyCreate(client: Client, input: ACLPolicyInput, options: WriteOptions = {}): Promise<Result<ACLPolicyT>> {
  refuseDatacenter(options, 'acl.policyCreate', ACL_WRITE);
  return requestJson(client, { method: 'PUT', path: 'acl/policy', json: policyBody(input), options }, ACLPolicy);
}

/**
 * Reads a policy by ID; `undefined` when it does not exist (403 `ACL not found`, told apart from an
 * unknown caller token as in {@link tokenRead}).
 * @returns the policy with its rules, or `undefined`.
 * @throws {ForbiddenError} without `acl = "read"`, or when the caller's token is unknown.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/policies#read-a-policy
 * @example const { data: policy } = await acl.policyRead(admin, policyId);
 */
export async function policyRead(client: Client, id: string, options: ReadOptions = {}): Promise<Result<ACLPolicyT | undefined>> {
  return readAclObject(client, { path: `acl/policy/${pathSegment(id, 'id')}`, options }, ACLPolicy, options);
}

/**
 * Reads a policy by name (present on 1.8.7); `undefined` when there is none.
 * @returns the policy, or `undefined`.
 * @throws {ForbiddenError} without `acl = "read"`, or when the caller's token is unknown.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/policies#read-a-policy-by-name
 * @example const { data } = await acl.policyReadByName(admin, 'global-management');
 */
export async function policyReadByName(client: Client, name: string, options: ReadOptions = {}): Promise<Result<ACLPolicyT | undefined>> {
  return readAclObject(client, { path: `acl/policy/name/${pathSegment(name, 'name')}`, options }, ACLPolicy, options);
}

/**
 * Replaces a policy (name, description, rules, datacenters; fields left out are cleared).
 * @returns the updated policy.
 * @throws {ServerError} for invalid rules or a missing name (Consul answers 500).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/policies#update-a-policy
 * @example await acl.policyUpdate(admin, id, { name: 'web-kv', rules: 'key_prefix "web/" { policy = "read" }' });
 */
export async function policyUpdate(
  client: Client,
  id: string,
  input: ACLPolicyInput,
  options: WriteOptions = {},
): Promise<Result<ACLPolicyT>> {
  refuseDatacenter(options, 'acl.policyUpdate', ACL_WRITE);
  return requestJson(client, { method: 'PUT', path: `acl/policy/${pathSegment(id, 'id')}`, json: policyBody(input), options }, ACLPolicy);
}

/**
 * Deletes a policy (`delete` in the facade). Deleting a missing policy succeeds.
 * @returns `true`.
 * @throws {ForbiddenError} without `acl = "write"`.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/policies#delete-a-policy
 * @example await acl.policyDelete(admin, id);
 */
export async function policyDelete(client: Client, id: string, options: WriteOptions = {}): Promise<Result<boolean>> {
  refuseDatacenter(options, 'acl.policyDelete', ACL_WRITE);
  return requestJson(client, { method: 'DELETE', path: `acl/policy/${pathSegment(id, 'id')}`, options }, ACLBoolean);
}

/**
 * Lists policies (without their rules).
 * @returns the policies.
 * @throws {ForbiddenError} without `acl = "read"` (also for the anonymous token).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/policies#list-policies
 * @example const { data } = await acl.policyList(admin);
 */
export async function policyList(client: Client, options: ReadOptions = {}): Promise<Result<ACLPolicyListEntryT[]>> {
  return requestJson(client, { path: 'acl/policies', options }, ACLPolicyList);
}

// ---------------------------------------------------------------------------------------------
// Roles
// ---------------------------------------------------------------------------------------------

/**
 * Creates a role (a named set of policies and identities).
 * @returns the role with its `ID`.
 * @throws {ServerError} for a taken name or an unknown policy (Consul answers 500).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/roles#create-a-role
 * @example await acl.roleCreate(admin, { name: 'web', policies: [{ name: 'web-kv' }], serviceIdentities: [{ serviceName: 'web' }] });
 */
export async function roleCreate(client: Client, input: ACLRoleInput, options: WriteOptions = {}): Promise<Result<ACLRoleT>> {
  refuseDatacenter(options, 'acl.roleCreate', ACL_WRITE);
  return requestJson(client, { method: 'PUT', path: 'acl/role', json: roleBody(input), options }, ACLRole);
}

/**
 * Reads a role by ID; `undefined` when it does not exist (Consul answers 404).
 * Consul's "missing" 404 here has no mark (empty, no header), so a foreign empty 404 also reads as
 * missing; only an HTML page is refused.
 * @returns the role, or `undefined`.
 * @throws {ForbiddenError} without `acl = "read"`.
 * @throws {NotFoundError} when the 404 is an HTML page (a proxy's, a wrong `pathPrefix`): never Consul's.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/roles#read-a-role
 * @example const { data: role } = await acl.roleRead(admin, roleId);
 */
export async function roleRead(client: Client, id: string, options: ReadOptions = {}): Promise<Result<ACLRoleT | undefined>> {
  return requestJsonOrMissing(client, { path: `acl/role/${pathSegment(id, 'id')}`, options }, ACLRole, MISSING.acl);
}

/**
 * Reads a role by name; `undefined` when there is none.
 * Consul's "missing" 404 here has no mark (empty, no header), so a foreign empty 404 also reads as
 * missing; only an HTML page is refused.
 * @returns the role, or `undefined`.
 * @throws {ForbiddenError} without `acl = "read"`.
 * @throws {NotFoundError} when the 404 is an HTML page (a proxy's, a wrong `pathPrefix`): never Consul's.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/roles#read-a-role-by-name
 * @example const { data: role } = await acl.roleReadByName(admin, 'web');
 */
export async function roleReadByName(client: Client, name: string, options: ReadOptions = {}): Promise<Result<ACLRoleT | undefined>> {
  return requestJsonOrMissing(client, { path: `acl/role/name/${pathSegment(name, 'name')}`, options }, ACLRole, MISSING.acl);
}

/**
 * Replaces a role (fields left out are cleared).
 * @returns the updated role.
 * @throws {ServerError} for a missing name or an unknown policy (Consul answers 500).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/roles#update-a-role
 * @example await acl.roleUpdate(admin, roleId, { name: 'web', description: 'web servers' });
 */
export async function roleUpdate(client: Client, id: string, input: ACLRoleInput, options: WriteOptions = {}): Promise<Result<ACLRoleT>> {
  refuseDatacenter(options, 'acl.roleUpdate', ACL_WRITE);
  return requestJson(client, { method: 'PUT', path: `acl/role/${pathSegment(id, 'id')}`, json: roleBody(input), options }, ACLRole);
}

/**
 * Deletes a role (`delete` in the facade). Deleting a missing role succeeds.
 * @returns `true`.
 * @throws {ForbiddenError} without `acl = "write"`.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/roles#delete-a-role
 * @example await acl.roleDelete(admin, roleId);
 */
export async function roleDelete(client: Client, id: string, options: WriteOptions = {}): Promise<Result<boolean>> {
  refuseDatacenter(options, 'acl.roleDelete', ACL_WRITE);
  return requestJson(client, { method: 'DELETE', path: `acl/role/${pathSegment(id, 'id')}`, options }, ACLBoolean);
}

/**
 * Lists roles, optionally only those linked to a policy.
 * @returns the roles.
 * @throws {ForbiddenError} without `acl = "read"`.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/roles#list-roles
 * @example const { data } = await acl.roleList(admin, { policy: policyId });
 */
export async function roleList(client: Client, options: ACLRoleListOptions = {}): Promise<Result<ACLRoleT[]>> {
  const { policy, ...rest } = options;
  return requestJson(client, { path: 'acl/roles', params: { policy }, options: rest }, ACLRoleList);
}

// ---------------------------------------------------------------------------------------------
// Auth methods
// ---------------------------------------------------------------------------------------------

/**
 * Creates an auth method. Consul checks the configuration's syntax (e.g. a kubernetes `CACert` must
 * be a PEM certificate, `Host` is required) but does not contact the host.
 * @returns the auth method.
 * @throws {ServerError} `Invalid Auth Method: …` for a bad configuration (Consul answers 500).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/auth-methods#create-an-auth-method
 * @example
 * ```ts
 * await acl.authMethodCreate(admin, {
 *   name: 'ci', type: 'jwt', maxTokenTTL: '1h',
 *   config: { JWTValidationPubKeys: [pem], BoundAudiences: ['consul'] },
 * });
 * ```
 */
export async function authMethodCreate(client: Client, input: ACLAuthMethodInput, options: WriteOptions = {}): Promise<Result<ACLAuthMethodT>> {
  refuseDatacenter(options, 'acl.authMethodCreate', ACL_WRITE);
  return requestJson(client, { method: 'PUT', path: 'acl/auth-method', json: authMethodBody(input, undefined), options }, ACLAuthMethod);
}

/**
 * Reads an auth method by name; `undefined` when it does not exist (Consul answers 404).
 * Consul's "missing" 404 here has no mark (empty, no header), so a foreign empty 404 also reads as
 * missing; only an HTML page is refused.
 * @returns the auth method with its `Config`, or `undefined`.
 * @throws {ForbiddenError} without `acl = "read"`.
 * @throws {NotFoundError} when the 404 is an HTML page (a proxy's, a wrong `pathPrefix`): never Consul's.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/auth-methods#read-an-auth-method
 * @example const { data } = await acl.authMethodRead(admin, 'ci');
 */
export async function authMethodRead(client: Client, name: string, options: ReadOptions = {}): Promise<Result<ACLAuthMethodT | undefined>> {
  return requestJsonOrMissing(client, { path: `acl/auth-method/${pathSegment(name, 'name')}`, options }, ACLAuthMethod, MISSING.acl);
}

/**
 * Replaces an auth method's settings (its name and type cannot change).
 * @returns the updated auth method.
 * @throws {ServerError} `Invalid Auth Method: …` for a bad configuration.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/auth-methods#update-an-auth-method
 * @example await acl.authMethodUpdate(admin, 'ci', { type: 'jwt', description: 'CI logins', config });
 */
export async function authMethodUpdate(
  client: Client,
  name: string,
  input: ACLAuthMethodInput,
  options: WriteOptions = {},
): Promise<Result<ACLAuthMethodT>> {
  refuseDatacenter(options, 'acl.authMethodUpdate', ACL_WRITE);
  const path = `acl/auth-method/${pathSegment(name, 'name')}`;
  return requestJson(client, { method: 'PUT', path, json: authMethodBody(input, name), options }, ACLAuthMethod);
}

/**
 * Deletes an auth method with its binding rules and the tokens it created (`delete` in the facade).
 * Deleting a missing one succeeds.
 * @returns `true`.
 * @throws {ForbiddenError} without `acl = "write"`.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/auth-methods#delete-an-auth-method
 * @example await acl.authMethodDelete(admin, 'ci');
 */
export async function authMethodDelete(client: Client, name: string, options: WriteOptions = {}): Promise<Result<boolean>> {
  refuseDatacenter(options, 'acl.authMethodDelete', ACL_WRITE);
  return requestJson(client, { method: 'DELETE', path: `acl/auth-method/${pathSegment(name, 'name')}`, options }, ACLBoolean);
}

/**
 * Lists auth methods (without their `Config`).
 * @returns the auth methods.
 * @throws {ForbiddenError} without `acl = "read"`.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/auth-methods#list-auth-methods
 * @example const { data } = await acl.authMethodList(admin);
 */
export async function authMethodList(client: Client, options: ReadOptions = {}): Promise<Result<ACLAuthMethodListEntryT[]>> {
  return requestJson(client, { path: 'acl/auth-methods', options }, ACLAuthMethodList);
}

// ---------------------------------------------------------------------------------------------
// Binding rules
// ---------------------------------------------------------------------------------------------

/**
 * Creates a binding rule for an auth method.
 * @returns the rule with its `ID`.
 * @throws {InputError} without `authMethod`, `bindType` or `bindName`, before sending.
 * @throws {ServerError} for an unknown auth method or a bad selector (Consul answers 500).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/binding-rules#create-a-binding-rule
 * @example await acl.bindingRuleCreate(admin, { authMethod: 'ci', bindType: 'service', bindName: '${value.svc}' });
 */
export async function bindingRuleCreate(client: Client, input: ACLBindingRuleInput, options: WriteOptions = {}): Promise<Result<ACLBindingRuleT>> {
  refuseDatacenter(options, 'acl.bindingRuleCreate', ACL_WRITE);
  if (!input?.authMethod) throw new InputError('a binding rule needs an authMethod');
  return requestJson(client, { method: 'PUT', path: 'acl/binding-rule', json: bindingRuleBody(input), options }, ACLBindingRule);
}

/**
 * Reads a binding rule by ID; `undefined` when it does not exist (Consul answers 404).
 * Consul's "missing" 404 here has no mark (empty, no header), so a foreign empty 404 also reads as
 * missing; only an HTML page is refused.
 * @returns the rule, or `undefined`.
 * @throws {ForbiddenError} without `acl = "read"`.
 * @throws {NotFoundError} when the 404 is an HTML page (a proxy's, a wrong `pathPrefix`): never Consul's.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/binding-rules#read-a-binding-rule
 * @example const { data: rule } = await acl.bindingRuleRead(admin, ruleId);
 */
export async function bindingRuleRead(client: Client, id: string, options: ReadOptions = {}): Promise<Result<ACLBindingRuleT | undefined>> {
  return requestJsonOrMissing(client, { path: `acl/binding-rule/${pathSegment(id, 'id')}`, options }, ACLBindingRule, MISSING.acl);
}

/**
 * Replaces a binding rule (its auth method is kept when `authMethod` is left out).
 * @returns the updated rule.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/binding-rules#update-a-binding-rule
 * @example await acl.bindingRuleUpdate(admin, ruleId, { bindType: 'service', bindName: 'web', selector: 'value.svc==web' });
 */
export async function bindingRuleUpdate(
  client: Client,
  id: string,
  input: ACLBindingRuleInput,
  options: WriteOptions = {},
): Promise<Result<ACLBindingRuleT>> {
  refuseDatacenter(options, 'acl.bindingRuleUpdate', ACL_WRITE);
  const path = `acl/binding-rule/${pathSegment(id, 'id')}`;
  return requestJson(client, { method: 'PUT', path, json: bindingRuleBody(input), options }, ACLBindingRule);
}

/**
 * Deletes a binding rule (`delete` in the facade). Deleting a missing one succeeds.
 * @returns `true`.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/binding-rules#delete-a-binding-rule
 * @example await acl.bindingRuleDelete(admin, ruleId);
 */
export async function bindingRuleDelete(client: Client, id: string, options: WriteOptions = {}): Promise<Result<boolean>> {
  refuseDatacenter(options, 'acl.bindingRuleDelete', ACL_WRITE);
  return requestJson(client, { method: 'DELETE', path: `acl/binding-rule/${pathSegment(id, 'id')}`, options }, ACLBoolean);
}

/**
 * Lists binding rules, optionally only those of one auth method.
 * @returns the rules.
 * @throws {ForbiddenError} without `acl = "read"`.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/binding-rules#list-binding-rules
 * @example const { data } = await acl.bindingRuleList(admin, { authMethod: 'ci' });
 */
export async function bindingRuleList(client: Client, options: ACLBindingRuleListOptions = {}): Promise<Result<ACLBindingRuleT[]>> {
  const { authMethod, ...rest } = options;
  return requestJson(client, { path: 'acl/binding-rules', params: { authmethod: authMethod }, options: rest }, ACLBindingRuleList);
}

// ---------------------------------------------------------------------------------------------
// Login, logout, rules translation
// ---------------------------------------------------------------------------------------------

/**
 * Exchanges a credential verified by an auth method (a JWT, a Kubernetes service-account token…)
 * for a Consul token whose links come from the matching binding rules. Needs no token.
 * @returns the new token (its `AuthMethod` set; `Local` unless the method makes global tokens).
 * @throws {ForbiddenError} `ACL not found` for an unknown auth method, `Permission denied` when no
 *   binding rule matches.
 * @throws {ServerError} when the credential does not verify (Consul answers 500 with the reason).
 * @see https://developer.hashicorp.com/consul/api-docs/acl#login-to-auth-method
 * @example
 * ```ts
 * const { data: token } = await acl.login(client, { authMethod: 'ci', bearerToken: jwt, meta: { job: '42' } });
 * ```
 */
export async function login(client: Client, input: ACLLoginInput, options: WriteOptions = {}): Promise<Result<ACLTokenT>> {
  if (!input?.authMethod || !input.bearerToken) throw new InputError('login needs an authMethod and a bearerToken');
  const body: Record<string, unknown> = { AuthMethod: input.authMethod, BearerToken: input.bearerToken };
  put(body, 'Meta', input.meta);
  return requestJson(client, { method: 'POST', path: 'acl/login', json: body, options }, ACLToken);
}

/**
 * Destroys the token the request is made with (`options.token` or the client's), which must have
 * been created by {@link login}.
 * @returns `true`.
 * @throws {ForbiddenError} `Permission denied` for a token not made by `login`; `ACL not found` for an
 *   unknown (or already logged-out) token or when no token is sent.
 * @see https://developer.hashicorp.com/consul/api-docs/acl#logout-from-auth-method
 * @example await acl.logout(client, { token: loginToken.SecretID });
 */
export async function logout(client: Client, options: WriteOptions = {}): Promise<Result<boolean>> {
  return requestJson(client, { method: 'POST', path: 'acl/logout', options }, ACLBoolean);
}

/**
 * Translates legacy rules (`key "a" {…}`) to the current syntax (`key_prefix "a" {…}`).
 * @param rules - legacy rules, HCL or JSON.
 * @returns the translated rules (HCL text).
 * @throws {BadRequestError} for rules Consul cannot parse.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to translates).
 * @see https://developer.hashicorp.com/consul/api-docs/acl#translate-rules
 * @example const { data } = await acl.rulesTranslate(admin, 'key "app/" { policy = "read" }');
 */
export async function rulesTranslate(client: Client, rules: string, options: WriteOptions = {}): Promise<Result<string>> {
  refuseDatacenter(options, 'acl.rulesTranslate', 'the agent you talk to translates the rules itself');
  if (typeof rules !== 'string') throw new InputError('rules must be a string');
  return text(client, { method: 'POST', path: 'acl/rules/translate', body: rules, headers: { 'Content-Type': 'text/plain' }, options });
}

/**
 * Translates a legacy token's rules to the current syntax.
 * @param accessorId - the legacy token's `AccessorID`.
 * @returns the translated rules (HCL text).
 * @throws {ServerError} `The specified token does not have any rules set` for a token without legacy rules.
 * @see https://developer.hashicorp.com/consul/api-docs/acl#translate-a-legacy-token-s-rules
 * @example const { data } = await acl.rulesTranslateToken(admin, accessorId);
 */
export async function rulesTranslateToken(client: Client, accessorId: string, options: ReadOptions = {}): Promise<Result<string>> {
  return text(client, { path: `acl/rules/translate/${pathSegment(accessorId, 'accessorId')}`, options });
}

// ---------------------------------------------------------------------------------------------
// Legacy API (consulate's names). Deprecated by Consul 1.4, removed in 1.11.
// ---------------------------------------------------------------------------------------------

/**
 * Legacy: creates a token with a name, a type and rules (consulate's `acl.create`).
 * @param name - opaque to Consul; a meaningful label.
 * @returns the new token's ID (its secret).
 * @throws {ForbiddenError} without a management token.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/v1.12.x/acl/legacy#create-acl-token
 * @example const { data: id } = await acl.create(admin, 'app', { rules: 'key "app/" { policy = "read" }' });
 */
export async function create(client: Client, name: string, options: LegacyACLCreateOptions = {}): Promise<Result<string>> {
  refuseDatacenter(options, 'acl.create', ACL_WRITE);
  const { type, rules, id, ...rest } = options;
  const body: Record<string, unknown> = { Name: name, Type: type ?? 'client' };
  put(body, 'Rules', rules);
  put(body, 'ID', id);
  const { data, meta } = await requestJson(client, { method: 'PUT', path: 'acl/create', json: body, options: rest }, ACLIDResult);
  return { data: data.ID, meta };
}

/**
 * Legacy: updates a legacy token, or creates it with this ID when it does not exist (Consul 1.8.7
 * upserts; consulate's `acl.update`).
 * @returns the token's ID.
 * @throws {ServerError} `Cannot use legacy endpoint to modify a non-legacy token` for a token made
 *   by the current API (`consulMessage` holds Consul's text; use {@link tokenUpdate}).
 * @throws {BadRequestError} `ACL ID must be set` for an empty ID.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/v1.12.x/acl/legacy#update-acl-token
 * @example await acl.update(admin, id, 'app', { type: 'client', rules });
 */
export async function update(client: Client, id: string, name: string, options: LegacyACLOptions = {}): Promise<Result<string>> {
  refuseDatacenter(options, 'acl.update', ACL_WRITE);
  const { type, rules, ...rest } = options;
  const body: Record<string, unknown> = { ID: id, Name: name, Type: type ?? 'client' };
  put(body, 'Rules', rules);
  const { data, meta } = await legacyCall(
    id,
    () => requestJson(client, { method: 'PUT', path: 'acl/update', json: body, options: rest }, ACLIDResult),
    { when: /non-legacy token/, text: 'use acl.tokenUpdate for tokens made by the current ACL API' },
  );
  return { data: data.ID, meta };
}

/**
 * Legacy: deletes a token by its secret ID (consulate's `acl.destroy`). On 1.8.7 this also deletes
 * tokens made by the current API, and succeeds for unknown IDs.
 * The secret travels in the URL path (Consul's design); errors redact it.
 * @returns `true` (Consul's answer).
 * @throws {ForbiddenError} without a management token.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/v1.12.x/acl/legacy#delete-acl-token
 * @example await acl.destroy(admin, id);
 */
export async function destroy(client: Client, id: string, options: WriteOptions = {}): Promise<Result<boolean>> {
  refuseDatacenter(options, 'acl.destroy', ACL_WRITE);
  const path = `acl/destroy/${pathSegment(id, 'id')}`;
  return legacyCall(id, () => requestJson(client, { method: 'PUT', path, options }, ACLBoolean));
}

/**
 * Legacy: reads a token by its secret ID (consulate's `acl.info`); `undefined` when Consul answers
 * `[]` — for unknown IDs and, on 1.8.7, for tokens made by the current API (use {@link tokenRead}).
 * On 1.8.7 it ignores the caller's token (even an unknown one): the secret in the path is the
 * credential. It travels in the URL path (Consul's design); errors redact it.
 * @returns the legacy token (`ID`, `Name`, `Type`, `Rules`…), or `undefined`.
 * @throws {HttpError} with status 401 when ACLs are disabled.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/v1.12.x/acl/legacy#read-acl-token
 * @example const { data } = await acl.info(admin, id); // data?.Rules
 */
export async function info(client: Client, id: string, options: ReadOptions = {}): Promise<Result<LegacyACLT | undefined>> {
  refuseDatacenter(options, 'acl.info', LEGACY_READ);
  const path = `acl/info/${pathSegment(id, 'id')}`;
  const { data, meta } = await legacyCall(id, () => requestJson(client, { path, options }, LegacyACLList));
  return { data: data[0], meta };
}

/**
 * Legacy: clones a legacy token (consulate's `acl.clone`).
 * The secret travels in the URL path (Consul's design); errors redact it.
 * @returns the new token's ID.
 * @throws {ForbiddenError} `Permission denied` — on 1.8.7 also for tokens made by the current API,
 *   even with a management token (use {@link tokenClone}).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/v1.12.x/acl/legacy#clone-acl-token
 * @example const { data: newId } = await acl.clone(admin, id);
 */
export async function clone(client: Client, id: string, options: WriteOptions = {}): Promise<Result<string>> {
  refuseDatacenter(options, 'acl.clone', ACL_WRITE);
  const path = `acl/clone/${pathSegment(id, 'id')}`;
  const { data, meta } = await legacyCall(
    id,
    () => requestJson(client, { method: 'PUT', path, options }, ACLIDResult),
    { when: /^Permission denied$/, text: 'the legacy clone endpoint refuses tokens made by the current ACL API; use acl.tokenClone' },
  );
  return { data: data.ID, meta };
}

/**
 * Legacy: lists all tokens in the legacy shape (consulate's `acl.list`), secrets included.
 * @returns the tokens (`ID` is the secret).
 * @throws {ForbiddenError} without a management token (also for the anonymous token).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/v1.12.x/acl/legacy#list-acls
 * @example const { data } = await acl.list(admin);
 */
export async function list(client: Client, options: ReadOptions = {}): Promise<Result<LegacyACLT[]>> {
  refuseDatacenter(options, 'acl.list', LEGACY_READ);
  return requestJson(client, { path: 'acl/list', options }, LegacyACLList);
}

/**
 * How these functions nest on the `Consul` facade: `consul.acl.token.create(…)`, `consul.acl.policy.read(id)`,
 * `consul.acl.rules.translate(…)`, `consul.acl.legacy.create(…)`…
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const aclFacade = {
  bootstrap: bootstrap as typeof bootstrap,
  replication: replication as typeof replication,
  login: login as typeof login,
  logout: logout as typeof logout,
  token: {
    create: tokenCreate as typeof tokenCreate,
    read: tokenRead as typeof tokenRead,
    readSelf: tokenReadSelf as typeof tokenReadSelf,
    update: tokenUpdate as typeof tokenUpdate,
    clone: tokenClone as typeof tokenClone,
    delete: tokenDelete as typeof tokenDelete,
    list: tokenList as typeof tokenList,
  },
  policy: {
    create: policyCreate as typeof policyCreate,
    read: policyRead as typeof policyRead,
    readByName: policyReadByName as typeof policyReadByName,
    update: policyUpdate as typeof policyUpdate,
    delete: policyDelete as typeof policyDelete,
    list: policyList as typeof policyList,
  },
  role: {
    create: roleCreate as typeof roleCreate,
    read: roleRead as typeof roleRead,
    readByName: roleReadByName as typeof roleReadByName,
    update: roleUpdate as typeof roleUpdate,
    delete: roleDelete as typeof roleDelete,
    list: roleList as typeof roleList,
  },
  authMethod: {
    create: authMethodCreate as typeof authMethodCreate,
    read: authMethodRead as typeof authMethodRead,
    update: authMethodUpdate as typeof authMethodUpdate,
    delete: authMethodDelete as typeof authMethodDelete,
    list: authMethodList as typeof authMethodList,
  },
  bindingRule: {
    create: bindingRuleCreate as typeof bindingRuleCreate,
    read: bindingRuleRead as typeof bindingRuleRead,
    update: bindingRuleUpdate as typeof bindingRuleUpdate,
    delete: bindingRuleDelete as typeof bindingRuleDelete,
    list: bindingRuleList as typeof bindingRuleList,
  },
  rules: {
    translate: rulesTranslate as typeof rulesTranslate,
    translateToken: rulesTranslateToken as typeof rulesTranslateToken,
  },
  /** The legacy ACL API (Consul < 1.4, consulate's `acl.create`…). */
  legacy: {
    create: create as typeof create,
    update: update as typeof update,
    delete: destroy as typeof destroy,
    read: info as typeof info,
    clone: clone as typeof clone,
    list: list as typeof list,
  },
};
