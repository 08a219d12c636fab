/**
 * ACL policies: create, read (by ID or name), update, delete, list.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/policies
 * @module
 */
import type { Client } from '../../core/client.ts';
import { InputError } from '../../core/errors.ts';
import { pathSegment } from '../../core/path.ts';
import type { ReadOptions, WriteOptions } from '../../core/query.ts';
import type { Result } from '../../core/request.ts';
import { requestJson } from '../../core/request.ts';
import { refuseDatacenter } from '../../core/routing.ts';
import type { ACLPolicy as ACLPolicyT, ACLPolicyListEntry as ACLPolicyListEntryT } from '../../schemas/acl.ts';
import { ACLBoolean, ACLPolicy, ACLPolicyList } from '../../schemas/acl.ts';
import { ACL_WRITE, checkObject, readAclObject } from './shared.ts';
import type { tokenRead } from './tokens.ts';

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

function policyBody(input: ACLPolicyInput): Record<string, unknown> {
  if (!checkObject(input, 'a policy')['Name']) throw new InputError('a policy needs a Name');
  return { ...input };
}

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
