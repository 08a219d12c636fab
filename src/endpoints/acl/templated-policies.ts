/**
 * ACL templated policies (Consul 1.17+): Consul's built-in policy templates (`builtin/service`,
 * `builtin/node`, `builtin/dns`…), read, listed, and previewed as the policy they render to.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/templated-policies
 * @module
 */
import * as v from 'valibot';
import type { Client } from '../../core/client.ts';
import { InputError } from '../../core/errors.ts';
import { pathSegment } from '../../core/path.ts';
import type { ReadOptions } from '../../core/query.ts';
import type { Result } from '../../core/request.ts';
import { requestJson } from '../../core/request.ts';
import type { ACLPolicy as ACLPolicyT } from '../../schemas/acl.ts';
import { ACLPolicy } from '../../schemas/acl.ts';

/**
 * A templated policy as Consul returns it.
 * @since Consul 1.17
 */
export interface ACLTemplatedPolicy {
  /** e.g. `builtin/service`. */
  TemplateName: string;
  /** JSON Schema (as a string) of the variables the template needs; `""` when it takes none. */
  Schema: string;
  /** The policy rules, a Go template over the variables (`{{.Name}}`). */
  Template: string;
  [field: string]: unknown;
}

const TemplatedPolicy = v.looseObject({ TemplateName: v.string(), Schema: v.string(), Template: v.string() });
const TemplatedPolicyMap = v.record(v.string(), TemplatedPolicy);

/**
 * The variables of a templated policy (Consul's field names).
 * @since Consul 1.17
 */
export interface ACLTemplatedPolicyVariables {
  /** The `name` variable: the service or node the rendered policy is for. */
  Name?: string | undefined;
  [field: string]: unknown;
}

/** `builtin/service` → `builtin/service` with each segment escaped (the name's `/` stays a path separator). */
function templateNamePath(name: string): string {
  pathSegment(name, 'templated policy name');
  return name.split('/').map((part) => pathSegment(part, `templated policy name ${JSON.stringify(name)} (an empty segment)`)).join('/');
}

/**
 * Lists the templated policies, by name.
 * @since Consul 1.17
 * @returns `{ [TemplateName]: { TemplateName, Schema, Template } }`.
 * @throws {ForbiddenError} without `acl:read`.
 * @throws {NotFoundError} on Consul before 1.17 (no such endpoint).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/templated-policies#list-templated-policies
 * @example const { data } = await acl.templatedPolicyList(admin); // Object.keys(data): ['builtin/dns', 'builtin/node', …]
 */
export async function templatedPolicyList(client: Client, options: ReadOptions = {}): Promise<Result<Record<string, ACLTemplatedPolicy>>> {
  return requestJson(client, { path: 'acl/templated-policies', options }, TemplatedPolicyMap) as Promise<Result<Record<string, ACLTemplatedPolicy>>>;
}

/**
 * Reads one templated policy by name.
 * @since Consul 1.17
 * @param name - e.g. `builtin/service` (its `/` is kept as a path separator, each part escaped).
 * @returns the template: `TemplateName`, the variables' JSON `Schema`, the rules `Template`.
 * @throws {InputError} for an empty name or an empty part of it, before sending.
 * @throws {NotFoundError} for an unknown name, and on Consul before 1.17.
 * @throws {ForbiddenError} without `acl:read`.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/templated-policies#read-a-templated-policy-by-name
 * @example const { data } = await acl.templatedPolicyReadByName(admin, 'builtin/service'); // data.Template
 */
export async function templatedPolicyReadByName(client: Client, name: string, options: ReadOptions = {}): Promise<Result<ACLTemplatedPolicy>> {
  return requestJson(client, { path: `acl/templated-policy/name/${templateNamePath(name)}`, options }, TemplatedPolicy) as Promise<Result<ACLTemplatedPolicy>>;
}

/**
 * Renders a templated policy with its variables, as the synthetic policy a token linked to it would get
 * (nothing is stored).
 * @since Consul 1.17
 * @param name - e.g. `builtin/service`.
 * @param variables - Consul's field names: `{ Name: 'api' }`; sent as the body.
 * @returns the rendered policy (`Rules`, a synthetic `ID`/`Name`, `Description`, `Hash`; indexes 0).
 * @throws {InputError} for an empty name or variables that are not an object, before sending.
 * @throws {BadRequestError} when a variable the template needs is missing (Consul validates against the `Schema`).
 * @throws {NotFoundError} for an unknown name, and on Consul before 1.17.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/templated-policies#preview-a-templated-policy
 * @example
 * ```ts
 * const { data } = await acl.templatedPolicyPreview(admin, 'builtin/service', { Name: 'api' });
 * console.log(data.Rules); // service "api" { policy = "write" } …
 * ```
 */
export async function templatedPolicyPreview(
  client: Client,
  name: string,
  variables: ACLTemplatedPolicyVariables = {},
  options: ReadOptions = {},
): Promise<Result<ACLPolicyT>> {
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) {
    throw new InputError('templated policy variables must be an object, e.g. { Name: "api" }');
  }
  return requestJson(
    client,
    { method: 'POST', path: `acl/templated-policy/preview/${templateNamePath(name)}`, json: variables, options, idempotent: true },
    ACLPolicy,
  );
}
