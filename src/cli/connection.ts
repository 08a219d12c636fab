/// <reference types="node" />
/**
 * Connection flags shared by every command, and the client built from them plus the `CONSUL_*`
 * environment. Precedence: a flag on the subcommand > a flag on a parent command > the environment >
 * defaults. For the address: `--addr` or `--api-scheme/--api-host/--api-port` > `CONSUL_HTTP_ADDR` >
 * `CONSUL_RPC_ADDR` (the original consulate's variable) > `127.0.0.1:8500`.
 *
 * Errors of the SDK's configuration and connection layer name its options (`tokenFile`,
 * `tls.certFile`…); {@link cliWording} turns those names into this CLI's flags.
 * @module
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { Client } from '../core/client.ts';
import type { FromEnvOptions, NodeTlsOptions } from '../node/index.ts';
import { fromEnv } from '../node/index.ts';
import { parseBool } from '../node/env.ts';
import { usage, warn } from './io.ts';

/** Connection flags as commander parses them. */
export interface ConnectionFlags {
  addr?: string | undefined;
  token?: string | undefined;
  tokenFile?: string | undefined;
  datacenter?: string | undefined;
  namespace?: string | undefined;
  caFile?: string | undefined;
  caPath?: string | undefined;
  clientCert?: string | undefined;
  clientKey?: string | undefined;
  tlsServerName?: string | undefined;
  insecure?: boolean | undefined;
  apiScheme?: string | undefined;
  apiHost?: string | undefined;
  apiPort?: string | undefined;
}

/** The help group of the connection flags (shown once, in `consulate --help` and `consulate help connection`). */
export const CONNECTION_GROUP = 'Connection (every command takes these, before or after its name):';

const NAMES: readonly (keyof ConnectionFlags)[] = [
  'addr', 'token', 'tokenFile', 'datacenter', 'namespace', 'caFile', 'caPath', 'clientCert', 'clientKey',
  'tlsServerName', 'insecure', 'apiScheme', 'apiHost', 'apiPort',
];

/** The connection flags (new objects each time: commander options belong to one command). */
function connectionOptions(): Option[] {
  return [
    new Option('--addr <address>', 'Consul HTTP address: host:port, http(s)://host:port or unix:///path (default: $CONSUL_HTTP_ADDR, then $CONSUL_RPC_ADDR, then 127.0.0.1:8500)'),
    new Option('--token-file <file>', 'file holding the ACL token (default: $CONSUL_HTTP_TOKEN_FILE)'),
    new Option('--token <token>', 'ACL token (visible to other users in ps: prefer --token-file or $CONSUL_HTTP_TOKEN)'),
    new Option('--datacenter <dc>', 'datacenter to query (default: the agent\'s)'),
    new Option('--namespace <ns>', 'namespace (Consul Enterprise; default: $CONSUL_NAMESPACE)'),
    new Option('--ca-file <file>', 'CA certificate to verify the agent (default: $CONSUL_CACERT)'),
    new Option('--ca-path <dir>', 'directory of CA certificates (default: $CONSUL_CAPATH)'),
    new Option('--client-cert <file>', 'client certificate for mTLS (default: $CONSUL_CLIENT_CERT)'),
    new Option('--client-key <file>', 'client key for mTLS (default: $CONSUL_CLIENT_KEY)'),
    new Option('--tls-server-name <name>', 'server name to verify the agent\'s certificate against (default: $CONSUL_TLS_SERVER_NAME)'),
    new Option('--insecure', 'do not verify the agent\'s TLS certificate'),
    new Option('--api-scheme <scheme>', 'original consulate\'s flag: http or https (default: from $CONSUL_RPC_ADDR, else http)').choices(['http', 'https']).argParser(apiScheme),
    new Option('--api-host <host>', 'original consulate\'s flag: the agent host (default: from $CONSUL_RPC_ADDR, else 127.0.0.1)'),
    new Option('--api-port <port>', 'original consulate\'s flag: the agent port (default: from $CONSUL_RPC_ADDR, else 8500)'),
  ];
}

