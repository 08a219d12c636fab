/**
 * ACL tokens: create, read (by accessor ID, or the caller's own), update, clone, delete, list.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/tokens
 * @module
 */
import type { Client } from '../../core/client.ts';
import type { ForbiddenError } from '../../core/errors.ts';
import { pathSegment } from '../../core/path.ts';
import type { ReadOptions, WriteOptions } from '../../core/query.ts';
import type { Result } from '../../core/request.ts';
import { requestJson } from '../../core/request.ts';
import { refuseDatacenter } from '../../core/routing.ts';
import type { ACLPolicy as ACLPolicyT, ACLRole as ACLRoleT, ACLToken as ACLTokenT, ACLTokenListEntry as ACLTokenListEntryT } from '../../schemas/acl.ts';
import { ACLBoolean, ACLToken, ACLTokenList } from '../../schemas/acl.ts';
import type { ACLLinkInput, ACLNodeIdentityInput, ACLServiceIdentityInput } from './shared.ts';
import { ACL_WRITE, checkIdentities, checkObject, durationString, readAclObject } from './shared.ts';

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

/** What {@link tokenClone} sends: the clone's `Description` (defaults to the original's). */
export interface ACLTokenCloneInput {
  /** The clone's description. */
  Description?: string | undefined;
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
  /**
   * Only tokens with a service identity for this service (`?servicename=`). Honoured by the Consul
   * versions whose token list documents it (the Go client's `ACLTokenFilterOptions.ServiceName`);
   * Consul 1.8.7 accepts and ignores it, listing every token.
   */
  serviceName?: string | undefined;
}

/**
 * A token as {@link tokenRead} returns it: with `expanded: true` (Consul 1.12+) also the policies, roles and
 * defaults it resolves to; without it, or on older Consul versions, these fields are absent.
 * @since Consul 1.12 (the expanded fields)
 */
export interface ACLTokenExpanded extends ACLTokenT {
  /** The policies the token resolves to, with their rules (linked, through roles, and from identities). */
  ExpandedPolicies?: ACLPolicyT[] | null | undefined;
  /** The roles the token resolves to. */
  ExpandedRoles?: ACLRoleT[] | null | undefined;
  /** Enterprise: the policy IDs of the namespace's defaults. */
  NamespaceDefaultPolicyIDs?: string[] | null | undefined;
  /** Enterprise: the role IDs of the namespace's defaults. */
  NamespaceDefaultRoleIDs?: string[] | null | undefined;
  /** The answering agent's `acl.default_policy`. */
  AgentACLDefaultPolicy?: string | undefined;
  /** The answering agent's `acl.down_policy`. */
  AgentACLDownPolicy?: string | undefined;
  /** The agent that resolved it. */
  ResolvedByAgent?: string | undefined;
}

/**
 * Options of {@link tokenRead}.
 * @since `expanded`: Consul 1.12
 */
export interface ACLTokenReadOptions extends ReadOptions {
  /**
   * Also return the token's resolved policies, roles and identities (`?expanded`): the answer then has
   * `ExpandedPolicies`, `ExpandedRoles`, `NamespaceDefaultPolicyIDs`, `AgentACLDefaultPolicy`… next to the
   * token's fields. Consul 1.12+; older agents accept and ignore it (a plain token comes back).
   */
  expanded?: boolean | undefined;
}

function tokenBody(input: ACLTokenInput): Record<string, unknown> {
  const body = { ...checkObject(input, 'a token') };
  checkIdentities(body);
  if (body['ExpirationTTL'] !== undefined) durationString(body['ExpirationTTL'], 'ExpirationTTL');
  const time = body['ExpirationTime'];
  if (time instanceof Date) body['ExpirationTime'] = time.toISOString();
  return body;
}

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
 * @param options - `expanded: true` (Consul 1.12+) adds the resolved policies and roles (`ExpandedPolicies`…).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/tokens#read-a-token
 * @example const { data: token } = await acl.tokenRead(admin, accessorId, { expanded: true }); // token.ExpandedPolicies
 */
export async function tokenRead(client: Client, accessorId: string, options: ACLTokenReadOptions = {}): Promise<Result<ACLTokenExpanded | undefined>> {
  const { expanded, ...rest } = options;
  // ACLToken keeps fields it does not name (a loose object), so the expanded ones come through
  return readAclObject(client, { path: `acl/token/${pathSegment(accessorId, 'accessorId')}`, params: { expanded }, options: rest }, ACLToken, rest);
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
 * Lists tokens (without their secrets), optionally only those linked to a policy or role, made
 * by an auth method, or with a service identity for a service (`serviceName`; ignored by Consul 1.8.7).
 * @returns the tokens.
 * @throws {ForbiddenError} without `acl = "read"` — also for the anonymous token: on 1.8.7 ACL
 *   listings are denied, not filtered.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/tokens#list-tokens
 * @example const { data } = await acl.tokenList(admin, { policy: policyId });
 */
export async function tokenList(client: Client, options: ACLTokenListOptions = {}): Promise<Result<ACLTokenListEntryT[]>> {
  const { policy, role, authMethod, serviceName, ...rest } = options;
  return requestJson(
    client,
    { path: 'acl/tokens', params: { policy, role, authmethod: authMethod, servicename: serviceName }, options: rest },
    ACLTokenList,
  );
}
