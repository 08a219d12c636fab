/**
 * The ACL API: tokens, policies, roles, auth methods, binding rules, login/logout, bootstrap,
 * replication and rules translation, plus consulate's legacy calls (`legacyCreate`, `legacyUpdate`,
 * `legacyDelete`, `legacyRead`, `legacyClone`, `legacyList`), as pure functions taking a {@link Client} first.
 *
 * How "missing" is reported differs per object on Consul 1.8.7, and these functions smooth it over:
 * a missing token or policy (403 `ACL not found`), role, auth method or binding rule (404) or legacy
 * token (`[]`) is `data: undefined`. A real denial (403 `Permission denied`) and an unknown *caller*
 * token (also 403 `ACL not found`) still throw {@link ForbiddenError}; see {@link tokenRead}.
 * A 404 that is not Consul's (an HTML page from a proxy) throws a `NotFoundError` instead.
 *
 * Consul 1.8.7 ignores `?dc=` on every ACL write (they go to the agent's datacenter and on to the
 * primary; a local token stays in the agent's datacenter) and on the legacy `legacyRead`/`legacyList` reads:
 * there an explicit `datacenter` option is an {@link InputError}. The other reads and `login`/`logout` honour `datacenter`.
 *
 * Inputs use Consul's field names, as its docs write them (`Description`, `Policies: [{ Name }]`,
 * `ExpirationTTL`…), like the returned data (`AccessorID`, `SecretID`…): a sample payload from
 * Consul's docs, or an object read back, can be passed as is. Fields consulate does not know are
 * sent unchanged; the checks before sending (a link without `ID`/`Name`, a bad duration, a missing
 * `Name`…) name the offending field.
 * The caller's token only ever travels in `X-Consul-Token`. The legacy API puts the *target*
 * token's secret in the URL path (Consul's design): errors of those calls redact it.
 * @see https://developer.hashicorp.com/consul/api-docs/acl
 * @module
 */
import type * as v from 'valibot';
import type { Client } from '../core/client.ts';
import { formatDuration, refuseCamelCase } from '../core/encoding.ts';
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

/** A policy or role to link, by `ID` or by `Name` (give one; with both, Consul uses the ID). */
export type ACLLinkInput = { ID: string; Name?: string | undefined } | { ID?: string | undefined; Name: string };

/** A service identity: grants the synthetic policy of one service (and its sidecar proxy). */
export interface ACLServiceIdentityInput {
  /** The service's name. */
  ServiceName: string;
  /** Datacenters where it applies (all when left out). */
  Datacenters?: string[] | null | undefined;
}

/** A node identity: grants the synthetic policy of one node in one datacenter. */
export interface ACLNodeIdentityInput {
  /** The node's name. */
  NodeName: string;
  /** Its datacenter. */
  Datacenter: string;
}

/**
 * A token to create or (wholly) replace, with Consul's field names: the sample payload of Consul's
 * docs, or a token read back, can be passed as is. Fields not listed here are sent unchanged.
 */
export interface ACLTokenInput {
  /** Accessor ID (UUID) to use instead of a generated one (on update it must match). */
  AccessorID?: string | undefined;
  /** Secret ID (UUID) to use instead of a generated one (on update it must match). */
  SecretID?: string | undefined;
  /** Human-readable description. */
  Description?: string | undefined;
  /** Policies to link, `[{ ID }]` or `[{ Name }]`. */
  Policies?: ACLLinkInput[] | null | undefined;
  /** Roles to link, `[{ ID }]` or `[{ Name }]`. */
  Roles?: ACLLinkInput[] | null | undefined;
  /** Service identities, `[{ ServiceName, Datacenters? }]`. */
  ServiceIdentities?: ACLServiceIdentityInput[] | null | undefined;
  /** Node identities, `[{ NodeName, Datacenter }]`. */
  NodeIdentities?: ACLNodeIdentityInput[] | null | undefined;
  /** Keep the token in this datacenter only (not replicated). Cannot change on update. */
  Local?: boolean | undefined;
  /** When the token expires (create only): an RFC 3339 time or a `Date` (sent as its ISO string). */
  ExpirationTime?: Date | string | undefined;
  /** How long until the token expires (create only): a Go duration, `"1m"` … `"24h"`. */
  ExpirationTTL?: string | undefined;
  [field: string]: unknown;
}

