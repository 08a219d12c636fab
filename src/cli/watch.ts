/// <reference types="node" />
/**
 * `consulate watch`: like `consul watch`, prints the watched data as one JSON line on stdout at
 * start and after each change (the API's JSON as Consul sends it: KV values base64, flags exact), or
 * runs a handler command with that JSON on its stdin. Blocking queries; transient failures (network,
 * timeouts, 5xx) are retried with backoff and a warning, while a 400/401/403/404 (`Permission denied`,
 * `ACL not found`) ends it with status 1. `--once` does one read: any failure exits 1 with the reason.
 * SIGINT/SIGTERM end it with status 0.
 * @module
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Client } from '../core/client.ts';
import { escapeKey, needsTxn, normalizeKey, stringifyJson } from '../core/encoding.ts';
import type { ReadOptions } from '../core/query.ts';
import type { Result } from '../core/request.ts';
import { MISSING, confirmMissing } from '../core/missing.ts';
import { readJson, send } from '../core/request.ts';
import type { WatchRead } from '../core/watch.ts';
import { watch } from '../core/watch.ts';
import { runChild } from './child.ts';
import { addConnectionOptions, withClient } from './connection.ts';
import { describeError, usage, warn, write } from './io.ts';

/** The watch types (as `consul watch -type`); each has its entry in {@link WATCH_KINDS}. */
export type WatchType =
  | 'key'
  | 'keyprefix'
  | 'services'
  | 'nodes'
  | 'service'
  | 'checks'
  | 'event'
  | 'connect_roots'
  | 'connect_leaf'
  | 'agent_service';

/**
 * What a watch type reads: its `--help` line and, from the flags, the read and whether its index is
 * opaque (a hash, as for events).
 */
interface WatchKind {
  /** What it watches and which flags it takes, for `--type`'s help. */
  readonly help: string;
  readonly read: (flags: WatchFlags) => { read: WatchRead<unknown>; opaque: boolean };
}

interface WatchFlags {
  type: WatchType;
  key?: string;
  prefix?: string;
  service?: string;
  serviceId?: string;
  tag?: string;
  passingonly?: boolean;
  state?: string;
  name?: string;
  stale?: boolean;
  once?: boolean;
}

/**
 * A read of the raw API JSON. With `missing` (KV reads), Consul's own "no such key" 404 gives that
 * value; a 404 without Consul's mark (a proxy's page) throws, as everywhere in the SDK.
 */
function rawRead(path: string, params: Record<string, string | boolean | undefined>, missing?: { value: unknown }): WatchRead<unknown> {
  return async (client: Client, options: ReadOptions): Promise<Result<unknown>> => {
    const { response, meta } = await send(client, { path, params, options, accept: missing ? [404] : [] });
    if (missing && response.status === 404) {
      await confirmMissing(client, response, MISSING.kv, { path });
      return { data: missing.value, meta };
    }
    return { data: await readJson(response, `GET /v1/${path}`), meta };
  };
}

/**
 * A read of `/v1/agent/service/:id` as Consul sends it, blocking on the content hash of the previous
 * answer (agent endpoints carry no `X-Consul-Index`; `?hash=` is their blocking parameter). A missing
 * service (Consul's `unknown service ID` 404) prints `null`, and the next read is an immediate one.
 */
function agentServiceRawRead(id: string): WatchRead<unknown> {
  const path = `agent/service/${encodeURIComponent(id)}`;
  let hash: string | undefined;
  return async (client: Client, options: ReadOptions): Promise<Result<unknown>> => {
    // with ?hash, wait is needed for Consul to block (without it, it answers at once)
    const blocking: ReadOptions = hash !== undefined && options.wait === undefined ? { ...options, wait: '5m' } : options;
    const { index: _index, ...rest } = blocking; // the watch's index means nothing here
    const { response, meta } = await send(client, { path, params: { hash }, options: rest, accept: [404] });
    if (response.status === 404) {
      await confirmMissing(client, response, MISSING.agentService, { path });
      hash = undefined;
      return { data: null, meta };
    }
    hash = meta.contentHash;
    return { data: await readJson(response, `GET /v1/${path}`), meta };
  };
}

function need(flags: WatchFlags, value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw usage(`--type ${flags.type} needs ${flag}`);
  return value;
}

function kvKey(flags: WatchFlags, value: string | undefined, flag: string): string {
  const key = normalizeKey(need(flags, value, flag));
  // Consul's router would redirect such a path, and /v1/txn cannot block: refuse instead of retrying forever
  if (needsTxn(key)) throw usage(`${flag} ${JSON.stringify(key)}: keys with "//" or "."/".." segments cannot be watched`);
  return key;
}

/**
 * The watch types, as `consul watch -type` names them; `--type`'s choices and help come from this
 * table. Each prints the API's JSON as Consul sends it (what `consul watch` hands its handler).
 * A new type is one entry here, with any flag it needs added in `registerWatch`. `agent_service`
 * blocks on the agent's content hash (`?hash=`) instead of an index.
 */
