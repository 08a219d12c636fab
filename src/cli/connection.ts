/// <reference types="node" />
/**
 * Connection flags shared by every command, and the client built from them plus the `CONSUL_*`
 * environment. Precedence: a flag on the subcommand > a flag on a parent command > the environment >
 * defaults.
 * @module
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Client } from '../core/client.ts';
import type { FromEnvOptions, NodeTlsOptions } from '../node/index.ts';
import { fromEnv } from '../node/index.ts';
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

const GROUP = 'Connection options (also read from CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN(_FILE), CONSUL_CACERT, …):';

const NAMES: readonly (keyof ConnectionFlags)[] = [
  'addr', 'token', 'tokenFile', 'datacenter', 'namespace', 'caFile', 'caPath', 'clientCert', 'clientKey',
  'tlsServerName', 'insecure', 'apiScheme', 'apiHost', 'apiPort',
];

/** Adds the connection flags to a command (every command has them, so they work before or after the subcommand). */
export function addConnectionOptions(command: Command): Command {
  const options = [
    new Option('--addr <address>', 'Consul HTTP address: host:port, http(s)://host:port or unix:///path (default: $CONSUL_HTTP_ADDR or 127.0.0.1:8500)'),
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
    new Option('--api-scheme <scheme>', 'consulate compatibility: http or https').choices(['http', 'https']),
    new Option('--api-host <host>', 'consulate compatibility: the agent host'),
    new Option('--api-port <port>', 'consulate compatibility: the agent port'),
  ];
  for (const option of options) command.addOption(option.helpGroup(GROUP));
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

function addressFrom(flags: ConnectionFlags): string | undefined {
  if (flags.addr !== undefined) {
    if (flags.apiHost !== undefined || flags.apiPort !== undefined || flags.apiScheme !== undefined) {
      throw usage('give --addr or --api-scheme/--api-host/--api-port, not both');
    }
    return flags.addr;
  }
  if (flags.apiHost === undefined && flags.apiPort === undefined && flags.apiScheme === undefined) return undefined;
  const port = flags.apiPort ?? '8500';
  if (!/^\d+$/.test(port)) throw usage(`--api-port must be a port number, got ${JSON.stringify(port)}`);
  const host = flags.apiHost ?? '127.0.0.1';
  const hostPort = `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
  // without --api-scheme, a bare host:port lets CONSUL_HTTP_SSL choose https (as --addr does)
  return flags.apiScheme === undefined ? hostPort : `${flags.apiScheme}://${hostPort}`;
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
  const address = addressFrom(flags);
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