/** A policy to create or (wholly) replace, with Consul's field names. Other fields are sent unchanged. */
export interface ACLPolicyInput {
  /** Unique name. */
  Name: string;
  /** Human-readable description. */
  Description?: string | undefined;
  /** Rules in HCL or JSON, e.g. `key_prefix "app/" { policy = "read" }`. */
  Rules?: string | undefined;
  /** Datacenters where the policy applies (all when left out). */
  Datacenters?: string[] | null | undefined;
  [field: string]: unknown;
}

/** A role to create or (wholly) replace, with Consul's field names. Other fields are sent unchanged. */
export interface ACLRoleInput {
  /** Unique name. */
  Name: string;
  /** Human-readable description. */
  Description?: string | undefined;
  /** Policies to link, `[{ ID }]` or `[{ Name }]`. */
  Policies?: ACLLinkInput[] | null | undefined;
  /** Service identities, `[{ ServiceName, Datacenters? }]`. */
  ServiceIdentities?: ACLServiceIdentityInput[] | null | undefined;
  /** Node identities, `[{ NodeName, Datacenter }]`. */
  NodeIdentities?: ACLNodeIdentityInput[] | null | undefined;
  [field: string]: unknown;
}

/** An auth method to create or (wholly) replace, with Consul's field names. Other fields are sent unchanged. */
export interface ACLAuthMethodInput {
  /** Unique name (on update, defaults to the name in the call). */
  Name?: string | undefined;
  /** `kubernetes`, `jwt` or `oidc` (1.8.7). */
  Type: string;
  /** Name to show in UIs. */
  DisplayName?: string | undefined;
  /** Human-readable description. */
  Description?: string | undefined;
  /** Longest life of tokens made by `login`: a Go duration (`"1h"`; a read returns `"1h0m0s"`). */
  MaxTokenTTL?: string | undefined;
  /** `local` (default) or `global` tokens. */
  TokenLocality?: 'local' | 'global' | (string & {}) | undefined;
  /**
   * Type-specific configuration (`Host`, `CACert`, `ServiceAccountJWT` for kubernetes;
   * `JWTValidationPubKeys`, `BoundAudiences`, `ClaimMappings`… for jwt).
   */
  Config?: Record<string, unknown> | undefined;
  [field: string]: unknown;
}

/** A binding rule to create or (wholly) replace, with Consul's field names. Other fields are sent unchanged. */
export interface ACLBindingRuleInput {
  /** The auth method it applies to (required on create; kept on update when left out). */
  AuthMethod?: string | undefined;
  /** What a login gets: a service identity, a node identity or a role. */
  BindType: 'service' | 'node' | 'role' | (string & {});
  /** Name of the service/node/role; may interpolate claims, e.g. `${value.svc}`. */
  BindName: string;
  /** Filter on the verified claims, e.g. `value.ns==default` (empty: every login). */
  Selector?: string | undefined;
  /** Human-readable description. */
  Description?: string | undefined;
  [field: string]: unknown;
}

/** What `login` exchanges for a token, with Consul's field names. */
export interface ACLLoginInput {
  /** The auth method's name. */
  AuthMethod: string;
  /** The credential it verifies (a JWT, a Kubernetes service-account token…). */
  BearerToken: string;
  /** Metadata stored in the created token's description. */
  Meta?: Record<string, string> | undefined;
  [field: string]: unknown;
}

/** What {@link tokenClone} sends: the clone's `Description` (defaults to the original's). */
export interface ACLTokenCloneInput {
  /** The clone's description. */
  Description?: string | undefined;
  [field: string]: unknown;
}

/** A legacy token to create or update (Consul < 1.4's API), with Consul's field names. */
export interface LegacyACLInput {
  /** The token's secret: a chosen one on create (generated when left out); required on update. */
  ID?: string | undefined;
  /** Opaque to Consul; a meaningful label. */
  Name?: string | undefined;
  /** `client` or `management`. [`client`] */
  Type?: 'client' | 'management' | (string & {}) | undefined;
  /** Rules in HCL or JSON. */
  Rules?: string | undefined;
  [field: string]: unknown;
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

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** Checks a duration field that Consul documents as a Go duration string (`"60s"`, `"1h"`). */
function durationString(value: unknown, name: string): void {
  if (typeof value !== 'string') throw new InputError(`${name} must be a Go duration string such as "1h", got ${JSON.stringify(value)}`);
  formatDuration(value, name);
}

/** Refuses what is not an object of Consul's fields (a string, an array, `null`). */
function checkObject(input: unknown, what: string): Record<string, unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InputError(`${what} must be an object with Consul's field names, got ${JSON.stringify(input)}`);
  }
  refuseCamelCase(input as Record<string, unknown>, what);
  return input as Record<string, unknown>;
}