/** Checks `--api-scheme` (the choices stay listed in help and completion); the original's `http+unix` names the socket flag to use. */
function apiScheme(value: string): string {
  if (value === 'http' || value === 'https') return value;
  if (value === 'http+unix') throw new InvalidArgumentError('For a unix socket (the original consulate\'s http+unix), give --addr unix:///path/to/consul.sock instead.');
  throw new InvalidArgumentError('Allowed choices are http, https.');
}

/** Whether `option` is one of the connection flags (by its help group). */
export function isConnectionOption(option: Option): boolean {
  return option.helpGroupHeading === CONNECTION_GROUP;
}

/** Adds the connection flags to a command (every command has them, so they work before or after the subcommand). */
export function addConnectionOptions(command: Command): Command {
  for (const option of connectionOptions()) command.addOption(option.helpGroup(CONNECTION_GROUP));
  return command;
}

/** The connection flags of a command, merged from the root down (the innermost flag wins). */
export function connectionFlags(command: Command): ConnectionFlags {
  const chain: Command[] = [];
  for (let c: Command | null = command; c; c = c.parent) chain.unshift(c);
  const merged: ConnectionFlags = {};
  for (const c of chain) {
    const values = c.opts<ConnectionFlags>();
    for (const name of NAMES) {
      if (values[name] !== undefined) (merged as Record<string, unknown>)[name] = values[name];
    }
  }
  return merged;
}

/** A connected client and how to release it. */
export interface Connection {
  readonly client: Client;
  close(): Promise<void>;
}

/** `CONSUL_RPC_ADDR` split into the parts the original consulate took from it. */
export interface RpcAddress {
  /** `http` or `https`; undefined for a bare `host:port` (then `CONSUL_HTTP_SSL` decides). */
  scheme: 'http' | 'https' | undefined;
  host: string;
  /** The port; 8500 when the value has none (the original's default, whatever the scheme). */
  port: string;
}

/**
 * Reads `CONSUL_RPC_ADDR` as the original consulate does: `scheme://host:port` through a URL parse,
 * each part a default for `--api-scheme`, `--api-host` and `--api-port` (a missing port is 8500).
 * A bare `host:port` (or `host`), which the original ignored, is accepted too.
 * @returns the parts, or `undefined` when the variable is unset or empty.
 * @throws {CliError} (usage, exit 2) for a value that is neither.
 */
