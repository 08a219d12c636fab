/**
 * Connect (service mesh): the CA's roots and configuration, and intentions — which services may talk
 * to which — by id as Consul 1.8.7 has them, and by exact source and destination name (Consul 1.9+,
 * which stores intentions as `service-intentions` config entries; tested by contract).
 *
 * Intentions use Consul's field names (`SourceName`, `DestinationName`, `Action`…).
 * @see https://developer.hashicorp.com/consul/api-docs/connect
 * @module
 */
import type { Client } from '../core/client.ts';
import { InputError } from '../core/errors.ts';
import { pathSegment } from '../core/path.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import { MISSING } from '../core/missing.ts';
import type { RequestSpec, Result } from '../core/request.ts';
import { requestJson, requestJsonOrMissing, sendVoid } from '../core/request.ts';
import { BooleanResult } from '../schemas/config.ts';
import type { CAConfiguration, CARoots, Intention } from '../schemas/connect.ts';
import {
  CAConfiguration as CAConfigurationSchema,
  CARoots as CARootsSchema,
  IdResponse,
  Intention as IntentionSchema,
  IntentionCheck,
  IntentionList,
  IntentionMatch,
} from '../schemas/connect.ts';

export type { CAConfiguration, CARoot, CARoots, Intention } from '../schemas/connect.ts';

/** An intention to create or update (Consul's field names). */
export interface IntentionInput {
  /** Source service name, or `*` for any. */
  SourceName: string;
  /** Destination service name, or `*` for any. */
  DestinationName: string;
  /** Whether connections from source to destination are allowed. */
  Action: 'allow' | 'deny';
  /** Enterprise: source namespace. */
  SourceNS?: string | undefined;
  /** Enterprise: destination namespace. */
  DestinationNS?: string | undefined;
  /** @default "consul" */
  SourceType?: 'consul' | (string & {}) | undefined;
  Description?: string | undefined;
  Meta?: Record<string, string> | undefined;
  [field: string]: unknown;
}

function nonEmpty(value: string, what: string): string {
  if (typeof value !== 'string' || value === '') throw new InputError(`${what} must be a non-empty string`);
  return value;
}

function intentionPath(id: string): string {
  return `connect/intentions/${pathSegment(id, 'an intention id')}`;
}

function intentionBody(intention: IntentionInput): IntentionInput {
  if (typeof intention !== 'object' || intention === null) throw new InputError('an intention must be an object');
  nonEmpty(intention.SourceName, 'SourceName');
  nonEmpty(intention.DestinationName, 'DestinationName');
  if (intention.Action !== 'allow' && intention.Action !== 'deny') {
    throw new InputError(`Action must be "allow" or "deny", got ${JSON.stringify(intention.Action)}`);
  }
  return intention;
}

/**
 * Reads the Connect CA's root certificates (blocking query capable).
 * @returns the roots, which one is active, and the trust domain.
 * @see https://developer.hashicorp.com/consul/api-docs/connect/ca#list-ca-root-certificates
 * @example
 * ```ts
 * const { data } = await connect.caRoots(client);
 * const active = data.Roots.find((r) => r.Active)?.RootCert;
 * ```
 */
export async function caRoots(client: Client, options: ReadOptions = {}): Promise<Result<CARoots>> {
  return requestJson(client, { path: 'connect/ca/roots', options }, CARootsSchema);
}

/**
 * Reads the Connect CA's provider configuration (`operator:read`).
 * @returns the provider name and its settings.
 * @see https://developer.hashicorp.com/consul/api-docs/connect/ca#get-ca-configuration
 * @example const { data } = await connect.caConfiguration(client); // data.Provider === 'consul'
 */
export async function caConfiguration(client: Client, options: ReadOptions = {}): Promise<Result<CAConfiguration>> {
  return requestJson(client, { path: 'connect/ca/configuration', options }, CAConfigurationSchema);
}