function checkLinks(list: unknown, field: string): void {
  if (list == null) return;
  if (!Array.isArray(list)) throw new InputError(`${field} must be a list of { ID } or { Name }, got ${JSON.stringify(list)}`);
  for (const link of list as Partial<Record<string, unknown>>[]) {
    if (!link || typeof link !== 'object' || (!link['ID'] && !link['Name'])) throw new InputError(`each of ${field} needs an ID or a Name`);
  }
}

/** Checks the links and identities shared by tokens and roles. */
function checkIdentities(input: Record<string, unknown>): void {
  checkLinks(input['Policies'], 'Policies');
  checkLinks(input['Roles'], 'Roles');
  const services = input['ServiceIdentities'];
  if (services != null) {
    if (!Array.isArray(services)) throw new InputError('ServiceIdentities must be a list of { ServiceName, Datacenters? }');
    for (const s of services as Partial<Record<string, unknown>>[]) {
      if (!s?.['ServiceName']) throw new InputError('each of ServiceIdentities needs a ServiceName');
    }
  }
  const nodes = input['NodeIdentities'];
  if (nodes != null) {
    if (!Array.isArray(nodes)) throw new InputError('NodeIdentities must be a list of { NodeName, Datacenter }');
    for (const n of nodes as Partial<Record<string, unknown>>[]) {
      if (!n?.['NodeName'] || !n['Datacenter']) throw new InputError('each of NodeIdentities needs a NodeName and a Datacenter');
    }
  }
}

function tokenBody(input: ACLTokenInput): Record<string, unknown> {
  const body = { ...checkObject(input, 'a token') };
  checkIdentities(body);
  if (body['ExpirationTTL'] !== undefined) durationString(body['ExpirationTTL'], 'ExpirationTTL');
  const time = body['ExpirationTime'];
  if (time instanceof Date) body['ExpirationTime'] = time.toISOString();
  return body;
}

function policyBody(input: ACLPolicyInput): Record<string, unknown> {
  if (!checkObject(input, 'a policy')['Name']) throw new InputError('a policy needs a Name');
  return { ...input };
}

function roleBody(input: ACLRoleInput): Record<string, unknown> {
  if (!checkObject(input, 'a role')['Name']) throw new InputError('a role needs a Name');
  checkIdentities(input);
  return { ...input };
}

function authMethodBody(input: ACLAuthMethodInput, name: string | undefined): Record<string, unknown> {
  const body = { ...checkObject(input, 'an auth method') };
  if (name !== undefined && body['Name'] === undefined) body['Name'] = name;
  if (!body['Name']) throw new InputError('an auth method needs a Name');
  if (!body['Type']) throw new InputError('an auth method needs a Type');
  if (body['MaxTokenTTL'] !== undefined && body['MaxTokenTTL'] !== '') durationString(body['MaxTokenTTL'], 'MaxTokenTTL');
  return body;
}

function bindingRuleBody(input: ACLBindingRuleInput): Record<string, unknown> {
  const body = checkObject(input, 'a binding rule');
  if (!body['BindType'] || !body['BindName']) throw new InputError('a binding rule needs a BindType and a BindName');
  return { ...body };
}

