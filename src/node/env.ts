/// <reference types="node" />
/**
 * `createNodeClient` and `fromEnv`: clients for Node with Unix-socket and TLS/mTLS transport, and
 * configuration from the same `CONSUL_*` environment variables Consul's own CLI reads.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Client } from '../core/client.ts';
import type { ClientConfig, ResolvedConfig } from '../core/config.ts';
import { resolveConfig } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';
import { redact } from '../core/redact.ts';
import type { NodeFetchOptions } from './connection.ts';
import { createConnection } from './connection.ts';
import { fetchOver } from './fetch.ts';
import type { NodeTlsOptions, OptionLabels } from './tls.ts';
import { transportOver } from './transport.ts';

/**
 * Configuration of {@link createNodeClient}: everything {@link ClientConfig} takes except `fetch`,
 * plus the transport options of {@link NodeFetchOptions}. `address` may also be `unix:///path/to.sock`.
 * @example
 * ```ts
 * const config: NodeClientConfig = { address: 'unix:///var/run/consul.sock', token: 'secret' };
 * ```
 */
export interface NodeClientConfig extends Omit<ClientConfig, 'fetch'>, NodeFetchOptions {
  /** A file holding the ACL token (surrounding whitespace trimmed), like Consul's `-token-file`. Read once, now. */
  tokenFile?: string | undefined;
}

/**
 * A {@link Client} that owns a connection pool: call `close()` (or `await using`) when done so the
 * process can exit.
 * @example
 * ```ts
 * await using consul = fromEnv();
 * ```
 */
export interface NodeClient extends Client {
  /** Closes the connection pool after requests in flight finish. Idempotent. */
  close(): Promise<void>;
  /** Same as {@link NodeClient.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Options of {@link fromEnv}: explicit settings (they beat the environment) and the environment to read.
 * @example
 * ```ts
 * // tests and tools can pass their own environment instead of process.env
 * const client = fromEnv({ env: { CONSUL_HTTP_ADDR: 'unix:///tmp/consul.sock' }, timeout: 2000 });
 * ```
 */
export interface FromEnvOptions extends NodeClientConfig {
  /**
   * The variables to read.
   * @default process.env
   */
  env?: Record<string, string | undefined> | undefined;
}

function configError(message: string): ConfigError {
  return new ConfigError(`invalid consulate config: ${message}`);
}

/** Reads a token file; its content is a secret and never appears in an error. */
function readToken(path: string, label: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw configError(`${label}: cannot read token file ${JSON.stringify(path)} (${(error as { code?: string }).code ?? 'error'})`);
  }
}

/**
 * Refuses a token that cannot go in the `X-Consul-Token` header (a control character: a stray `\r`
 * from a file or a Windows shell), naming where it came from, never its value.
 */
function checkToken(token: string | undefined, source: string): void {
  if (typeof token === 'string' && /[\u0000-\u001f\u007f]/.test(token)) {
    throw configError(`${source}: the ACL token holds a control character (a line break, carriage return or tab?), which cannot be sent in the X-Consul-Token header`);
  }
}

