/**
 * Configuration entries (`/v1/config`): centrally stored service-mesh configuration —
 * `service-defaults`, `proxy-defaults`, `service-router`, `service-splitter`, `service-resolver`,
 * `ingress-gateway` and `terminating-gateway` on Consul 1.8.7, and the kinds of Consul 1.21's reference
 * (`service-intentions`, `mesh`, `exported-services`, `api-gateway`, `bound-api-gateway`, `http-route`,
 * `tcp-route`, `inline-certificate`, `file-system-certificate`, `jwt-provider`; Enterprise `sameness-group`,
 * `control-plane-request-limit`), typed by `Kind`. Any other kind reads as {@link ConfigEntryBase}.
 *
 * Entries use Consul's field names (`Kind`, `Name`, `Protocol`…), so an entry read with {@link read}
 * can be changed and written back with {@link set} (use its `ModifyIndex` as `cas`).
 *
 * Writes ({@link set}, {@link remove}) always go to the primary datacenter, which replicates them:
 * Consul ignores `?dc=` there, so an explicit `datacenter` option is an {@link InputError}. Reads honour `datacenter`.
 * @see https://developer.hashicorp.com/consul/api-docs/config
 * @module
 */
import type { Client } from '../core/client.ts';
import type { Generic } from '../core/bind.ts';
import { uint64 } from '../core/encoding.ts';
import { InputError, ResponseValidationError } from '../core/errors.ts';
import { pathSegment } from '../core/path.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import { MISSING } from '../core/missing.ts';
import type { Result } from '../core/request.ts';
import { check, drain, readJson, requestJson, requestJsonOrMissing, send } from '../core/request.ts';
import { refuseDatacenter } from '../core/routing.ts';
import type { ConfigEntry, ConfigEntryBase, ConfigEntryKind, ConfigEntryOf } from '../schemas/config.ts';
import { BooleanResult, ConfigEntry as ConfigEntrySchema, ConfigEntryList } from '../schemas/config.ts';

/** Why an explicit `datacenter` option is refused on config entry writes (Consul 1.8.7 ignores `?dc=` there). */
const PRIMARY_ONLY = 'config entry writes always go to the primary datacenter, which replicates them to the others';

export type {
  APIGatewayEntry,
  APIGatewayListener,
  BoundAPIGatewayEntry,
  ConfigEntry,
  ConfigEntryBase,
  ConfigEntryKind,
  ConfigEntryKinds,
  ConfigEntryOf,
  ConfigEntryReference,
  ControlPlaneRequestLimitEntry,
  ExportedServicesEntry,
  ExposeConfig,
  FileSystemCertificateEntry,
  HTTPRouteEntry,
  InlineCertificateEntry,
  JWTProviderEntry,
  MeshEntry,
  SamenessGroupEntry,
  ServiceIntentionsEntry,
  SourceIntention,
  TCPRouteEntry,
  IngressGatewayEntry,
  MeshGatewayConfig,
  ProxyDefaultsEntry,
  ServiceDefaultsEntry,
  ServiceResolverEntry,
  ServiceRoute,
  ServiceRouterEntry,
  ServiceSplitterEntry,
  TerminatingGatewayEntry,
} from '../schemas/config.ts';

/** Options of {@link set}. */
export interface SetConfigOptions extends WriteOptions {
  /** Check-and-set: write only if the entry's ModifyIndex is this (0: only if it does not exist). */
  cas?: number | bigint | undefined;
}

function segment(value: string, what: string): string {
  return pathSegment(value, `a config entry ${what}`);
}

function ofKind<K extends string>(entry: ConfigEntryBase, kind: K, where: string): ConfigEntryOf<K> {
  if (entry.Kind !== kind) {
    throw new ResponseValidationError(`${where}: asked for kind ${kind}, got ${entry.Kind}`, [{ path: 'Kind', message: 'unexpected kind' }]);
  }
  return entry as ConfigEntryOf<K>;
}