/** A legacy token's body; `Type` defaults to `client` (Consul's documented default; 1.8.7 refuses an empty one). */
function legacyBody(input: LegacyACLInput): Record<string, unknown> {
  const body = { ...checkObject(input, 'a legacy token') };
  if (body['Type'] === undefined) body['Type'] = 'client';
  if (body['Type'] !== 'client' && body['Type'] !== 'management') {
    throw new InputError(`Type must be "client" or "management", got ${JSON.stringify(body['Type'])}`);
  }
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
 * @param input - Consul's fields (`Description`, `Policies: [{ ID }|{ Name }]`, `Roles`, `ServiceIdentities`,
 *   `NodeIdentities`, `Local`, `ExpirationTTL`…), sent as they are.
 * @returns the token, with its `AccessorID` and `SecretID`.
 * @throws {InputError} for a link without `ID`/`Name`, an identity without its name or a bad `ExpirationTTL`, before sending.
 * @throws {ForbiddenError} without `acl = "write"`.
 * @throws {ServerError} when Consul rejects the token (e.g. an unknown policy name).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/tokens#create-a-token
 * @example
 * ```ts
 * const { data: token } = await acl.tokenCreate(admin, {
 *   Description: 'web app', Policies: [{ Name: 'web-kv' }], ExpirationTTL: '24h',
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
 * `Local`, `AccessorID`/`SecretID` and expiration cannot change): a token read back can be passed as is.
 * @returns the updated token.
 * @throws {ForbiddenError} without `acl = "write"`.
 * @throws {ServerError} `Cannot find token …` when it does not exist.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/tokens#update-a-token
 * @example await acl.tokenUpdate(admin, accessorId, { Description: 'web', Policies: [{ Name: 'web-kv' }] });
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
 * @param input - `Description` for the clone (defaults to the original's).
 * @returns the new token.
 * @throws {ForbiddenError} without `acl = "write"`, or `ACL not found` for an unknown token.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/tokens#clone-a-token
 * @example const { data: copy } = await acl.tokenClone(admin, accessorId, { Description: 'copy' });
 */
export async function tokenClone(
  client: Client,
  accessorId: string,
  input: ACLTokenCloneInput = {},
  options: WriteOptions = {},
): Promise<Result<ACLTokenT>> {
  refuseDatacenter(options, 'acl.tokenClone', ACL_WRITE);
  const body = { ...checkObject(input, 'a clone') };
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
 * @throws {InputError} without a `Name`, before sending.
 * @throws {ServerError} for rules Consul cannot parse or a name already taken (Consul answers 500).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/policies#create-a-policy
 * @example
 * ```ts
 * await acl.policyCreate(admin, { Name: 'web-kv', Rules: 'key_prefix "web/" { policy = "write" }' });
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
 * @example await acl.policyUpdate(admin, id, { Name: 'web-kv', Rules: 'key_prefix "web/" { policy = "read" }' });
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
 * @example await acl.roleCreate(admin, { Name: 'web', Policies: [{ Name: 'web-kv' }], ServiceIdentities: [{ ServiceName: 'web' }] });
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
 * @example await acl.roleUpdate(admin, roleId, { Name: 'web', Description: 'web servers' });
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
 *   Name: 'ci', Type: 'jwt', MaxTokenTTL: '1h',
 *   Config: { JWTValidationPubKeys: [pem], BoundAudiences: ['consul'] },
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
 * @example await acl.authMethodUpdate(admin, 'ci', { Type: 'jwt', Description: 'CI logins', Config: config });
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
 * @throws {InputError} without `AuthMethod`, `BindType` or `BindName`, before sending.
 * @throws {ServerError} for an unknown auth method or a bad selector (Consul answers 500).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/binding-rules#create-a-binding-rule
 * @example await acl.bindingRuleCreate(admin, { AuthMethod: 'ci', BindType: 'service', BindName: '${value.svc}' });
 */
