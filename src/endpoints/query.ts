/**
 * Prepared queries (`/v1/query`): stored service queries with failover, executed by id or name
 * (also through DNS as `<name>.query.consul`).
 *
 * Definitions use Consul's field names (`Name`, `Service: { Service, OnlyPassing, Tags, Failover }`, `DNS`,
 * `Template`), so a query read with {@link read} can be changed and written back with {@link update}.
 * @see https://developer.hashicorp.com/consul/api-docs/query
 * @module
 */
import type { Client } from '../core/client.ts';
import { InputError } from '../core/errors.ts';
import { pathSegment } from '../core/path.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import { MISSING } from '../core/missing.ts';
import type { RequestSpec, Result } from '../core/request.ts';
import { requestJson, requestJsonOrMissing, sendVoid } from '../core/request.ts';
import type { PreparedQuery, PreparedQueryExecuteResult, PreparedQueryExplain } from '../schemas/query.ts';
import {
  IdResponse,
  PreparedQueryExecuteResult as ExecuteSchema,
  PreparedQueryExplain as ExplainSchema,
  PreparedQueryList,
} from '../schemas/query.ts';

import type { PreparedQueryServiceSpec } from '../schemas/query.ts';
export type {
  PreparedQuery,
  PreparedQueryExecuteResult,
  PreparedQueryExplain,
  PreparedQueryNode,
  PreparedQueryServiceSpec,
} from '../schemas/query.ts';

/** A prepared query to create or update (Consul's field names). */
export interface PreparedQueryDefinition {
  /** Name to execute it by (and its DNS name `<name>.query.consul`); a prefix for `name_prefix_match` templates. */
  Name?: string | undefined;
  /** Session whose invalidation deletes the query. */
  Session?: string | undefined;
  /** ACL token the query runs with (stored with the query); empty means the caller's token. */
  Token?: string | undefined;
  /** What to query. */
  Service: PreparedQueryServiceSpec;
  /** DNS settings, e.g. `{ TTL: '10s' }`. */
  DNS?: { TTL?: string | undefined } | undefined;
  /** Makes the query a template: `{ Type: 'name_prefix_match', Regexp?, RemoveEmptyTags? }`. */
  Template?: { Type: 'name_prefix_match' | (string & {}); Regexp?: string | undefined; RemoveEmptyTags?: boolean | undefined } | undefined;
  [field: string]: unknown;
}

/** Options of {@link execute}. */
export interface ExecuteOptions extends ReadOptions {
  /** Return at most this many instances. */
  limit?: number | undefined;
  /** Return Connect-capable instances (proxies, native) instead of the service itself. */
  connect?: boolean | undefined;
}

function idPath(id: string, what = 'id'): string {
  return `query/${pathSegment(id, `a prepared query ${what}`)}`;
}

function definitionOf(definition: PreparedQueryDefinition): PreparedQueryDefinition {
  if (typeof definition !== 'object' || definition === null) throw new InputError('a prepared query definition must be an object');
  if (typeof definition.Service?.Service !== 'string' || definition.Service.Service === '') {
    throw new InputError('a prepared query needs Service.Service (the service name to query)');
  }
  return definition;
}

/**
 * Creates a prepared query.
 * @param definition - the query, with Consul's field names.
 * @returns `{ ID }` of the new query.
 * @throws {InputError} without `Service.Service`, before sending.
 * @throws {ServerError} when Consul rejects it (e.g. a name already used: Consul answers 500).
 * @see https://developer.hashicorp.com/consul/api-docs/query#create-prepared-query
 * @example
 * ```ts
 * const { data } = await query.create(client, { Name: 'web', Service: { Service: 'web', OnlyPassing: true } });
 * ```
 */
export async function create(
  client: Client,
  definition: PreparedQueryDefinition,
  options: WriteOptions = {},
): Promise<Result<{ ID: string }>> {
  return requestJson(client, { method: 'POST', path: 'query', json: definitionOf(definition), options }, IdResponse);
}

/**
 * Lists every prepared query.
 * @returns the queries (`[]` when there are none).
 * @see https://developer.hashicorp.com/consul/api-docs/query#read-prepared-query
 * @example const { data } = await query.list(client);
 */
export async function list(client: Client, options: ReadOptions = {}): Promise<Result<PreparedQuery[]>> {
  return requestJson(client, { path: 'query', options }, PreparedQueryList);
}