function build(config: NodeClientConfig, labels: OptionLabels & { tokenFile?: string; token?: string }): NodeClient {
  const { socketPath, tls, connections, pipelining, connectTimeout, tokenFile, ...rest } = config;
  let clientConfig: ClientConfig = rest;
  let socket = socketPath;
  const address = rest.address;
  if (typeof address === 'object' && address.some((entry) => /^unix:\/\//i.test(entry))) {
    throw configError('address: a unix:// socket cannot be part of an address list (failover is between http(s) addresses)');
  }
  if (typeof address === 'string' && /^unix:\/\//i.test(address)) {
    const path = address.slice('unix://'.length);
    if (path === '') throw configError('address: unix:// needs a socket path, e.g. unix:///var/run/consul.sock');
    if (socket !== undefined && socket !== path) throw configError('give the socket either as a unix:// address or as socketPath, not both');
    socket = path;
    const { address: _address, scheme, ...others } = rest;
    clientConfig = { ...others, address: `${scheme ?? 'http'}://localhost` };
  }
  let tokenSource = labels.token ?? 'token';
  if (tokenFile !== undefined) {
    if (rest.token !== undefined) throw configError('give token or tokenFile, not both');
    tokenSource = labels.tokenFile ?? 'tokenFile';
    const token = readToken(tokenFile, tokenSource);
    if (token !== '') clientConfig = { ...clientConfig, token };
  }
  checkToken(clientConfig.token, tokenSource);
  const fetchOptions: NodeFetchOptions = { socketPath: socket, tls, connections, pipelining, connectTimeout };
  const connection = createConnection(fetchOptions, labels);
  let resolved: ResolvedConfig;
  try {
    // `config.fetch` is the same pool's fetch, for code that wants a plain fetch to the agent
    resolved = resolveConfig({ ...clientConfig, fetch: fetchOver(connection) });
  } catch (error) {
    void connection.close();
    throw error;
  }
  const client: Client = { config: resolved, transport: transportOver(resolved, connection) };
  return Object.freeze({ ...client, close: connection.close, [Symbol.asyncDispose]: connection.close });
}

/**
 * Creates a {@link Client} whose transport is {@link createNodeTransport}: keep-alive connections
 * through `node:http`/`node:https`, Unix sockets (`address: 'unix:///path'` or `socketPath`) and
 * TLS/mTLS settings. It behaves like `createClient`'s ky transport (timeouts, read retries, errors)
 * at a fraction of its cost per call on Node, where ky's web `Request` handling costs more than the
 * request itself; `client.config.fetch` is a {@link createNodeFetch} on the same connection pool.
 * @param config - a {@link ClientConfig} (without `fetch`) plus socket, TLS and pool options.
 * @returns a {@link NodeClient}; every endpoint function and `new Consul(client)` accept it. Close it when done.
 * @throws {ConfigError} for invalid configuration, unreadable certificate, key or token files, or a token holding a control character (named by its source, never its value).
 * @example
 * ```ts
 * import { Consul } from 'consulate';
 * import { createNodeClient } from 'consulate/node';
 * const client = createNodeClient({
 *   address: 'https://consul.internal:8501',
 *   tls: { caFile: 'ca.pem', certFile: 'client.pem', keyFile: 'client-key.pem' },
 * });
 * const consul = new Consul(client);
 * await consul.kv.set('app/ready', 'yes');
 * await client.close();
 * ```
 */
export function createNodeClient(config: NodeClientConfig = {}): NodeClient {
  return build(config, {});
}

/** Consul's (Go `strconv.ParseBool`) booleans. */
/** A boolean environment variable read as Go's `strconv.ParseBool` does (internal; the CLI reads CONSUL_HTTP_SSL with it too). */
export function parseBool(env: Record<string, string | undefined>, name: string): boolean | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw configError(`${name}: expected true or false, got ${JSON.stringify(value.slice(0, 20))}`);
}

/** Turns CONSUL_HTTP_ADDR (or an explicit address) into an http(s) address and maybe a socket path. */
function parseAddress(text: string, scheme: 'http' | 'https' | undefined, label: string): { address: string; socketPath?: string } {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/is.exec(text);
  if (match === null) return { address: `${scheme ?? 'http'}://${text}` };
  const protocol = match[1]!.toLowerCase();
  const rest = match[2]!;
  if (protocol === 'unix') {
    if (rest === '') throw configError(`${label}: unix:// needs a socket path, e.g. unix:///var/run/consul.sock`);
    return { address: `${scheme ?? 'http'}://localhost`, socketPath: rest };
  }
  if (protocol !== 'http' && protocol !== 'https') {
    throw configError(`${label}: unknown protocol scheme ${JSON.stringify(protocol)} (use host:port, http://, https:// or unix://)`);
  }
  return { address: text };
}

function checkAddress(address: string, label: string): void {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw configError(`${label}: ${JSON.stringify(redact(address))} is not a valid address (expected host:port, http(s)://host:port or unix:///path)`);
  }
  if (url.username || url.password) throw configError(`${label}: credentials in the address are not supported; use CONSUL_HTTP_AUTH`);
  if (url.search || url.hash) throw configError(`${label}: the address must not have a query or fragment`);
}