export async function bindingRuleCreate(client: Client, input: ACLBindingRuleInput, options: WriteOptions = {}): Promise<Result<ACLBindingRuleT>> {
  refuseDatacenter(options, 'acl.bindingRuleCreate', ACL_WRITE);
  if (!checkObject(input, 'a binding rule')['AuthMethod']) throw new InputError('a binding rule needs an AuthMethod');
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
 * Replaces a binding rule (its auth method is kept when `AuthMethod` is left out).
 * @returns the updated rule.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/binding-rules#update-a-binding-rule
 * @example await acl.bindingRuleUpdate(admin, ruleId, { BindType: 'service', BindName: 'web', Selector: 'value.svc==web' });
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
 * const { data: token } = await acl.login(client, { AuthMethod: 'ci', BearerToken: jwt, Meta: { job: '42' } });
 * ```
 */
export async function login(client: Client, input: ACLLoginInput, options: WriteOptions = {}): Promise<Result<ACLTokenT>> {
  const body = { ...checkObject(input, 'a login') };
  if (!body['AuthMethod'] || !body['BearerToken']) throw new InputError('login needs an AuthMethod and a BearerToken');
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
 * Legacy: creates a token from `{ Name, Type, Rules, ID? }` (consulate's `acl.create`).
 * @param input - Consul's fields: `Name` (a label), `Type` (`client`, the default, or `management`),
 *   `Rules`, and `ID` to choose the secret; other fields are sent unchanged.
 * @returns the new token's ID (its secret).
 * @throws {InputError} for a `Type` other than `client`/`management`, before sending.
 * @throws {ForbiddenError} without a management token.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/v1.12.x/acl/legacy#create-acl-token
 * @example const { data: id } = await acl.legacyCreate(admin, { Name: 'app', Type: 'client', Rules: 'key "app/" { policy = "read" }' });
 */
export async function legacyCreate(client: Client, input: LegacyACLInput = {}, options: WriteOptions = {}): Promise<Result<string>> {
  refuseDatacenter(options, 'acl.legacyCreate', ACL_WRITE);
  const body = legacyBody(input);
  const { data, meta } = await requestJson(client, { method: 'PUT', path: 'acl/create', json: body, options }, ACLIDResult);
  return { data: data.ID, meta };
}

/**
 * Legacy: updates a legacy token, or creates it with this `ID` when it does not exist (Consul 1.8.7
 * upserts; consulate's `acl.update`).
 * @param input - Consul's fields: `ID` (the secret, required), `Name`, `Type` (`client`, the default,
 *   or `management`), `Rules`; an entry of {@link legacyList} can be passed as is.
 * @returns the token's ID.
 * @throws {InputError} without an `ID` or for a `Type` other than `client`/`management`, before sending.
 * @throws {ServerError} `Cannot use legacy endpoint to modify a non-legacy token` for a token made
 *   by the current API (`consulMessage` holds Consul's text; use {@link tokenUpdate}).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/v1.12.x/acl/legacy#update-acl-token
 * @example await acl.legacyUpdate(admin, { ID: id, Name: 'app', Type: 'client', Rules: rules });
 */
export async function legacyUpdate(client: Client, input: LegacyACLInput & { ID: string }, options: WriteOptions = {}): Promise<Result<string>> {
  refuseDatacenter(options, 'acl.legacyUpdate', ACL_WRITE);
  const body = legacyBody(input);
  const id = body['ID'];
  if (typeof id !== 'string' || !id) throw new InputError('a legacy token update needs an ID (the token\'s secret)');
  const { data, meta } = await legacyCall(
    id,
    () => requestJson(client, { method: 'PUT', path: 'acl/update', json: body, options }, ACLIDResult),
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
 * @example await acl.legacyDelete(admin, id);
 */
export async function legacyDelete(client: Client, id: string, options: WriteOptions = {}): Promise<Result<boolean>> {
  refuseDatacenter(options, 'acl.legacyDelete', ACL_WRITE);
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
 * @example const { data } = await acl.legacyRead(admin, id); // data?.Rules
 */
export async function legacyRead(client: Client, id: string, options: ReadOptions = {}): Promise<Result<LegacyACLT | undefined>> {
  refuseDatacenter(options, 'acl.legacyRead', LEGACY_READ);
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
 * @example const { data: newId } = await acl.legacyClone(admin, id);
 */
export async function legacyClone(client: Client, id: string, options: WriteOptions = {}): Promise<Result<string>> {
  refuseDatacenter(options, 'acl.legacyClone', ACL_WRITE);
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
 * @example const { data } = await acl.legacyList(admin);
 */
export async function legacyList(client: Client, options: ReadOptions = {}): Promise<Result<LegacyACLT[]>> {
  refuseDatacenter(options, 'acl.legacyList', LEGACY_READ);
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
    create: legacyCreate as typeof legacyCreate,
    update: legacyUpdate as typeof legacyUpdate,
    delete: legacyDelete as typeof legacyDelete,
    read: legacyRead as typeof legacyRead,
    clone: legacyClone as typeof legacyClone,
    list: legacyList as typeof legacyList,
  },
};
