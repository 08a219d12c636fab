/**
 * ACL rules translation: legacy rules (`key "a" {…}`), given or of a legacy token, in the current syntax.
 * @see https://developer.hashicorp.com/consul/api-docs/acl#translate-rules
 * @module
 */
import type { Client } from '../../core/client.ts';
import { InputError } from '../../core/errors.ts';
import { pathSegment } from '../../core/path.ts';
import type { ReadOptions, WriteOptions } from '../../core/query.ts';
import type { RequestSpec, Result } from '../../core/request.ts';
import { send } from '../../core/request.ts';
import { refuseDatacenter } from '../../core/routing.ts';

async function text(client: Client, spec: RequestSpec): Promise<Result<string>> {
  const { response, meta } = await send(client, spec);
  return { data: await response.text(), meta };
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
