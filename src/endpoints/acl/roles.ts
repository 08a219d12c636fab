/**
 * ACL roles (named sets of policies and identities): create, read (by ID or name), update, delete, list.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/roles
 * @module
 */
import type { Client } from '../../core/client.ts';
import { InputError } from '../../core/errors.ts';
import { MISSING } from '../../core/missing.ts';
import { pathSegment } from '../../core/path.ts';
import type { ReadOptions, WriteOptions } from '../../core/query.ts';
import type { Result } from '../../core/request.ts';
import { requestJson, requestJsonOrMissing } from '../../core/request.ts';
import { refuseDatacenter } from '../../core/routing.ts';
import type { ACLRole as ACLRoleT } from '../../schemas/acl.ts';
import { ACLBoolean, ACLRole, ACLRoleList } from '../../schemas/acl.ts';
import type { ACLLinkInput, ACLNodeIdentityInput, ACLServiceIdentityInput } from './shared.ts';
import { ACL_WRITE, checkIdentities, checkObject } from './shared.ts';

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

/** Options of {@link roleList}. */
export interface ACLRoleListOptions extends ReadOptions {
  /** Only roles linked to this policy ID. */
  policy?: string | undefined;
}

function roleBody(input: ACLRoleInput): Record<string, unknown> {
  if (!checkObject(input, 'a role')['Name']) throw new InputError('a role needs a Name');
  checkIdentities(input);
  return { ...input };
}

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