/**
 * Creates a {@link NodeClient} configured like Consul's own CLI, from the environment: explicit
 * options beat the environment, which beats the defaults.
 *
 * | Variable | Meaning |
 * | --- | --- |
 * | `CONSUL_HTTP_ADDR` | `host:port`, `http://…`, `https://…` or `unix:///path/to.sock` (one address, as Consul's CLI reads it; for failover pass `address: [...]`) |
 * | `CONSUL_HTTP_TOKEN` / `CONSUL_HTTP_TOKEN_FILE` | ACL token, or a file holding it (the file wins when both are set, as in Consul) |
 * | `CONSUL_HTTP_AUTH` | HTTP basic auth `user:password` (sent as `Authorization`; never logged) |
 * | `CONSUL_HTTP_SSL` | `true` → `https` for a `host:port` address |
 * | `CONSUL_HTTP_SSL_VERIFY` | `false` → do not verify the server's certificate |
 * | `CONSUL_CACERT` / `CONSUL_CAPATH` | CA file / directory of CA files (the file wins when both are set, as in Consul) |
 * | `CONSUL_CLIENT_CERT` / `CONSUL_CLIENT_KEY` | client certificate and key for `verify_incoming` |
 * | `CONSUL_TLS_SERVER_NAME` | server name for SNI and verification |
 * | `CONSUL_NAMESPACE` / `CONSUL_PARTITION` | default namespace / admin partition (Enterprise) |
 *
 * Empty variables count as unset. Consul has no datacenter variable, so neither has this.
 * @param overrides - explicit settings, and `env` to read instead of `process.env`.
 * @returns a {@link NodeClient}; close it when done.
 * @throws {ConfigError} naming the variable (never its secret value) when one is malformed or a file it names cannot be read.
 * @example
 * ```ts
 * import { Consul } from 'consulate';
 * import { fromEnv } from 'consulate/node';
 * // CONSUL_HTTP_ADDR=https://127.0.0.1:8501 CONSUL_CACERT=ca.pem CONSUL_HTTP_TOKEN=…
 * await using client = fromEnv({ timeout: 5000 });
 * const consul = new Consul(client);
 * console.log((await consul.kv.keys('app/')).data);
 * ```
 */