/** A CA configuration to write (Consul's field names). */
export interface CAConfigurationInput {
  /** `consul`, `vault` or `aws-pca`. */
  Provider: string;
  /** Provider-specific settings, e.g. `{ LeafCertTTL: '72h', RotationPeriod: '2160h' }` (Go durations as strings). */
  Config: Record<string, unknown>;
  /** Rotate without cross-signing (for providers that cannot cross-sign; connections break until proxies get new certificates). */
  ForceWithoutCrossSigning?: boolean | undefined;
  [field: string]: unknown;
}

/**
 * Replaces the Connect CA's configuration; changing the provider or its key starts a root rotation
 * (the new root is cross-signed by the old one unless `ForceWithoutCrossSigning`).
 * @param configuration - the whole configuration; a value read with {@link caConfiguration} can be changed and passed back.
 * @returns nothing (`data` is `undefined`).
 * @throws {InputError} without a `Provider` or a `Config` object, before sending.
 * @throws {ServerError} for a provider Consul does not know or a configuration it refuses (Consul answers 500, e.g. `could not initialize provider: unknown CA provider "x"`).
 * @throws {ForbiddenError} without `operator:write`.
 * @see https://developer.hashicorp.com/consul/api-docs/connect/ca#update-ca-configuration
 * @example
 * ```ts
 * const { data: current } = await connect.caConfiguration(client);
 * await connect.caSet(client, { ...current, Config: { ...current.Config, LeafCertTTL: '24h' } });
 * ```
 */
export async function caSet(client: Client, configuration: CAConfigurationInput, options: WriteOptions = {}): Promise<Result<void>> {
  if (typeof configuration !== 'object' || configuration === null) throw new InputError('the CA configuration must be an object');
  nonEmpty(configuration.Provider, 'Provider');
  if (typeof configuration.Config !== 'object' || configuration.Config === null || Array.isArray(configuration.Config)) {
    throw new InputError('Config must be an object of provider settings');
  }
  return sendVoid(client, { method: 'PUT', path: 'connect/ca/configuration', json: configuration, options });
}

/**
 * Creates an intention.
 * @returns `{ ID }` of the new intention.
 * @throws {InputError} without SourceName/DestinationName or with an Action other than allow/deny, before sending.
 * @throws {ServerError} for a duplicate (Consul answers 500 "duplicate intention found").
 * @see https://developer.hashicorp.com/consul/api-docs/connect/intentions#create-intention-with-id
 * @example
 * ```ts
 * const { data } = await connect.intentionCreate(client, { SourceName: 'web', DestinationName: 'db', Action: 'allow' });
 * ```
 */
export async function intentionCreate(client: Client, intention: IntentionInput, options: WriteOptions = {}): Promise<Result<{ ID: string }>> {
  return requestJson(client, { method: 'POST', path: 'connect/intentions', json: intentionBody(intention), options }, IdResponse);
}

/**
 * Lists every intention, by precedence.
 * @returns the intentions (`[]` when there are none).
 * @see https://developer.hashicorp.com/consul/api-docs/connect/intentions#list-intentions
 * @example const { data } = await connect.intentionList(client, { filter: 'SourceName == "web"' });
 */
export async function intentionList(client: Client, options: ReadOptions = {}): Promise<Result<Intention[]>> {
  return requestJson(client, { path: 'connect/intentions', options }, IntentionList);
}

/**
 * Reads one intention by id.
 * @returns the intention, or `undefined` when there is none (Consul: 404 "Intention not found").
 * @throws {BadRequestError} for an id that is not a UUID.
 * @throws {NotFoundError} when a 404 lacks Consul's text "Intention not found" (a proxy's page, a wrong `pathPrefix`): not Consul's "missing".
 * @see https://developer.hashicorp.com/consul/api-docs/connect/intentions#read-specific-intention-by-id
 * @example const { data } = await connect.intentionRead(client, id);
 */
export async function intentionRead(client: Client, id: string, options: ReadOptions = {}): Promise<Result<Intention | undefined>> {
  const path = intentionPath(id);
  return requestJsonOrMissing(client, { path, options }, IntentionSchema, MISSING.intention);
}

