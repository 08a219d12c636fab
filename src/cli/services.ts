/// <reference types="node" />
/**
 * `consulate register`, `deregister` and `services`: the local agent's services.
 *
 * `register` takes the original consulate's positional check syntax after the name
 * (`check INTERVAL PATH`, `httpcheck INTERVAL URL`, `ttl SECONDS`, `no-check`; numbers in seconds)
 * as well as this CLI's `--ttl/--http/--tcp/--script` flags.
 * @module
 */
import type { Command } from 'commander';
import { Argument, Option } from 'commander';
import type { CheckDefinition, ServiceDefinition } from '../endpoints/agent.ts';
import { serviceDeregister, serviceRegister, serviceRead as agentService, serviceList as agentServices } from '../endpoints/agent.ts';
import { services as catalogServices } from '../endpoints/catalog.ts';
import { formatDuration } from '../core/encoding.ts';
import { completeArgument } from './completion.ts';
import { addConnectionOptions, withClient } from './connection.ts';
import { CliError, nonNegativeInt, usage, write } from './io.ts';

/** Why the agent's service commands cannot reach another datacenter. */
const AGENT_LOCAL = 'it acts on the local agent, which Consul does not route by datacenter';

/** A bare number of seconds (consulate's style) becomes a Go duration. */
function duration(value: string, name: string): string {
  if (/^\d+$/.test(value)) return `${value}s`;
  try {
    return formatDuration(value, name);
  } catch {
    throw usage(`${name} must be a duration such as 10s or 1m, got ${JSON.stringify(value)}`);
  }
}

interface RegisterFlags {
  address?: string;
  port?: string;
  serviceId?: string;
  /** `--id`, the earlier spelling of `-s/--service-id`. */
  id?: string;
  tags?: string;
  meta: string[];
  ttl?: string;
  http?: string;
  tcp?: string;
  script?: string;
  interval?: string;
  timeout?: string;
  deregisterAfter?: string;
}

/** The check words of the original consulate's `register NAME … {check|httpcheck|ttl|no-check}`. */
const CHECK_WORDS = 'check INTERVAL PATH | httpcheck INTERVAL URL | ttl SECONDS | no-check';

/**
 * Turns the original's positional check (`check 10 /usr/local/bin/probe`, `httpcheck 10 URL`,
 * `ttl 30`, `no-check`) into the equivalent flags. The original's script check (Consul's old
 * `Script` field, which Consul ran through a shell) becomes `--script`, which runs it the same way.
 * @returns the flags with that check set (unchanged for `no-check` or no words).
 * @throws {CliError} (usage) for a malformed check, or one given both ways.
 */
export function positionalCheck(words: readonly string[], flags: RegisterFlags): RegisterFlags {
  if (words.length === 0) return flags;
  const [kind, ...rest] = words;
  const expect = (count: number, shape: string): void => {
    if (rest.length !== count) throw usage(`register NAME ${shape}: got ${JSON.stringify(words.join(' '))} (the check is one of: ${CHECK_WORDS})`);
  };
  const seconds = (value: string, what: string): string => {
    if (!/^\d+$/.test(value)) throw usage(`${what} is a whole number of seconds (as in the original consulate), got ${JSON.stringify(value)}`);
    return value;
  };
  const given = (['ttl', 'http', 'tcp', 'script'] as const).filter((k) => flags[k] !== undefined);
  if (kind !== 'no-check' && given.length > 0) {
    throw usage(`give one check kind, not ${JSON.stringify(kind)} and ${given.map((k) => `--${k}`).join(' and ')}`);
  }
  switch (kind) {
    case 'check':
      expect(2, 'check INTERVAL PATH');
      return { ...flags, interval: seconds(rest[0]!, 'INTERVAL'), script: rest[1]! };
    case 'httpcheck':
      expect(2, 'httpcheck INTERVAL URL');
      return { ...flags, interval: seconds(rest[0]!, 'INTERVAL'), http: rest[1]! };
    case 'ttl':
      expect(1, 'ttl SECONDS');
      return { ...flags, ttl: seconds(rest[0]!, 'SECONDS') };
    case 'no-check':
      expect(0, 'no-check');
      if (given.length > 0 || flags.interval !== undefined) throw usage(`no-check contradicts ${[...given.map((k) => `--${k}`), ...(flags.interval !== undefined ? ['--interval'] : [])].join(' and ')}`);
      return flags;
    default:
      throw usage(`unknown check ${JSON.stringify(kind)} after the service name (the check is one of: ${CHECK_WORDS}; or use --ttl/--http/--tcp/--script)`);
  }
}