export function fromEnv(overrides: FromEnvOptions = {}): NodeClient {
  const { env = process.env, ...explicit } = overrides;
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const labels: OptionLabels & { tokenFile?: string; token?: string } = {};
  const config: NodeClientConfig = { ...explicit };

  // address: an explicit address, host, port or socket beats CONSUL_HTTP_ADDR; CONSUL_HTTP_SSL picks https
  // for a scheme-less address, explicit or not (as `consul -http-addr=host:port` does)
  const ssl = parseBool(env, 'CONSUL_HTTP_SSL');
  const scheme = explicit.scheme ?? (ssl ? 'https' : undefined);
  const explicitAddress = explicit.address;
  const envAddress = read('CONSUL_HTTP_ADDR');
  const hostPort = explicit.host !== undefined || explicit.port !== undefined || explicit.socketPath !== undefined;
  if (typeof explicitAddress === 'object') {
    // a list (agent failover): CONSUL_HTTP_SSL picks https for its scheme-less entries
    if (explicit.scheme === undefined && scheme !== undefined) {
      config.address = explicitAddress.map((entry) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ? entry : `${scheme}://${entry}`));
    }
  } else if (explicitAddress !== undefined) {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(explicitAddress) && explicit.scheme === undefined && scheme !== undefined) {
      config.address = `${scheme}://${explicitAddress}`;
    } else if (/^unix:\/\//i.test(explicitAddress) && scheme !== undefined) {
      config.scheme = scheme;
    }
  } else if (envAddress !== undefined && !hostPort) {
    if (envAddress.includes(',')) {
      // Consul's own CLI reads the same variable, and takes one address
      throw configError("CONSUL_HTTP_ADDR: one address only (Consul's CLI reads it too); for agent failover pass a list as the address option, e.g. fromEnv({ address: ['10.0.0.5:8500', '10.0.0.6:8500'] })");
    }
    const parsed = parseAddress(envAddress, scheme, 'CONSUL_HTTP_ADDR');
    let address = parsed.address;
    // an explicit scheme beats the one written in the environment's address
    if (explicit.scheme !== undefined) address = address.replace(/^https?:/i, `${explicit.scheme}:`);
    checkAddress(address, 'CONSUL_HTTP_ADDR');
    delete config.scheme;
    config.address = address;
    if (parsed.socketPath !== undefined) {
      config.socketPath = parsed.socketPath;
      labels.socketPath = 'CONSUL_HTTP_ADDR';
    }
  } else if (scheme !== undefined) {
    config.scheme = scheme;
  }

  // token: explicit token/tokenFile, else CONSUL_HTTP_TOKEN_FILE (when non-empty), else CONSUL_HTTP_TOKEN
  if (explicit.token === undefined && explicit.tokenFile === undefined) {
    const file = read('CONSUL_HTTP_TOKEN_FILE');
    const fromFile = file === undefined ? '' : readToken(file, 'CONSUL_HTTP_TOKEN_FILE');
    const token = fromFile !== '' ? fromFile : read('CONSUL_HTTP_TOKEN');
    if (token !== undefined) config.token = token;
    labels.token = fromFile !== '' ? 'CONSUL_HTTP_TOKEN_FILE' : 'CONSUL_HTTP_TOKEN';
  }

  // basic auth: an explicit Authorization header wins
  const auth = read('CONSUL_HTTP_AUTH');
  if (auth !== undefined && !Object.keys(explicit.headers ?? {}).some((name) => name.toLowerCase() === 'authorization')) {
    const credentials = auth.includes(':') ? auth : `${auth}:`;
    config.headers = { Authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`, ...explicit.headers };
  }

  // TLS: each group (CA, certificate, key, server name, verification) explicit-or-environment
  const given = explicit.tls ?? {};
  const tls: NodeTlsOptions = { ...given };
  const take = <K extends keyof NodeTlsOptions>(key: K, variable: string, value: NodeTlsOptions[K] | undefined): void => {
    if (value === undefined) return;
    tls[key] = value;
    labels[key] = variable;
  };
  if (given.ca === undefined && given.caFile === undefined && given.caPath === undefined) {
    const caFile = read('CONSUL_CACERT');
    take('caFile', 'CONSUL_CACERT', caFile);
    if (caFile === undefined) take('caPath', 'CONSUL_CAPATH', read('CONSUL_CAPATH'));
  }
  if (given.cert === undefined && given.certFile === undefined) {
    labels.certFile = 'CONSUL_CLIENT_CERT';
    take('certFile', 'CONSUL_CLIENT_CERT', read('CONSUL_CLIENT_CERT'));
  }
  if (given.key === undefined && given.keyFile === undefined) {
    labels.keyFile = 'CONSUL_CLIENT_KEY';
    take('keyFile', 'CONSUL_CLIENT_KEY', read('CONSUL_CLIENT_KEY'));
  }
  if (given.servername === undefined) take('servername', 'CONSUL_TLS_SERVER_NAME', read('CONSUL_TLS_SERVER_NAME'));
  if (given.rejectUnauthorized === undefined) {
    const verify = parseBool(env, 'CONSUL_HTTP_SSL_VERIFY');
    take('rejectUnauthorized', 'CONSUL_HTTP_SSL_VERIFY', verify);
  }
  if (Object.keys(tls).length > 0) config.tls = tls;

  if (explicit.namespace === undefined) {
    const namespace = read('CONSUL_NAMESPACE');
    if (namespace !== undefined) config.namespace = namespace;
  }
  if (explicit.partition === undefined) {
    const partition = read('CONSUL_PARTITION');
    if (partition !== undefined) config.partition = partition;
  }
  return build(config, labels);
}