/**
 * Reads one configuration entry.
 * @param kind - e.g. `service-defaults`; the result is typed by it.
 * @param name - the entry's name (`global` for `proxy-defaults`).
 * @returns the entry, or `undefined` when there is none (Consul: 404 "Config entry not found").
 * @throws {InputError} for an empty kind or name, before sending.
 * @throws {ServerError} for a kind Consul does not know (it answers 500 "invalid config entry kind").
 * @throws {NotFoundError} when a 404 lacks Consul's `X-Consul-Index` header and its "Config entry not found" text (a proxy's page, a wrong `pathPrefix`): not Consul's "missing".
 * @see https://developer.hashicorp.com/consul/api-docs/config#get-configuration
 * @example
 * ```ts
 * const { data } = await config.read(client, 'service-defaults', 'web');
 * console.log(data?.Protocol);
 * ```
 */
export async function read<K extends ConfigEntryKind | (string & {})>(
  client: Client,
  kind: K,
  name: string,
  options: ReadOptions = {},
): Promise<Result<ConfigEntryOf<K> | undefined>> {
  const path = `config/${segment(kind, 'kind')}/${segment(name, 'name')}`;
  const { data, meta } = await requestJsonOrMissing(client, { path, options }, ConfigEntrySchema, MISSING.configEntry);
  return { data: data === undefined ? undefined : ofKind(data, kind, `GET /v1/${path}`), meta };
}

/**
 * Lists every entry of a kind.
 * @returns the entries (`[]` when there are none).
 * @throws {ServerError} for a kind Consul does not know.
 * @see https://developer.hashicorp.com/consul/api-docs/config#list-configurations
 * @example const { data } = await config.list(client, 'service-resolver');
 */
export async function list<K extends ConfigEntryKind | (string & {})>(
  client: Client,
  kind: K,
  options: ReadOptions = {},
): Promise<Result<ConfigEntryOf<K>[]>> {
  const path = `config/${segment(kind, 'kind')}`;
  const { data, meta } = await requestJson(client, { path, options }, ConfigEntryList);
  const where = `GET /v1/${path}`;
  return { data: data.map((entry) => ofKind(entry, kind, where)), meta };
}

/**
 * Creates or replaces a configuration entry.
 * @param entry - the whole entry with `Kind` and `Name` (Consul's field names).
 * @param options - `cas` for check-and-set (0: create only).
 * @returns whether Consul applied it (`false` when `cas` did not match).
 * @throws {InputError} without `Kind` or `Name`, before sending.
 * @throws {BadRequestError} for an unknown kind or an invalid entry.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (config entry writes always go to the primary datacenter).
 * @see https://developer.hashicorp.com/consul/api-docs/config#apply-configuration
 * @example
 * ```ts
 * await config.set(client, { Kind: 'service-defaults', Name: 'web', Protocol: 'http' });
 * ```
 */
export async function set(client: Client, entry: ConfigEntry, options: SetConfigOptions = {}): Promise<Result<boolean>> {
  refuseDatacenter(options, 'config.set', PRIMARY_ONLY);
  if (typeof entry !== 'object' || entry === null) throw new InputError('a config entry must be an object');
  segment(entry.Kind, 'Kind');
  segment(entry.Name, 'Name');
  const { cas, ...rest } = options;
  return requestJson(
    client,
    { method: 'PUT', path: 'config', params: { cas: cas === undefined ? undefined : uint64(cas, 'cas') }, json: entry, options: rest },
    BooleanResult,
  );
}

/**
 * Deletes a configuration entry; deleting a missing entry succeeds too. `delete` is the exported name.
 * (For a check-and-set delete, Consul 1.11+, see {@link deleteCas}: Consul 1.8.7 ignores `?cas` here.)
 * @returns nothing (`data` is `undefined`).
 * @throws {InputError} for an empty kind or name, before sending.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (config entry writes always go to the primary datacenter).
 * @see https://developer.hashicorp.com/consul/api-docs/config#delete-configuration
 * @example await config.delete(client, 'service-defaults', 'web');
 */