/** Builds the service definition (Consul's JSON: `{ Name, ID, Port, Check: { TTL } }`) from the flags. */
export function definitionFrom(name: string, flags: RegisterFlags): ServiceDefinition {
  const definition: ServiceDefinition = { Name: name };
  if (flags.serviceId !== undefined && flags.id !== undefined && flags.serviceId !== flags.id) {
    throw usage('give -s/--service-id or --id (its earlier name), not both');
  }
  const id = flags.serviceId ?? flags.id;
  if (id !== undefined) definition.ID = id;
  if (flags.address !== undefined) definition.Address = flags.address;
  if (flags.port !== undefined) {
    if (!/^\d+$/.test(flags.port) || Number(flags.port) > 65535) throw usage(`--port must be 0-65535, got ${JSON.stringify(flags.port)}`);
    definition.Port = Number(flags.port);
  }
  if (flags.tags !== undefined) definition.Tags = flags.tags.split(',').map((t) => t.trim()).filter(Boolean);
  if (flags.meta.length > 0) {
    const meta: Record<string, string> = {};
    for (const pair of flags.meta) {
      const at = pair.indexOf('=');
      if (at < 1) throw usage(`--meta takes key=value, got ${JSON.stringify(pair)}`);
      meta[pair.slice(0, at)] = pair.slice(at + 1);
    }
    definition.Meta = meta;
  }
  const kinds = (['ttl', 'http', 'tcp', 'script'] as const).filter((k) => flags[k] !== undefined);
  if (kinds.length > 1) throw usage(`give one check kind, not ${kinds.map((k) => `--${k}`).join(' and ')}`);
  if (kinds.length === 0) {
    if (flags.interval !== undefined || flags.timeout !== undefined) throw usage('--interval/--timeout need a check (--http, --tcp or --script)');
    return definition;
  }
  const check: CheckDefinition = {};
  if (flags.ttl !== undefined) {
    if (flags.interval !== undefined) throw usage('a --ttl check has no --interval');
    check.TTL = duration(flags.ttl, '--ttl');
  } else {
    check.Interval = duration(flags.interval ?? '10s', '--interval');
    if (flags.http !== undefined) check.HTTP = flags.http;
    if (flags.tcp !== undefined) check.TCP = flags.tcp;
    if (flags.script !== undefined) check.Args = ['/bin/sh', '-c', flags.script];
    if (flags.timeout !== undefined) check.Timeout = duration(flags.timeout, '--timeout');
  }
  if (flags.deregisterAfter !== undefined) check.DeregisterCriticalServiceAfter = duration(flags.deregisterAfter, '--deregister-after');
  definition.Check = check;
  return definition;
}

/** `-i N`: JSON.stringify indents by at most 10 spaces. */
function indentOption(value: string): number {
  const n = nonNegativeInt('--indent')(value);
  if (n > 10) throw usage(`--indent takes 0 to 10 spaces, got ${n}`);
  return n;
}

