/**
 * Admin partitions (Consul Enterprise 1.11+, not in Consul 1.8.7): tenants with their own
 * namespaces, services and ACLs. Written from Consul's documented API; the tests are contract tests,
 * not run against a real agent.
 * @see https://developer.hashicorp.com/consul/api-docs/admin-partitions
 * @module
 */
import type { Client } from '../core/client.ts';
import { InputError } from '../core/errors.ts';
import { pathSegment } from '../core/path.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import { MISSING } from '../core/missing.ts';
import type { Result } from '../core/request.ts';
import { requestJson, requestJsonOrMissing, sendVoid } from '../core/request.ts';
import type { Partition } from '../schemas/partition.ts';
import { Partition as PartitionSchema, PartitionList } from '../schemas/partition.ts';

export type { Partition } from '../schemas/partition.ts';

/** A partition to create or update (Consul's field names). */
export interface PartitionInput {
  /** A DNS label; on update it must match the name in the path if given. */
  Name?: string | undefined;
  Description?: string | undefined;
  [field: string]: unknown;
}

function namePath(name: string): string {
  return `partition/${pathSegment(name, 'a partition name')}`;
}

/**
 * Creates an admin partition (`operator:write`).
 * @returns the created partition.
 * @throws {InputError} without `Name`, before sending.
 * @see https://developer.hashicorp.com/consul/api-docs/admin-partitions#create-a-partition
 * @example await partition.create(client, { Name: 'na-west', Description: 'North America West' });
 */
export async function create(client: Client, input: PartitionInput & { Name: string }, options: WriteOptions = {}): Promise<Result<Partition>> {
  namePath(input?.Name);
  return requestJson(client, { method: 'PUT', path: 'partition', json: input, options }, PartitionSchema);
}

/**
 * Reads an admin partition.
 * @returns the partition (with `DeletedAt` while being deleted), or `undefined` when there is none.
 * Consul 1.8.7 lacks this endpoint (its router answers an empty 404), so no mark of a genuine "missing"
 * was measured: any non-HTML 404 reads as missing.
 * @throws {NotFoundError} when the 404 is an HTML page (a proxy's, a wrong `pathPrefix`): never Consul's.
 * @see https://developer.hashicorp.com/consul/api-docs/admin-partitions#read-a-partition
 * @example const { data } = await partition.read(client, 'na-west');
 */
export async function read(client: Client, name: string, options: ReadOptions = {}): Promise<Result<Partition | undefined>> {
  const path = namePath(name);
  return requestJsonOrMissing(client, { path, options }, PartitionSchema, MISSING.unmeasured);
}

/**
 * Updates an admin partition's description (`operator:write`).
 * @returns the updated partition.
 * @see https://developer.hashicorp.com/consul/api-docs/admin-partitions#update-a-partition
 * @example await partition.update(client, 'na-west', { Description: 'NA West' });
 */
export async function update(client: Client, name: string, input: PartitionInput, options: WriteOptions = {}): Promise<Result<Partition>> {
  return requestJson(client, { method: 'PUT', path: namePath(name), json: input, options }, PartitionSchema);
}

/**
 * Marks an admin partition for deletion; Consul deletes its data in the background. `delete` is the exported name.
 * @returns nothing (`data` is `undefined`).
 * @see https://developer.hashicorp.com/consul/api-docs/admin-partitions#delete-a-partition
 * @example await partition.delete(client, 'na-west');
 */
export async function remove(client: Client, name: string, options: WriteOptions = {}): Promise<Result<void>> {
  return sendVoid(client, { method: 'DELETE', path: namePath(name), options });
}

export { remove as delete };

/**
 * Lists the admin partitions.
 * @returns the partitions.
 * @see https://developer.hashicorp.com/consul/api-docs/admin-partitions#list-all-partitions
 * @example const { data } = await partition.list(client);
 */
export async function list(client: Client, options: ReadOptions = {}): Promise<Result<Partition[]>> {
  return requestJson(client, { path: 'partitions', options }, PartitionList);
}

/**
 * How these functions nest on the `Consul` facade: `consul.partition.create(…)`, `consul.partition.read(name)`…
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const partitionFacade = {
  create: create as typeof create,
  read: read as typeof read,
  update: update as typeof update,
  delete: remove as typeof remove,
  list: list as typeof list,
};
