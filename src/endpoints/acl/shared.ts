/**
 * What the ACL sub-areas (tokens, policies, roles, auth methods, binding rules, legacy) share: why an
 * explicit `datacenter` is refused, the link and identity inputs of tokens and roles, the checks made
 * before sending, and the read that tells a missing object from an unknown caller token. Internal:
 * `consulate/acl` re-exports only the public input types.
 * @module
 */
import type * as v from 'valibot';
import type { Client } from '../../core/client.ts';
import { formatDuration, refuseCamelCase } from '../../core/encoding.ts';
import { InputError, isForbiddenError } from '../../core/errors.ts';
import { emptyMeta } from '../../core/meta.ts';
import type { ReadOptions } from '../../core/query.ts';
import type { RequestSpec, Result } from '../../core/request.ts';
import { drain, requestJson, send } from '../../core/request.ts';

/** Why an explicit `datacenter` option is refused on ACL writes (Consul 1.8.7 ignores `?dc=` there). */
export const ACL_WRITE = 'ACL writes go to the datacenter of the agent you talk to and on to the primary; a local token stays in that datacenter';

/** Why an explicit `datacenter` option is refused on the legacy ACL reads (Consul 1.8.7 ignores `?dc=` there). */
export const LEGACY_READ = 'legacy ACL reads answer from the datacenter of the agent you talk to';

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

/** Checks a duration field that Consul documents as a Go duration string (`"60s"`, `"1h"`). */
export function durationString(value: unknown, name: string): void {
  if (typeof value !== 'string') throw new InputError(`${name} must be a Go duration string such as "1h", got ${JSON.stringify(value)}`);
  formatDuration(value, name);
}

/** Refuses what is not an object of Consul's fields (a string, an array, `null`). */
export function checkObject(input: unknown, what: string): Record<string, unknown> {
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
export function checkIdentities(input: Record<string, unknown>): void {
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
export async function readAclObject<T>(
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
