/**
 * Namespaces (Consul Enterprise 1.7+, not in Consul 1.8.7 OSS): isolated sets of services, KV and
 * ACLs. Written from Consul's documented API; the tests are contract tests, not run against a real agent.
 * @see https://developer.hashicorp.com/consul/api-docs/namespaces
 * @module
 */
import type { Client } from '../core/client.ts';
import { InputError } from '../core/errors.ts';
import { pathSegment } from '../core/path.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import { MISSING } from '../core/missing.ts';
import type { Result } from '../core/request.ts';
import { requestJson, requestJsonOrMissing, sendVoid } from '../core/request.ts';
import type { NamespaceACLLink, Namespace } from '../schemas/namespace.ts';
import { Namespace as NamespaceSchema, NamespaceList } from '../schemas/namespace.ts';

export type { NamespaceACLLink, Namespace } from '../schemas/namespace.ts';

/** A namespace to create or update (Consul's field names). */
export interface NamespaceInput {
  /** A DNS label; on update it must match the name in the path if given. */
  Name?: string | undefined;
  Description?: string | undefined;
  ACLs?: { PolicyDefaults?: NamespaceACLLink[] | undefined; RoleDefaults?: NamespaceACLLink[] | undefined } | undefined;
  Meta?: Record<string, string> | undefined;
  [field: string]: unknown;
}

function namePath(name: string): string {
  return `namespace/${pathSegment(name, 'a namespace name')}`;
}

/**
 * Creates a namespace (`operator:write`).
 * @returns the created namespace.
 * @throws {InputError} without `Name`, before sending.
 * @see https://developer.hashicorp.com/consul/api-docs/namespaces#create-a-namespace
 * @example await namespace.create(client, { Name: 'team-1', Description: 'Team 1' });
 */
export async function create(client: Client, input: NamespaceInput & { Name: string }, options: WriteOptions = {}): Promise<Result<Namespace>> {
  namePath(input?.Name);
  return requestJson(client, { method: 'PUT', path: 'namespace', json: input, options }, NamespaceSchema);
}

/**
 * Reads a namespace.
 * @returns the namespace (with `DeletedAt` while being deleted), or `undefined` when there is none.
 * Consul 1.8.7 lacks this endpoint (its router answers an empty 404), so no mark of a genuine "missing"
 * was measured: any non-HTML 404 reads as missing.
 * @throws {NotFoundError} when the 404 is an HTML page (a proxy's, a wrong `pathPrefix`): never Consul's.
 * @see https://developer.hashicorp.com/consul/api-docs/namespaces#read-a-namespace
 * @example const { data } = await namespace.read(client, 'team-1');
 */
export async function read(client: Client, name: string, options: ReadOptions = {}): Promise<Result<Namespace | undefined>> {
  const path = namePath(name);
  return requestJsonOrMissing(client, { path, options }, NamespaceSchema, MISSING.unmeasured);
}

/**
 * Updates a namespace (`operator:write`).
 * @returns the updated namespace.
 * @see https://developer.hashicorp.com/consul/api-docs/namespaces#update-a-namespace
 * @example await namespace.update(client, 'team-1', { Description: 'Team one' });
 */
export async function update(client: Client, name: string, input: NamespaceInput, options: WriteOptions = {}): Promise<Result<Namespace>> {
  return requestJson(client, { method: 'PUT', path: namePath(name), json: input, options }, NamespaceSchema);
}

/**
 * Marks a namespace for deletion; Consul deletes its data in the background. `delete` is the exported name.
 * @returns nothing (`data` is `undefined`).
 * @see https://developer.hashicorp.com/consul/api-docs/namespaces#delete-a-namespace
 * @example await namespace.delete(client, 'team-1');
 */
export async function remove(client: Client, name: string, options: WriteOptions = {}): Promise<Result<void>> {
  return sendVoid(client, { method: 'DELETE', path: namePath(name), options });
}

export { remove as delete };

/**
 * Lists the namespaces the token may see.
 * @returns the namespaces.
 * @see https://developer.hashicorp.com/consul/api-docs/namespaces#list-all-namespaces
 * @example const { data } = await namespace.list(client);
 */
export async function list(client: Client, options: ReadOptions = {}): Promise<Result<Namespace[]>> {
  return requestJson(client, { path: 'namespaces', options }, NamespaceList);
}

/**
 * How these functions nest on the `Consul` facade: `consul.namespace.create(…)`, `consul.namespace.read(name)`…
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const namespaceFacade = {
  create: create as typeof create,
  read: read as typeof read,
  update: update as typeof update,
  delete: remove as typeof remove,
  list: list as typeof list,
};