const WATCH_KINDS: Readonly<Record<WatchType, WatchKind>> = {
  key: {
    help: 'a key (--key): its record, or null',
    read: (flags) => {
      // one record (or null), as consul watch -type key prints it
      const read = rawRead(`kv/${escapeKey(kvKey(flags, flags.key, '--key'))}`, {}, { value: null });
      return {
        read: async (client, options) => {
          const { data, meta } = await read(client, options);
          return { data: Array.isArray(data) ? (data[0] ?? null) : data, meta };
        },
        opaque: false,
      };
    },
  },
  keyprefix: {
    help: 'the records under a prefix (--prefix)',
    read: (flags) => ({ read: rawRead(`kv/${escapeKey(kvKey(flags, flags.prefix, '--prefix'))}`, { recurse: true }, { value: [] }), opaque: false }),
  },
  services: {
    help: 'the catalog\'s services and their tags',
    read: () => ({ read: rawRead('catalog/services', {}), opaque: false }),
  },
  nodes: {
    help: 'the catalog\'s nodes',
    read: () => ({ read: rawRead('catalog/nodes', {}), opaque: false }),
  },
  service: {
    help: 'the instances of a service with their checks (--service, --tag, --passingonly)',
    read: (flags) => ({
      read: rawRead(`health/service/${encodeURIComponent(need(flags, flags.service, '--service'))}`, { tag: flags.tag, passing: flags.passingonly }),
      opaque: false,
    }),
  },
  checks: {
    help: 'health checks (--service, or --state)',
    read: (flags) => ({
      read: flags.service
        ? rawRead(`health/checks/${encodeURIComponent(flags.service)}`, {})
        : rawRead(`health/state/${encodeURIComponent(flags.state ?? 'any')}`, {}),
      opaque: false,
    }),
  },
  event: {
    help: 'the user events the agent received (--name)',
    read: (flags) => ({ read: rawRead('event/list', { name: flags.name }), opaque: true }),
  },
  connect_roots: {
    help: 'the Connect CA roots (from the agent\'s cache)',
    read: () => ({ read: rawRead('agent/connect/ca/roots', {}), opaque: false }),
  },
  connect_leaf: {
    help: 'the Connect leaf certificate of a service (--service), renewed before it expires',
    read: (flags) => ({ read: rawRead(`agent/connect/ca/leaf/${encodeURIComponent(need(flags, flags.service, '--service'))}`, {}), opaque: false }),
  },
  agent_service: {
    help: 'a service registered with the agent (--service-id), or null',
    read: (flags) => ({ read: agentServiceRawRead(need(flags, flags.serviceId, '--service-id')), opaque: false }),
  },
};

/** The read for a watch type, and whether its index is opaque (events). */
export function watchRead(flags: WatchFlags): { read: WatchRead<unknown>; opaque: boolean } {
  return WATCH_KINDS[flags.type].read(flags);
}

/** Registers `watch`. */
export function registerWatch(program: Command): void {
  addConnectionOptions(
    program
      .command('watch')
      .summary('watch a key, prefix, services, nodes, a service, checks, events, Connect roots/leaf or an agent service (like consul watch)')
      .description(
        'Print the watched data as one JSON line at start and after each change (the API\'s JSON; KV values base64), ' +
          'or run HANDLER with that JSON on its stdin (one argument is run by /bin/sh -c). Ends on SIGINT/SIGTERM (exit 0). ' +
          'Transient failures (network, timeouts, 5xx) are retried with backoff; a 400 or 403 (e.g. Permission denied, ' +
          'ACL not found) exits 1, as does any failure of the single read of --once.',
      )
      .addOption(
        new Option('--type <type>', `what to watch — ${Object.entries(WATCH_KINDS).map(([type, kind]) => `${type}: ${kind.help}`).join('; ')}`)
          .choices(Object.keys(WATCH_KINDS))
          .makeOptionMandatory(),
      )
      .option('--key <key>', 'key: the key')
      .option('--prefix <prefix>', 'keyprefix: the prefix (a plain string prefix, as in consul watch)')
      .option('--service <name>', 'service, connect_leaf: the service; checks: only this service\'s checks')
      .option('--service-id <id>', 'agent_service: the service instance id')
      .option('--tag <tag>', 'service: only instances with this tag')
      .option('--passingonly', 'service: only instances whose checks pass')
      .addOption(new Option('--state <state>', 'checks: only checks in this state').choices(['any', 'passing', 'warning', 'critical']))
      .option('--name <name>', 'event: only events with this name')
      .option('--stale', 'allow any server to answer (stale reads)')
      .option('--once', 'print the current data and exit (one read: a failure exits 1)')
      .argument('[handler...]', 'command to run for each change (after --)')
      .passThroughOptions(),
  ).action(async (handler: string[], flags: WatchFlags, command: Command) => {
    const { read, opaque } = watchRead(flags);
    await withClient(command, async (client) => {
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const changes = watch(client, read, {
          signal: controller.signal,
          opaqueIndex: opaque,
          ...(flags.stale ? { consistency: 'stale' as const } : {}),
          // --once: one read, its failure is the command's (exit 1 with the reason)
          ...(flags.once ? { maxAttempts: 1 } : {}),
          onError: (error, attempt, { transient }) => {
            if (transient && !flags.once) warn(`watch read failed (attempt ${attempt}), retrying: ${describeError(error)}`);
          },
        });
        for await (const { data } of changes) {
          const json = stringifyJson(data);
          if (handler.length === 0) await write(process.stdout, `${json}\n`);
          else {
            const exit = await runChild(handler, { input: `${json}\n` });
            if (exit.status !== 0) warn(`handler exited with status ${exit.status}`);
          }
          if (flags.once) break;
        }
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
  });
}