/**
 * Replaces an intention (fields left out, such as `Description`, are cleared).
 * @returns nothing (`data` is `undefined`).
 * @throws {InputError} for an invalid intention, before sending.
 * @see https://developer.hashicorp.com/consul/api-docs/connect/intentions#update-intention-by-id
 * @example await connect.intentionUpdate(client, id, { SourceName: 'web', DestinationName: 'db', Action: 'deny' });
 */
export async function intentionUpdate(
  client: Client,
  id: string,
  intention: IntentionInput,
  options: WriteOptions = {},
): Promise<Result<void>> {
  return sendVoid(client, { method: 'PUT', path: intentionPath(id), json: intentionBody(intention), options });
}

/**
 * Deletes an intention by id.
 * @returns nothing (`data` is `undefined`).
 * @throws {ServerError} when it does not exist (Consul answers 500 "Cannot delete non-existent intention").
 * @see https://developer.hashicorp.com/consul/api-docs/connect/intentions#delete-intention-by-id
 * @example await connect.intentionDelete(client, id);
 */
export async function intentionDelete(client: Client, id: string, options: WriteOptions = {}): Promise<Result<void>> {
  return sendVoid(client, { method: 'DELETE', path: intentionPath(id), options });
}

/**
 * Lists the intentions that match a source or destination service, by precedence (what a proxy
 * would evaluate).
 * @param by - match the name as `source` or as `destination`.
 * @param name - the service name.
 * @returns the matching intentions, highest precedence first.
 * @see https://developer.hashicorp.com/consul/api-docs/connect/intentions#list-matching-intentions
 * @example const { data } = await connect.intentionMatch(client, 'destination', 'db');
 */
export async function intentionMatch(
  client: Client,
  by: 'source' | 'destination',
  name: string,
  options: ReadOptions = {},
): Promise<Result<Intention[]>> {
  if (by !== 'source' && by !== 'destination') throw new InputError(`by must be "source" or "destination", got ${JSON.stringify(by)}`);
  nonEmpty(name, 'the service name to match');
  const { data, meta } = await requestJson(
    client,
    { path: 'connect/intentions/match', params: { by, name }, options },
    IntentionMatch,
  );
  return { data: data[name] ?? [], meta };
}

/**
 * Checks whether a connection from `source` to `destination` would be allowed, taking the default
 * (ACL default policy) into account when no intention matches.
 * @returns `true` when allowed.
 * @see https://developer.hashicorp.com/consul/api-docs/connect/intentions#check-intention-result
 * @example const { data: allowed } = await connect.intentionCheck(client, 'web', 'db');
 */
export async function intentionCheck(
  client: Client,
  source: string,
  destination: string,
  options: ReadOptions & { sourceType?: 'consul' | (string & {}) | undefined } = {},
): Promise<Result<boolean>> {
  const { sourceType, ...rest } = options;
  nonEmpty(source, 'source');
  nonEmpty(destination, 'destination');
  const { data, meta } = await requestJson(
    client,
    { path: 'connect/intentions/check', params: { source, destination, 'source-type': sourceType }, options: rest },
    IntentionCheck,
  );
  return { data: data.Allowed, meta };
}

/** The pair of names an exact intention is addressed by. */
function exactParams(source: string, destination: string): { source: string; destination: string } {
  return { source: nonEmpty(source, 'source'), destination: nonEmpty(destination, 'destination') };
}

/**
 * Reads the intention from `source` to `destination` by their exact names (no wildcard matching).
 * @returns the intention, or `undefined` when there is none (Consul: 404 "Intention not found").
 * @throws {InputError} for an empty source or destination, before sending.
 * @throws {NotFoundError} for a 404 without Consul's "Intention not found" text, e.g. from Consul before 1.9 (which lacks the endpoint) or a proxy.
 * @since Consul 1.9
 * @see https://developer.hashicorp.com/consul/api-docs/connect/intentions#read-specific-intention-by-name
 * @example const { data } = await connect.intentionReadExact(client, 'web', 'db'); // data?.Action
 */
