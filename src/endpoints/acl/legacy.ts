/**
 * The legacy ACL API (Consul < 1.4; deprecated by 1.4, removed in 1.11), with consulate's names:
 * create, update, delete, read, clone and list tokens in the legacy shape. These calls put the
 * *target* token's secret in the URL path (Consul's design): their errors redact it.
 * @see https://developer.hashicorp.com/consul/api-docs/v1.12.x/acl/legacy
 * @module
 */
import type { Client } from '../../core/client.ts';
import { InputError, isConsulError } from '../../core/errors.ts';
import { pathSegment } from '../../core/path.ts';
import type { ReadOptions, WriteOptions } from '../../core/query.ts';
import { withoutSecret } from '../../core/redact.ts';
import type { Result } from '../../core/request.ts';
import { requestJson } from '../../core/request.ts';
import { refuseDatacenter } from '../../core/routing.ts';
import type { LegacyACL as LegacyACLT } from '../../schemas/acl.ts';
import { ACLBoolean, ACLIDResult, LegacyACLList } from '../../schemas/acl.ts';
import { ACL_WRITE, checkObject, LEGACY_READ } from './shared.ts';
import type { tokenClone, tokenRead, tokenUpdate } from './tokens.ts';

/** A legacy token to create or update (Consul < 1.4's API), with Consul's field names. */
export interface LegacyACLInput {
  /** The token's secret: a chosen one on create (generated when left out); required on update. */
  ID?: string | undefined;
  /** Opaque to Consul; a meaningful label. */
  Name?: string | undefined;
  /** `client` or `management`. [`client`] */
  Type?: 'client' | 'management' | (string & {}) | undefined;
  /** Rules in HCL or JSON. */
  Rules?: string | undefined;
  [field: string]: unknown;
}

/** A legacy token's body; `Type` defaults to `client` (Consul's documented default; 1.8.7 refuses an empty one). */
function legacyBody(input: LegacyACLInput): Record<string, unknown> {
  const body = { ...checkObject(input, 'a legacy token') };
  if (body['Type'] === undefined) body['Type'] = 'client';
  if (body['Type'] !== 'client' && body['Type'] !== 'management') {
    throw new InputError(`Type must be "client" or "management", got ${JSON.stringify(body['Type'])}`);
  }
  return body;
}

/**
 * A copy of a consulate error without `secret` in its message, path or Consul text (legacy calls put
 * the secret in the URL): same class and fields, minus its `cause` (a fetch failure may quote the URL).
 */
function redactSecret(error: unknown, secret: string, hint?: { when: RegExp; text: string }): unknown {
  if (!isConsulError(error)) return error;
  return withoutSecret(error, secret, hint && hint.when.test(error.consulMessage ?? '') ? ` (${hint.text})` : '');
}

async function legacyCall<T>(secret: string, call: () => Promise<T>, hint?: { when: RegExp; text: string }): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw redactSecret(error, secret, hint);
  }
}

/**
 * Legacy: creates a token from `{ Name, Type, Rules, ID? }` (consulate's `acl.create`).
 * @param input - Consul's fields: `Name` (a label), `Type` (`client`, the default, or `management`),
 *   `Rules`, and `ID` to choose the secret; other fields are sent unchanged.
 * @returns the new token's ID (its secret).
 * @throws {InputError} for a `Type` other than `client`/`management`, before sending.
 * @throws {ForbiddenError} without a management token.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/v1.12.x/acl/legacy#create-acl-token
 * @example const { data: id } = await acl.legacyCreate(admin, { Name: 'app', Type: 'client', Rules: 'key "app/" { policy = "read" }' });
 */
export async function legacyCreate(client: Client, input: LegacyACLInput = {}, options: WriteOptions = {}): Promise<Result<string>> {
  refuseDatacenter(options, 'acl.legacyCreate', ACL_WRITE);
  const body = legacyBody(input);
  const { data, meta } = await requestJson(client, { method: 'PUT', path: 'acl/create', json: body, options }, ACLIDResult);
  return { data: data.ID, meta };
}

/**
 * Legacy: updates a legacy token, or creates it with this `ID` when it does not exist (Consul 1.8.7
 * upserts; consulate's `acl.update`).
 * @param input - Consul's fields: `ID` (the secret, required), `Name`, `Type` (`client`, the default,
 *   or `management`), `Rules`; an entry of {@link legacyList} can be passed as is.
 * @returns the token's ID.
 * @throws {InputError} without an `ID` or for a `Type` other than `client`/`management`, before sending.
 * @throws {ServerError} `Cannot use legacy endpoint to modify a non-legacy token` for a token made
 *   by the current API (`consulMessage` holds Consul's text; use {@link tokenUpdate}).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/v1.12.x/acl/legacy#update-acl-token
 * @example await acl.legacyUpdate(admin, { ID: id, Name: 'app', Type: 'client', Rules: rules });
 */
