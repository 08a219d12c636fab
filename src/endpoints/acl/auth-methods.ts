/**
 * ACL auth methods (create, read, update, delete, list), and `login`/`logout`, which exchange a
 * credential an auth method verifies for a token and destroy it again.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/auth-methods
 * @module
 */
import type { Client } from '../../core/client.ts';
import { InputError } from '../../core/errors.ts';
import { MISSING } from '../../core/missing.ts';
import { pathSegment } from '../../core/path.ts';
import type { ReadOptions, WriteOptions } from '../../core/query.ts';
import type { Result } from '../../core/request.ts';
import { requestJson, requestJsonOrMissing } from '../../core/request.ts';
import { refuseDatacenter } from '../../core/routing.ts';
import type { ACLAuthMethod as ACLAuthMethodT, ACLAuthMethodListEntry as ACLAuthMethodListEntryT, ACLToken as ACLTokenT } from '../../schemas/acl.ts';
import { ACLAuthMethod, ACLAuthMethodList, ACLBoolean, ACLToken } from '../../schemas/acl.ts';
import { ACL_WRITE, checkObject, durationString } from './shared.ts';

/** An auth method to create or (wholly) replace, with Consul's field names. Other fields are sent unchanged. */
export interface ACLAuthMethodInput {
  /** Unique name (on update, defaults to the name in the call). */
  Name?: string | undefined;
  /** `kubernetes`, `jwt` or `oidc` (1.8.7). */
  Type: string;
  /** Name to show in UIs. */
  DisplayName?: string | undefined;
  /** Human-readable description. */
  Description?: string | undefined;
  /** Longest life of tokens made by `login`: a Go duration (`"1h"`; a read returns `"1h0m0s"`). */
  MaxTokenTTL?: string | undefined;
  /** `local` (default) or `global` tokens. */
  TokenLocality?: 'local' | 'global' | (string & {}) | undefined;
  /**
   * Type-specific configuration (`Host`, `CACert`, `ServiceAccountJWT` for kubernetes;
   * `JWTValidationPubKeys`, `BoundAudiences`, `ClaimMappings`… for jwt).
   */
  Config?: Record<string, unknown> | undefined;
  [field: string]: unknown;
}

/** What `login` exchanges for a token, with Consul's field names. */
export interface ACLLoginInput {
  /** The auth method's name. */
  AuthMethod: string;
  /** The credential it verifies (a JWT, a Kubernetes service-account token…). */
  BearerToken: string;
  /** Metadata stored in the created token's description. */
  Meta?: Record<string, string> | undefined;
  [field: string]: unknown;
}

function authMethodBody(input: ACLAuthMethodInput, name: string | undefined): Record<string, unknown> {
  const body = { ...checkObject(input, 'an auth method') };
  if (name !== undefined && body['Name'] === undefined) body['Name'] = name;
  if (!body['Name']) throw new InputError('an auth method needs a Name');
  if (!body['Type']) throw new InputError('an auth method needs a Type');
  if (body['MaxTokenTTL'] !== undefined && body['MaxTokenTTL'] !== '') durationString(body['MaxTokenTTL'], 'MaxTokenTTL');
  return body;
}

/**
 * Creates an auth method. Consul checks the configuration's syntax (e.g. a kubernetes `CACert` must
 * be a PEM certificate, `Host` is required) but does not contact the host.
 * @returns the auth method.
 * @throws {ServerError} `Invalid Auth Method: …` for a bad configuration (Consul answers 500).
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/auth-methods#create-an-auth-method
 * @example
 * ```ts
 * await acl.authMethodCreate(admin, {
 *   Name: 'ci', Type: 'jwt', MaxTokenTTL: '1h',
 *   Config: { JWTValidationPubKeys: [pem], BoundAudiences: ['consul'] },
 * });
 * ```
 */
export async function authMethodCreate(client: Client, input: ACLAuthMethodInput, options: WriteOptions = {}): Promise<Result<ACLAuthMethodT>> {
  refuseDatacenter(options, 'acl.authMethodCreate', ACL_WRITE);
  return requestJson(client, { method: 'PUT', path: 'acl/auth-method', json: authMethodBody(input, undefined), options }, ACLAuthMethod);
}

/**
 * Reads an auth method by name; `undefined` when it does not exist (Consul answers 404).
 * Consul's "missing" 404 here has no mark (empty, no header), so a foreign empty 404 also reads as
 * missing; only an HTML page is refused.
 * @returns the auth method with its `Config`, or `undefined`.
 * @throws {ForbiddenError} without `acl = "read"`.
 * @throws {NotFoundError} when the 404 is an HTML page (a proxy's, a wrong `pathPrefix`): never Consul's.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/auth-methods#read-an-auth-method
 * @example const { data } = await acl.authMethodRead(admin, 'ci');
 */
