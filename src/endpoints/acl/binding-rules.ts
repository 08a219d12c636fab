/**
 * ACL binding rules (what a `login` through an auth method grants): create, read, update, delete, list.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/binding-rules
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
import type { ACLBindingRule as ACLBindingRuleT } from '../../schemas/acl.ts';
import { ACLBindingRule, ACLBindingRuleList, ACLBoolean } from '../../schemas/acl.ts';
import { ACL_WRITE, checkObject } from './shared.ts';

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

/** Options of {@link bindingRuleList}. */
export interface ACLBindingRuleListOptions extends ReadOptions {
  /** Only the rules of this auth method (name). */
  authMethod?: string | undefined;
}

function bindingRuleBody(input: ACLBindingRuleInput): Record<string, unknown> {
  const body = checkObject(input, 'a binding rule');
  if (!body['BindType'] || !body['BindName']) throw new InputError('a binding rule needs a BindType and a BindName');
  return { ...body };
}

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
