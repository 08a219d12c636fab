/**
 * The services this cluster shares: those it exports to cluster peers and admin partitions (through
 * `exported-services` config entries) and those it imports from them.
 * @see https://developer.hashicorp.com/consul/api-docs/exported-services
 * @module
 */
import type { Client } from '../core/client.ts';
import type { ReadOptions } from '../core/query.ts';
import type { Result } from '../core/request.ts';
import { requestJson } from '../core/request.ts';
import type { ImportedService, ResolvedExportedService } from '../schemas/exported-services.ts';
import { ImportedServiceList, ResolvedExportedServiceList } from '../schemas/exported-services.ts';

export type { ExportedServiceConsumers, ImportedService, ResolvedExportedService } from '../schemas/exported-services.ts';

/**
 * Lists the services exported by `exported-services` config entries, with their consumers (peers,
 * partitions); sameness groups and wildcards come expanded. A blocking query: pass `index` and `wait`.
 * @since Consul 1.17.3
 * @param options - `partition` (Enterprise) to list another partition's exports; the read options.
 * @returns `[{ Service, Consumers: { Peers, Partitions } }]` (`[]` when nothing is exported).
 * @throws {ForbiddenError} without `mesh:read` or `operator:read`.
 * @throws {NotFoundError} on Consul before 1.17.3 (no such endpoint; Consul 1.8.7 answers 404).
 * @see https://developer.hashicorp.com/consul/api-docs/exported-services#list-exported-services
 * @example
 * ```ts
 * const { data } = await exportedServices.list(client);
 * for (const s of data) console.log(s.Service, '→', s.Consumers.Peers ?? []);
 * ```
 */
export async function list(client: Client, options: ReadOptions = {}): Promise<Result<ResolvedExportedService[]>> {
  return requestJson(client, { path: 'exported-services', options }, ResolvedExportedServiceList);
}

/**
 * Lists the services imported from cluster peers (and, on Enterprise, other partitions): the Go
 * client's `ImportedServices`. Consul's API pages do not document this endpoint; the shape is the Go
 * client's `ImportedService`.
 * @since the Consul versions whose Go client has `ImportedServices` (the endpoint is not on Consul 1.21's API pages)
 * @returns `[{ Service, SourcePeer?, SourcePartition?, Partition?, Namespace? }]` (`[]` when nothing is imported).
 * @throws {ForbiddenError} without the permission the endpoint asks for.
 * @throws {NotFoundError} on Consul versions without the endpoint (Consul 1.8.7 answers 404).
 * @see https://pkg.go.dev/github.com/hashicorp/consul/api#Client.ImportedServices
 * @example const { data } = await exportedServices.importedList(client); // data[0].SourcePeer
 */
export async function importedList(client: Client, options: ReadOptions = {}): Promise<Result<ImportedService[]>> {
  return requestJson(client, { path: 'imported-services', options }, ImportedServiceList);
}

/**
 * How these functions nest on the `Consul` facade: `consul.exportedServices.list()`,
 * `consul.exportedServices.importedList()`.
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const exportedServicesFacade = {
  list: list as typeof list,
  importedList: importedList as typeof importedList,
};