/**
 * Reads one prepared query by id.
 * @returns the query, or `undefined` when there is none with this id (Consul: 404 "Query not found").
 * @throws {InputError} for an empty id.
 * @throws {NotFoundError} when a 404 lacks Consul's text "Query not found" (a proxy's page, a wrong `pathPrefix`): not Consul's "missing".
 * @see https://developer.hashicorp.com/consul/api-docs/query#read-prepared-query-1
 * @example const { data: q } = await query.read(client, id);
 */
export async function read(client: Client, id: string, options: ReadOptions = {}): Promise<Result<PreparedQuery | undefined>> {
  const path = idPath(id);
  const { data, meta } = await requestJsonOrMissing(client, { path, options }, PreparedQueryList, MISSING.preparedQuery);
  return { data: data?.[0], meta };
}

/**
 * Replaces a prepared query's definition.
 * @returns nothing (`data` is `undefined`); `meta` of the write.
 * @throws {ServerError} when the query does not exist (Consul answers 500 "Cannot modify non-existent prepared query").
 * @see https://developer.hashicorp.com/consul/api-docs/query#update-prepared-query
 * @example await query.update(client, id, { Name: 'web', Service: { Service: 'web', Tags: ['v2'] } });
 */
export async function update(
  client: Client,
  id: string,
  definition: PreparedQueryDefinition,
  options: WriteOptions = {},
): Promise<Result<void>> {
  return sendVoid(client, { method: 'PUT', path: idPath(id), json: definitionOf(definition), options });
}

/**
 * Deletes a prepared query. `delete` is the exported name.
 * @returns nothing (`data` is `undefined`); `meta` of the write.
 * @throws {ServerError} when the query does not exist (Consul answers 500).
 * @see https://developer.hashicorp.com/consul/api-docs/query#delete-prepared-query
 * @example await query.delete(client, id);
 */
export async function remove(client: Client, id: string, options: WriteOptions = {}): Promise<Result<void>> {
  return sendVoid(client, { method: 'DELETE', path: idPath(id), options });
}

export { remove as delete };

/**
 * Executes a prepared query by id or name (templates match by name prefix).
 * @param options - `limit`, `near` (`_agent`, a node name), `connect`, plus the usual read options.
 * @returns the healthy instances and the datacenter that answered.
 * @throws {NotFoundError} when no query has this id or name.
 * @see https://developer.hashicorp.com/consul/api-docs/query#execute-prepared-query
 * @example
 * ```ts
 * const { data } = await query.execute(client, 'web', { limit: 3, near: '_agent' });
 * for (const { Service } of data.Nodes) console.log(Service.Address, Service.Port);
 * ```
 */
export async function execute(
  client: Client,
  idOrName: string,
  options: ExecuteOptions = {},
): Promise<Result<PreparedQueryExecuteResult>> {
  const { limit, connect, ...rest } = options;
  // Consul 1.8.7 ignores a bare `?connect`: it needs `connect=true`
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new InputError(`limit must be a non-negative integer, got ${limit}`);
  }
  return requestJson(
    client,
    { path: `${idPath(idOrName, 'id or name')}/execute`, params: { limit, connect: connect ? 'true' : undefined }, options: rest },
    ExecuteSchema,
  );
}

/**
 * Shows the query that executing `idOrName` would run, after template rendering.
 * @returns `{ Query }`: the query as it would run, templates rendered.
 * @throws {NotFoundError} when no query has this id or name.
 * @see https://developer.hashicorp.com/consul/api-docs/query#explain-prepared-query
 * @example const { data } = await query.explain(client, 'geo-web'); // data.Query.Service.Service === 'web'
 */
export async function explain(client: Client, idOrName: string, options: ReadOptions = {}): Promise<Result<PreparedQueryExplain>> {
  return requestJson(client, { path: `${idPath(idOrName, 'id or name')}/explain`, options }, ExplainSchema);
}

/**
 * How these functions nest on the `Consul` facade: `consul.query.create(…)`, `consul.query.execute(name)`…
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const queryFacade = {
  create: create as typeof create,
  list: list as typeof list,
  read: read as typeof read,
  update: update as typeof update,
  delete: remove as typeof remove,
  execute: execute as typeof execute,
  explain: explain as typeof explain,
};