/** Registers `register`, `deregister` and `services`. */
export function registerServices(program: Command): void {
  addConnectionOptions(
    program
      .command('register')
      .summary('register a service with the local agent')
      .description(
        'Register a service (and optionally one check) with the local agent; re-registering an id updates it. ' +
          `The check is given as the original consulate does, after the name (${CHECK_WORDS}; ` +
          'INTERVAL and SECONDS in seconds; a check PATH runs through /bin/sh -c, like Consul\'s old Script checks), ' +
          'or with --ttl/--http/--tcp/--script. Example: consulate register web -p 8080 httpcheck 10 http://127.0.0.1:8080/health',
      )
      .usage(`[options] <name> [${CHECK_WORDS}]`)
      .argument('<name>', 'the service name')
      .addArgument(completeArgument(new Argument('[check...]', `the original consulate's check: ${CHECK_WORDS}`), ['check', 'httpcheck', 'ttl', 'no-check']))
      .option('-a, --address <address>', 'the service address (default: the node\'s)')
      .option('-p, --port <port>', 'the service port')
      .option('-s, --service-id <id>', 'the service id (default: the name)')
      .addOption(new Option('--id <id>', 'the service id (earlier name of --service-id)').hideHelp())
      .option('-t, --tags <tags>', 'comma-separated tags')
      .option('--meta <key=value>', 'service metadata (repeatable)', (value: string, all: string[]) => [...all, value], [] as string[])
      .option('--ttl <duration>', 'check: TTL check (the service must report within this time)')
      .option('--http <url>', 'check: HTTP GET this URL every --interval')
      .option('--tcp <host:port>', 'check: TCP connect every --interval')
      .option('--script <command>', 'check: run this shell command every --interval (the agent needs enable_script_checks)')
      .option('--interval <duration>', 'check interval (default: 10s; a bare number is seconds)')
      .option('--timeout <duration>', 'check timeout')
      .option('--deregister-after <duration>', 'deregister the service after its check has been critical this long'),
  ).action(async (name: string, check: string[], flags: RegisterFlags, command: Command) => {
    const definition = definitionFrom(name, positionalCheck(check, flags));
    await withClient(command, async (client) => {
      await serviceRegister(client, definition);
    }, AGENT_LOCAL);
  });

  addConnectionOptions(
    program
      .command('deregister')
      .summary('deregister a service from the local agent')
      .description('Deregister a service instance (and its checks) from the local agent; exits 1 when the agent has no such service.')
      .argument('<id>', 'the service id'),
  ).action(async (id: string, _opts: unknown, command: Command) => {
    await withClient(command, async (client) => {
      const { data } = await agentService(client, id);
      if (data === undefined) throw new CliError(`the agent has no service with id ${JSON.stringify(id)}`);
      await serviceDeregister(client, id);
    }, AGENT_LOCAL);
  });

  addConnectionOptions(
    program
      .command('services')
      .summary('list services (table or JSON)')
      .description('List the local agent\'s services as a table (ID, NAME, ADDRESS, PORT, TAGS), or as JSON; --catalog lists the catalog\'s service names and tags.')
      .option('--json', 'print JSON (the agent\'s /v1/agent/services answer, or the catalog\'s name → tags map), indented by 2')
      .option('-i, --indent <n>', 'print JSON indented by N spaces (the original consulate\'s flag; 0 prints one line; implies --json)', indentOption)
      .option('--catalog', 'the cluster\'s catalog instead of the local agent'),
  ).action(async (opts: { json?: boolean; indent?: number; catalog?: boolean }, command: Command) => {
    const indent = opts.indent ?? (opts.json ? 2 : undefined);
    await withClient(command, async (client) => {
      if (opts.catalog) {
        const { data } = await catalogServices(client);
        if (indent !== undefined) {
          await write(process.stdout, `${JSON.stringify(data, null, indent)}\n`);
          return;
        }
        const width = Math.max(4, ...Object.keys(data).map((n) => n.length));
        const lines = [`${'NAME'.padEnd(width)}  TAGS`, ...Object.entries(data).map(([n, tags]) => `${n.padEnd(width)}  ${tags.join(',')}`)];
        await write(process.stdout, `${lines.join('\n')}\n`);
        return;
      }
      const { data } = await agentServices(client);
      if (indent !== undefined) {
        await write(process.stdout, `${JSON.stringify(data, null, indent)}\n`);
        return;
      }
      const rows = Object.values(data).map((s) => [s.ID, s.Service, s.Address, String(s.Port), (s.Tags ?? []).join(',')]);
      const header = ['ID', 'NAME', 'ADDRESS', 'PORT', 'TAGS'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const format = (row: string[]): string => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
      await write(process.stdout, `${[header, ...rows].map(format).join('\n')}\n`);
    }, opts.catalog ? undefined : `${AGENT_LOCAL} (--catalog reads the catalog of --datacenter)`);
  });
}