export async function legacyUpdate(client: Client, input: LegacyACLInput & { ID: string }, options: WriteOptions = {}): Promise<Result<string>> {
  refuseDatacenter(options, 'acl.legacyUpdate', ACL_WRITE);
  const body = legacyBody(input);
  const id = body['ID'];
  if (typeof id !== 'string' || !id) throw new InputError('a legacy token update needs an ID (the token\'s secret)');
  const { data, meta } = await legacyCall(
    id,
    () => requestJson(client, { method: 'PUT', path: 'acl/update', json: body, options }, ACLIDResult),
    { when: /non-legacy token/, text: 'use acl.tokenUpdate for tokens made by the current ACL API' },
  );
  return { data: data.ID, meta };
}

/**
 * Legacy: deletes a token by its secret ID (consulate's `acl.destroy`). On 1.8.7 this also deletes
 * tokens made by the current API, and succeeds for unknown IDs.
 * The secret travels in the URL path (Consul's design); errors redact it.
 * @returns `true` (Consul's answer).
 * @throws {ForbiddenError} without a management token.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/v1.12.x/acl/legacy#delete-acl-token
 * @example await acl.legacyDelete(admin, id);
 */
export async function legacyDelete(client: Client, id: string, options: WriteOptions = {}): Promise<Result<boolean>> {
  refuseDatacenter(options, 'acl.legacyDelete', ACL_WRITE);
  const path = `acl/destroy/${pathSegment(id, 'id')}`;
  return legacyCall(id, () => requestJson(client, { method: 'PUT', path, options }, ACLBoolean));
}

/**
 * Legacy: reads a token by its secret ID (consulate's `acl.info`); `undefined` when Consul answers
 * `[]` — for unknown IDs and, on 1.8.7, for tokens made by the current API (use {@link tokenRead}).
 * On 1.8.7 it ignores the caller's token (even an unknown one): the secret in the path is the
 * credential. It travels in the URL path (Consul's design); errors redact it.
 * @returns the legacy token (`ID`, `Name`, `Type`, `Rules`…), or `undefined`.
 * @throws {HttpError} with status 401 when ACLs are disabled.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/v1.12.x/acl/legacy#read-acl-token
 * @example const { data } = await acl.legacyRead(admin, id); // data?.Rules
 */
export async function legacyRead(client: Client, id: string, options: ReadOptions = {}): Promise<Result<LegacyACLT | undefined>> {
  refuseDatacenter(options, 'acl.legacyRead', LEGACY_READ);
  const path = `acl/info/${pathSegment(id, 'id')}`;
  const { data, meta } = await legacyCall(id, () => requestJson(client, { path, options }, LegacyACLList));
  return { data: data[0], meta };
}

/**
 * Legacy: clones a legacy token (consulate's `acl.clone`).
 * The secret travels in the URL path (Consul's design); errors redact it.
 * @returns the new token's ID.
 * @throws {ForbiddenError} `Permission denied` — on 1.8.7 also for tokens made by the current API,
 *   even with a management token (use {@link tokenClone}).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/v1.12.x/acl/legacy#clone-acl-token
 * @example const { data: newId } = await acl.legacyClone(admin, id);
 */
export async function legacyClone(client: Client, id: string, options: WriteOptions = {}): Promise<Result<string>> {
  refuseDatacenter(options, 'acl.legacyClone', ACL_WRITE);
  const path = `acl/clone/${pathSegment(id, 'id')}`;
  const { data, meta } = await legacyCall(
    id,
    () => requestJson(client, { method: 'PUT', path, options }, ACLIDResult),
    { when: /^Permission denied$/, text: 'the legacy clone endpoint refuses tokens made by the current ACL API; use acl.tokenClone' },
  );
  return { data: data.ID, meta };
}

/**
 * Legacy: lists all tokens in the legacy shape (consulate's `acl.list`), secrets included.
 * @returns the tokens (`ID` is the secret).
 * @throws {ForbiddenError} without a management token (also for the anonymous token).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (the agent you talk to answers).
 * @see https://developer.hashicorp.com/consul/api-docs/v1.12.x/acl/legacy#list-acls
 * @example const { data } = await acl.legacyList(admin);
 */
export async function legacyList(client: Client, options: ReadOptions = {}): Promise<Result<LegacyACLT[]>> {
  refuseDatacenter(options, 'acl.legacyList', LEGACY_READ);
  return requestJson(client, { path: 'acl/list', options }, LegacyACLList);
}
