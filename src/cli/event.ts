/// <reference types="node" />
/**
 * `consulate event fire|list`: fire a user event like `consul event` (name, optional payload, node,
 * service and tag filters) and list the recent events the agent received (`/v1/event/list`, which
 * the Consul CLI has no command for; `consul watch -type event` prints the same JSON).
 * @module
 */
import type { Command } from 'commander';
import { toBase64 } from '../core/encoding.ts';
import type { UserEvent } from '../endpoints/event.ts';
import { fire, list } from '../endpoints/event.ts';
import { addConnectionOptions, withClient } from './connection.ts';
import { readInput, usage, warn, write } from './io.ts';
import { columns, jsonText } from './tabular.ts';

/** An event as Consul's API writes it: the payload base64 (null when empty), as `consul watch -type event` prints it. */
function wireEvent(event: UserEvent): Record<string, unknown> {
  return { ...event, Payload: event.Payload.byteLength === 0 ? null : toBase64(event.Payload) };
}

/** C0 control characters (tab and newlines included: they would break the table's line) and DEL. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * A payload in the table: UTF-8 text as it is; text with control characters (newlines, tabs, escape
 * sequences) as a JSON string; anything else as its size (the bytes are in `--json`).
 */
export function payloadCell(payload: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(payload);
  } catch {
    return `(${payload.byteLength} bytes, not UTF-8: see --json)`;
  }
  return CONTROL.test(text) ? JSON.stringify(text) : text;
}

/** Registers the `event` command group. */
export function registerEvent(program: Command): void {
  const event = addConnectionOptions(program.command('event').description('fire and list user events (like consul event)'));

  addConnectionOptions(
    event
      .command('fire')
      .summary('fire a user event (like consul event -name NAME)')
      .description(
        'Fire a user event through the datacenter\'s gossip pool (consul event -name NAME [PAYLOAD]) and print its ID. ' +
          'The payload is optional ("-" reads it from stdin, bytes as they are); Consul refuses an event over about 512 bytes ' +
          '(name, payload and filters). --node, --service and --tag are regular expressions (Go syntax, checked by Consul: ' +
          'an invalid one exits 1 with its message) that limit which agents act on the event.',
      )
      .argument('<name>', 'the event name')
      .argument('[payload]', 'the payload, or - for stdin')
      .option('--node <regexp>', 'only nodes whose name matches (consul event -node)')
      .option('--service <regexp>', 'only nodes with a service whose name matches (consul event -service)')
      .option('--tag <regexp>', 'with --service: only where that service has a matching tag (consul event -tag)')
      .option('--json', 'print the event as Consul accepted it (JSON, payload base64) instead of its ID'),
  ).action(async (name: string, payload: string | undefined, opts: { node?: string; service?: string; tag?: string; json?: boolean }, command: Command) => {
    if (opts.tag !== undefined && opts.service === undefined) throw usage('--tag needs --service (Consul matches tags of the services --service selects)');
    const body = payload === '-' ? new Uint8Array(await readInput('-')) : payload;
    await withClient(command, async (client) => {
      const { data } = await fire(client, name, body, {
        ...(opts.node === undefined ? {} : { node: opts.node }),
        ...(opts.service === undefined ? {} : { service: opts.service }),
        ...(opts.tag === undefined ? {} : { tag: opts.tag }),
      });
      await write(process.stdout, opts.json ? jsonText(wireEvent(data)) : `${data.ID}\n`);
    });
  });

  addConnectionOptions(
    event
      .command('list')
      .summary('list the recent user events the agent received')
      .description(
        'List the user events the agent received most recently (it keeps the last 256), oldest first: ID, Name, LTime ' +
          '(the gossip pool\'s Lamport time) and Payload (text as it is; text with control characters as a JSON string; other bytes: see --json). ' +
          'With --json, /v1/event/list\'s JSON (payloads base64), as consul watch -type event prints it. ' +
          'No event prints a note on stderr and exits 0. Acts on the agent it talks to: --datacenter is refused.',
      )
      .option('--name <name>', 'only events with this name')
      .option('--json', 'print the events as JSON (payloads base64), indented by 2'),
  ).action(async (opts: { name?: string; json?: boolean }, command: Command) => {
    if (opts.name === '') throw usage('--name must not be empty');
    await withClient(command, async (client) => {
      const { data } = await list(client, opts.name === undefined ? {} : { name: opts.name });
      if (opts.json) {
        await write(process.stdout, jsonText(data.map(wireEvent)));
        return;
      }
      if (data.length === 0) {
        warn(opts.name === undefined ? 'no events' : `no events named ${JSON.stringify(opts.name)}`);
        return;
      }
      await write(process.stdout, columns([['ID', 'Name', 'LTime', 'Payload'], ...data.map((e) => [e.ID, e.Name, String(e.LTime), payloadCell(e.Payload)])]));
    }, 'it lists the events the agent it talks to received');
  });
}