export function rpcAddress(value: string | undefined): RpcAddress | undefined {
  if (value === undefined || value === '') return undefined;
  const invalid = (why: string) => usage(`CONSUL_RPC_ADDR ${JSON.stringify(value)}: ${why} (expected http://host:port, https://host:port or host:port)`);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (scheme !== 'http' && scheme !== 'https') throw invalid(`unsupported scheme ${JSON.stringify(scheme)}`);
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw invalid('not a valid URL');
    }
    if (url.hostname === '') throw invalid('no host');
    if (url.username || url.password) throw invalid('credentials in the address are not supported');
    if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) throw invalid('a path, query or fragment is not supported');
    // URL drops a scheme's default port (http://h:80 → ""): take it from the text instead
    const port = /:(\d+)\/?$/.exec(value)?.[1] ?? (url.port || '8500');
    return { scheme, host: url.hostname, port };
  }
  const bare = /^(\[[0-9a-f:.]+\]|[^\s:/[\]@?#]+)(?::(\d+))?$/i.exec(value);
  if (bare === null) throw invalid('not a host:port');
  return { scheme: undefined, host: bare[1]!, port: bare[2] ?? '8500' };
}

/** CONSUL_HTTP_SSL as `fromEnv` reads it; a malformed value is reported by `fromEnv`, not here. */
function safeBool(env: Record<string, string | undefined>, name: string): boolean {
  try {
    return parseBool(env, name) === true;
  } catch {
    return false;
  }
}

/**
 * An address as `scheme://host:port` (a bare one takes https from CONSUL_HTTP_SSL, else http; a missing
 * port is 8500), so that `127.0.0.1:8500` and `http://127.0.0.1:8500` compare equal; any other form
 * (unix://…) as it is.
 */
function comparableAddress(address: string, env: Record<string, string | undefined>): string {
  let parts: RpcAddress | undefined;
  try {
    parts = rpcAddress(address);
  } catch {
    return address;
  }
  if (parts === undefined) return address;
  const scheme = parts.scheme ?? (safeBool(env, 'CONSUL_HTTP_SSL') ? 'https' : 'http');
  return `${scheme}://${parts.host.toLowerCase()}:${parts.port}`;
}

function joinAddress(scheme: string | undefined, host: string, port: string): string {
  const hostPort = `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
  // without a scheme, a bare host:port lets CONSUL_HTTP_SSL choose https (as --addr does)
  return scheme === undefined ? hostPort : `${scheme}://${hostPort}`;
}

/**
 * The address to connect to, or `undefined` to let `fromEnv` read `CONSUL_HTTP_ADDR` (or use its
 * default). See the module documentation for the precedence.
 */
export function addressFrom(flags: ConnectionFlags, env: Record<string, string | undefined>): string | undefined {
  const rpc = rpcAddress(env['CONSUL_RPC_ADDR']);
  const apiFlags = flags.apiHost !== undefined || flags.apiPort !== undefined || flags.apiScheme !== undefined;
  if (flags.addr !== undefined) {
    if (apiFlags) throw usage('give --addr or --api-scheme/--api-host/--api-port, not both');
    return flags.addr;
  }
  if (apiFlags) {
    // as in the original, each missing part comes from CONSUL_RPC_ADDR, else the default
    const port = flags.apiPort ?? rpc?.port ?? '8500';
    if (!/^\d+$/.test(port) || Number(port) > 65535) throw usage(`--api-port must be a port number, got ${JSON.stringify(port)}`);
    return joinAddress(flags.apiScheme ?? rpc?.scheme, flags.apiHost ?? rpc?.host ?? '127.0.0.1', port);
  }
  if (rpc === undefined) return undefined;
  const httpAddr = env['CONSUL_HTTP_ADDR'];
  if (httpAddr !== undefined && httpAddr !== '') {
    const fromRpc = joinAddress(rpc.scheme, rpc.host, rpc.port);
    if (comparableAddress(fromRpc, env) !== comparableAddress(httpAddr, env)) warn(`note: CONSUL_RPC_ADDR (${fromRpc}) is ignored: CONSUL_HTTP_ADDR (${httpAddr}) is set and wins`);
    return undefined;
  }
  return joinAddress(rpc.scheme, rpc.host, rpc.port);
}

/**
 * The SDK's option names (as its configuration and connection errors print them) and this CLI's
 * flags, most specific first. Only these exact spellings are replaced: Consul's own messages never
 * contain them.
 */
const FLAG_WORDING: readonly (readonly [string, string])[] = [
  ['tls.ca/caFile/caPath', '--ca-file/--ca-path'],
  ['tls.cert/certFile and tls.key/keyFile', '--client-cert and --client-key'],
  ['tls.cert/certFile', '--client-cert'],
  ['tls.key/keyFile', '--client-key'],
  ['tls.caFile', '--ca-file'],
  ['tls.caPath', '--ca-path'],
  ['tls.certFile', '--client-cert'],
  ['tls.keyFile', '--client-key'],
  ['tls.servername', '--tls-server-name'],
  ['set rejectUnauthorized: false', 'give --insecure'],
  ['invalid consulate config: tokenFile:', '--token-file:'],
  ['invalid consulate config: token:', '--token:'],
  ['invalid consulate config: address:', '--addr:'],
  // only --addr and --api-scheme/--api-host/--api-port reach the SDK as an explicit address
  ['invalid consulate config: address "', 'the address "'],
  ['invalid consulate config: datacenter:', '--datacenter:'],
  ['invalid consulate config: namespace:', '--namespace:'],
  // a proxy's or a wrong path's answer (core/request.ts, core/missing.ts): the CLI's path goes in --addr
  ['the address and `pathPrefix`', '--addr (and any path in front of /v1 in it)'],
];

/**
 * Rewrites an error line of the SDK's configuration/connection layer in the CLI's terms: option
 * names become flags (`tokenFile` → `--token-file`, `tls.cert/certFile` → `--client-cert`), and
 * `invalid consulate config: ` goes where the message starts with the flag or variable it is about.
 * @example cliWording('invalid consulate config: tokenFile: cannot read token file "/x" (ENOENT)') // '--token-file: cannot read token file "/x" (ENOENT)'
 */
export function cliWording(message: string): string {
  let text = message;
  for (const [sdk, cli] of FLAG_WORDING) text = text.split(sdk).join(cli);
  return text.replace(/invalid consulate config: (?=--[a-z]|CONSUL_[A-Z_]+:)/g, '');
}

/**
 * Refuses a client certificate without its key, or a key without its certificate, as a usage error
 * naming the flag or variable given and the one to add (before any file is read).
 */
function checkClientPair(flags: ConnectionFlags, env: Record<string, string | undefined>): void {
  const given = (flag: string | undefined, variable: string, flagName: string): string | undefined =>
    flag !== undefined ? flagName : env[variable] !== undefined && env[variable] !== '' ? variable : undefined;
  const cert = given(flags.clientCert, 'CONSUL_CLIENT_CERT', '--client-cert');
  const key = given(flags.clientKey, 'CONSUL_CLIENT_KEY', '--client-key');
  if (cert !== undefined && key === undefined) {
    throw usage(`${cert} is given but no client key: add --client-key FILE (or set CONSUL_CLIENT_KEY); a client certificate is used with its key`);
  }
  if (key !== undefined && cert === undefined) {
    throw usage(`${key} is given but no client certificate: add --client-cert FILE (or set CONSUL_CLIENT_CERT); a client key is used with its certificate`);
  }
}

/**
 * Builds the client for a command from its flags and the `CONSUL_*` environment (flags win), with
 * `fromEnv` from consulate/node: unix sockets, TLS/mTLS and token files included.
 */
export function connect(command: Command, extra: FromEnvOptions = {}): Connection {
  const flags = connectionFlags(command);
  if (flags.token !== undefined && flags.tokenFile !== undefined) throw usage('give --token or --token-file, not both');
  if (flags.token !== undefined) {
    warn('warning: --token is visible to other users of this machine (ps); prefer --token-file or CONSUL_HTTP_TOKEN_FILE');
  }
  const address = addressFrom(flags, process.env);
  checkClientPair(flags, process.env);
  const tls: NodeTlsOptions = {};
  if (flags.caFile !== undefined) tls.caFile = flags.caFile;
  if (flags.caPath !== undefined) tls.caPath = flags.caPath;
  if (flags.clientCert !== undefined) tls.certFile = flags.clientCert;
  if (flags.clientKey !== undefined) tls.keyFile = flags.clientKey;
  if (flags.tlsServerName !== undefined) tls.servername = flags.tlsServerName;
  if (flags.insecure) tls.rejectUnauthorized = false;
  const options: FromEnvOptions = { ...extra };
  if (address !== undefined) options.address = address;
  if (flags.token !== undefined) options.token = flags.token;
  if (flags.tokenFile !== undefined) options.tokenFile = flags.tokenFile;
  if (flags.datacenter !== undefined) options.datacenter = flags.datacenter;
  if (flags.namespace !== undefined) options.namespace = flags.namespace;
  if (Object.keys(tls).length > 0) options.tls = tls;
  const client = fromEnv(options);
  return { client, close: () => client.close() };
}

/**
 * Runs `fn` with a client built from the command's flags, closing it afterwards. With `local` (why the
 * command cannot reach another datacenter), `--datacenter` is a usage error: Consul would ignore it
 * there and act on the agent's own datacenter.
 */
export async function withClient<T>(command: Command, fn: (client: Client) => Promise<T>, local?: string): Promise<T> {
  if (local !== undefined && connectionFlags(command).datacenter !== undefined) {
    throw usage(`${command.name()} does not take --datacenter: ${local}; point --addr at an agent of that datacenter instead`);
  }
  const connection = connect(command);
  try {
    return await fn(connection.client);
  } finally {
    await connection.close();
  }
}