export async function intentionReadExact(client: Client, source: string, destination: string, options: ReadOptions = {}): Promise<Result<Intention | undefined>> {
  const params = exactParams(source, destination);
  return requestJsonOrMissing(client, { path: 'connect/intentions/exact', params, options }, IntentionSchema, MISSING.intention);
}

/** An intention to write by name with {@link intentionUpsert} (Consul's field names; source and destination go in the URL). */
export interface IntentionUpsertInput {
  /** `allow` or `deny` (an L4 intention); leave out with `Permissions` for an L7 one. */
  Action?: 'allow' | 'deny' | undefined;
  /** L7 permissions (HTTP paths, methods, headers), in order. */
  Permissions?: Record<string, unknown>[] | undefined;
  Description?: string | undefined;
  /** @default "consul" */
  SourceType?: 'consul' | (string & {}) | undefined;
  [field: string]: unknown;
}

/**
 * Creates or replaces the intention from `source` to `destination` by name. Intentions written so
 * get no `ID`, `CreatedAt` or `UpdatedAt`, and cannot hold `Meta` (edit the `service-intentions`
 * config entry for that).
 * @returns whether Consul applied it.
 * @throws {InputError} for an empty source or destination, or neither `Action` nor `Permissions`, before sending.
 * @throws {ForbiddenError} without `intentions:write` on the destination.
 * @since Consul 1.9
 * @see https://developer.hashicorp.com/consul/api-docs/connect/intentions#upsert-intention-by-name
 * @example await connect.intentionUpsert(client, 'web', 'db', { Action: 'allow' });
 */
export async function intentionUpsert(
  client: Client,
  source: string,
  destination: string,
  intention: IntentionUpsertInput,
  options: WriteOptions = {},
): Promise<Result<boolean>> {
  const params = exactParams(source, destination);
  if (typeof intention !== 'object' || intention === null) throw new InputError('an intention must be an object');
  if (intention.Action === undefined && intention.Permissions === undefined) throw new InputError('an intention needs an Action ("allow" or "deny") or Permissions');
  if (intention.Action !== undefined && intention.Action !== 'allow' && intention.Action !== 'deny') {
    throw new InputError(`Action must be "allow" or "deny", got ${JSON.stringify(intention.Action)}`);
  }
  return requestJson(client, { method: 'PUT', path: 'connect/intentions/exact', params, json: intention, options }, BooleanResult);
}

/**
 * Deletes the intention from `source` to `destination` by name; deleting a missing one succeeds too.
 * @returns nothing (`data` is `undefined`).
 * @throws {InputError} for an empty source or destination, before sending.
 * @throws {ForbiddenError} without `intentions:write` on the destination.
 * @since Consul 1.9
 * @see https://developer.hashicorp.com/consul/api-docs/connect/intentions#delete-intention-by-name
 * @example await connect.intentionDeleteExact(client, 'web', 'db');
 */
export async function intentionDeleteExact(client: Client, source: string, destination: string, options: WriteOptions = {}): Promise<Result<void>> {
  const params = exactParams(source, destination);
  return sendVoid(client, { method: 'DELETE', path: 'connect/intentions/exact', params, options });
}

/**
 * How these functions nest on the `Consul` facade: `consul.connect.ca.roots()`, `consul.connect.intention.match(…)`…
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const connectFacade = {
  ca: {
    roots: caRoots as typeof caRoots,
    configuration: caConfiguration as typeof caConfiguration,
    set: caSet as typeof caSet,
  },
  intention: {
    create: intentionCreate as typeof intentionCreate,
    list: intentionList as typeof intentionList,
    read: intentionRead as typeof intentionRead,
    update: intentionUpdate as typeof intentionUpdate,
    delete: intentionDelete as typeof intentionDelete,
    match: intentionMatch as typeof intentionMatch,
    check: intentionCheck as typeof intentionCheck,
    readExact: intentionReadExact as typeof intentionReadExact,
    upsert: intentionUpsert as typeof intentionUpsert,
    deleteExact: intentionDeleteExact as typeof intentionDeleteExact,
  },
};