export async function remove(client: Client, kind: ConfigEntryKind | (string & {}), name: string, options: WriteOptions = {}): Promise<Result<void>> {
  refuseDatacenter(options, 'config.remove', PRIMARY_ONLY);
  const path = `config/${segment(kind, 'kind')}/${segment(name, 'name')}`;
  const { response, meta } = await send(client, { method: 'DELETE', path, options });
  await drain(response);
  return { data: undefined, meta };
}

export { remove as delete };

/**
 * Deletes a configuration entry only if its `ModifyIndex` is still `cas` (`DELETE …?cas=N`, Go's
 * `DeleteCAS`): the delete counterpart of {@link set}'s `cas`. Unlike `set`, a `cas` of 0 deletes nothing.
 * @since Consul 1.11. Older versions ignore `?cas`: Consul 1.8.7 deletes the entry whatever the index and
 *   answers `{}`, which this function reports as a {@link ResponseValidationError} saying so rather than as
 *   success — on such agents the entry is gone all the same.
 * @param cas - the entry's `ModifyIndex` as last read (uint64; a number or bigint).
 * @returns whether the entry was deleted (`false` when the index no longer matches).
 * @throws {InputError} for an empty kind or name, a `cas` that is not a positive uint64, or an explicit `datacenter`, before sending.
 * @throws {ResponseValidationError} when the answer is not `true`/`false`; for `{}` (an agent older than 1.11, see above) its message says the entry was deleted without the check.
 * @see https://developer.hashicorp.com/consul/api-docs/config#delete-configuration
 * @example
 * ```ts
 * const { data: entry, meta } = await config.read(client, 'service-defaults', 'web');
 * if (entry) await config.deleteCas(client, 'service-defaults', 'web', entry.ModifyIndex);
 * ```
 */
export async function deleteCas(
  client: Client,
  kind: ConfigEntryKind | (string & {}),
  name: string,
  cas: number | bigint,
  options: WriteOptions = {},
): Promise<Result<boolean>> {
  refuseDatacenter(options, 'config.deleteCas', PRIMARY_ONLY);
  const index = uint64(cas, 'cas');
  if (index === '0') throw new InputError('cas must be the entry’s ModifyIndex (above 0): Consul deletes nothing for cas=0');
  const path = `config/${segment(kind, 'kind')}/${segment(name, 'name')}`;
  const { response, meta } = await send(client, { method: 'DELETE', path, params: { cas: index }, options });
  const where = `DELETE /v1/${path}?cas=${index}`;
  const answer = await readJson(response, where);
  // Consul < 1.11 has no check-and-set here: it deleted the entry whatever the index and answered {}
  if (typeof answer === 'object' && answer !== null && !Array.isArray(answer) && Object.keys(answer).length === 0) {
    throw new ResponseValidationError(
      `${where} answered {} instead of true/false: this agent ignores ?cas (Consul older than 1.11), so the entry was deleted without the check`,
      [{ path: '', message: 'expected a boolean, got {}' }],
    );
  }
  return { data: check(client, BooleanResult, answer, where), meta };
}

/**
 * How these functions nest on the `Consul` facade: `consul.config.read(kind, name)` (typed by kind),
 * `consul.config.set(entry)`…
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const configFacade = {
  read: read as Generic<
    typeof read,
    <K extends ConfigEntryKind | (string & {})>(kind: K, name: string, options?: ReadOptions) => Promise<Result<ConfigEntryOf<K> | undefined>>
  >,
  list: list as Generic<
    typeof list,
    <K extends ConfigEntryKind | (string & {})>(kind: K, options?: ReadOptions) => Promise<Result<ConfigEntryOf<K>[]>>
  >,
  set: set as typeof set,
  delete: remove as typeof remove,
  deleteCas: deleteCas as typeof deleteCas,
};