export async function authMethodRead(client: Client, name: string, options: ReadOptions = {}): Promise<Result<ACLAuthMethodT | undefined>> {
  return requestJsonOrMissing(client, { path: `acl/auth-method/${pathSegment(name, 'name')}`, options }, ACLAuthMethod, MISSING.acl);
}

/**
 * Replaces an auth method's settings (its name and type cannot change).
 * @returns the updated auth method.
 * @throws {ServerError} `Invalid Auth Method: …` for a bad configuration.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/auth-methods#update-an-auth-method
 * @example await acl.authMethodUpdate(admin, 'ci', { Type: 'jwt', Description: 'CI logins', Config: config });
 */
export async function authMethodUpdate(
  client: Client,
  name: string,
  input: ACLAuthMethodInput,
  options: WriteOptions = {},
): Promise<Result<ACLAuthMethodT>> {
  refuseDatacenter(options, 'acl.authMethodUpdate', ACL_WRITE);
  const path = `acl/auth-method/${pathSegment(name, 'name')}`;
  return requestJson(client, { method: 'PUT', path, json: authMethodBody(input, name), options }, ACLAuthMethod);
}

/**
 * Deletes an auth method with its binding rules and the tokens it created (`delete` in the facade).
 * Deleting a missing one succeeds.
 * @returns `true`.
 * @throws {ForbiddenError} without `acl = "write"`.
 * @throws {InputError} for an explicit `datacenter` option, before sending: Consul ignores `?dc=` here (ACL writes go to the agent's datacenter and on to the primary).
 * @see https://developer.hashicorp.com/consul/api-docs/acl/auth-methods#delete-an-auth-method
 * @example await acl.authMethodDelete(admin, 'ci');
 */
export async function authMethodDelete(client: Client, name: string, options: WriteOptions = {}): Promise<Result<boolean>> {
  refuseDatacenter(options, 'acl.authMethodDelete', ACL_WRITE);
  return requestJson(client, { method: 'DELETE', path: `acl/auth-method/${pathSegment(name, 'name')}`, options }, ACLBoolean);
}

/**
 * Lists auth methods (without their `Config`).
 * @returns the auth methods.
 * @throws {ForbiddenError} without `acl = "read"`.
 * @see https://developer.hashicorp.com/consul/api-docs/acl/auth-methods#list-auth-methods
 * @example const { data } = await acl.authMethodList(admin);
 */
export async function authMethodList(client: Client, options: ReadOptions = {}): Promise<Result<ACLAuthMethodListEntryT[]>> {
  return requestJson(client, { path: 'acl/auth-methods', options }, ACLAuthMethodList);
}

/**
 * Exchanges a credential verified by an auth method (a JWT, a Kubernetes service-account token…)
 * for a Consul token whose links come from the matching binding rules. Needs no token.
 * @returns the new token (its `AuthMethod` set; `Local` unless the method makes global tokens).
 * @throws {ForbiddenError} `ACL not found` for an unknown auth method, `Permission denied` when no
 *   binding rule matches.
 * @throws {ServerError} when the credential does not verify (Consul answers 500 with the reason).
 * @see https://developer.hashicorp.com/consul/api-docs/acl#login-to-auth-method
 * @example
 * ```ts
 * const { data: token } = await acl.login(client, { AuthMethod: 'ci', BearerToken: jwt, Meta: { job: '42' } });
 * ```
 */
export async function login(client: Client, input: ACLLoginInput, options: WriteOptions = {}): Promise<Result<ACLTokenT>> {
  const body = { ...checkObject(input, 'a login') };
  if (!body['AuthMethod'] || !body['BearerToken']) throw new InputError('login needs an AuthMethod and a BearerToken');
  return requestJson(client, { method: 'POST', path: 'acl/login', json: body, options }, ACLToken);
}

/**
 * Destroys the token the request is made with (`options.token` or the client's), which must have
 * been created by {@link login}.
 * @returns `true`.
 * @throws {ForbiddenError} `Permission denied` for a token not made by `login`; `ACL not found` for an
 *   unknown (or already logged-out) token or when no token is sent.
 * @see https://developer.hashicorp.com/consul/api-docs/acl#logout-from-auth-method
 * @example await acl.logout(client, { token: loginToken.SecretID });
 */
export async function logout(client: Client, options: WriteOptions = {}): Promise<Result<boolean>> {
  return requestJson(client, { method: 'POST', path: 'acl/logout', options }, ACLBoolean);
}
