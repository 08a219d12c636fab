/// <reference types="node" />
/**
 * `consulate members`: the agent's gossip members as `consul members` prints them (Node, Address,
 * Status, Type, Build, Protocol, DC, Segment; servers first, then by segment and name), with
 * `--detailed` (every serf tag), `--wan`, `--status REGEXP` and `--segment`, or the API's JSON with
 * `--json`.
 * @module
 */
import type { Command } from 'commander';
import { members } from '../endpoints/agent.ts';
import type { AgentMember } from '../schemas/agent.ts';
import { addConnectionOptions, withClient } from './connection.ts';
import { usage, warn, write } from './io.ts';
import { columns, jsonText, keyValues } from './tabular.ts';

/** serf's `MemberStatus` names, by number. */
const STATUS_NAMES: readonly string[] = ['none', 'alive', 'leaving', 'left', 'failed'];

/** Consul's segment value for "every segment" (what `consul members` asks for by default). */
const ALL_SEGMENTS = '_all';

/** A member's serf status as `consul members` prints it. */
export function statusName(status: number): string {
  return STATUS_NAMES[status] ?? `unknown MemberStatus ${status}`;
}

/** `ip:port`, with an IPv6 address in brackets (Go's `net.TCPAddr`). */
function address(member: AgentMember): string {
  return member.Addr.includes(':') ? `[${member.Addr}]:${member.Port}` : `${member.Addr}:${member.Port}`;
}

function isDefaultPartition(partition: string | undefined): boolean {
  return partition === undefined || partition === '' || partition === 'default';
}

/** The segment column: `<all>` for a server when every segment was asked for, `<default>` for none (as consul members). */
function segmentOf(member: AgentMember, allSegments: boolean): string {
  if (!isDefaultPartition(member.Tags['ap'])) return '';
  if (allSegments && member.Tags['role'] === 'consul') return '<all>';
  return member.Tags['segment'] || '<default>';
}

/** consul members' order: servers first, then the default partition, then by segment, partition and name. */
function compareMembers(allSegments: boolean): (a: AgentMember, b: AgentMember) => number {
  const rank = (m: AgentMember): [number, number, string, string, string] => [
    m.Tags['role'] === 'consul' ? 0 : 1,
    isDefaultPartition(m.Tags['ap']) ? 0 : 1,
    segmentOf(m, allSegments),
    m.Tags['ap'] ?? '',
    m.Name,
  ];
  return (a, b) => {
    const [x, y] = [rank(a), rank(b)];
    for (let i = 0; i < x.length; i++) {
      if (x[i]! < y[i]!) return -1;
      if (x[i]! > y[i]!) return 1;
    }
    return 0;
  };
}

/** The rows of the standard table (consul members'), header first; Partition only when a member has one (Enterprise). */
export function memberRows(list: readonly AgentMember[], allSegments: boolean): string[][] {
  const partitions = list.some((m) => m.Tags['ap'] !== undefined && m.Tags['ap'] !== '');
  const header = ['Node', 'Address', 'Status', 'Type', 'Build', 'Protocol', 'DC', ...(partitions ? ['Partition'] : []), 'Segment'];
  const rows = list.map((m) => {
    const role = m.Tags['role'];
    const type = role === 'consul' ? 'server' : role === 'node' ? 'client' : 'unknown';
    if (type === 'unknown') return [m.Name, address(m), statusName(m.Status), type, '', '', '', ...(partitions ? [''] : []), ''];
    const build = m.Tags['build'] ? m.Tags['build'].split(':')[0]! : '< 0.3';
    return [
      m.Name, address(m), statusName(m.Status), type, build, m.Tags['vsn'] ?? '', m.Tags['dc'] ?? '',
      ...(partitions ? [m.Tags['ap'] || 'default'] : []),
      segmentOf(m, allSegments),
    ];
  });
  return [header, ...rows];
}

/** Registers `members`. */
export function registerMembers(program: Command): void {
  addConnectionOptions(
    program
      .command('members')
      .summary('list the members of the agent\'s gossip pool (like consul members)')
      .description(
        'List the members of the agent\'s gossip pool as `consul members` does: a table of Node, Address, Status, Type, Build, ' +
          'Protocol, DC and Segment (servers first, then by name), every serf tag with --detailed, or the agent\'s JSON with --json ' +
          '(/v1/agent/members). No member matching --status prints nothing (or [] with --json) and a note on stderr, and exits 0 ' +
          '(consul members exits 2). Acts on the agent it talks to: --datacenter is refused.',
      )
      .option('--wan', 'the WAN pool (the servers of every datacenter, named NODE.DC) instead of the LAN pool (consul members -wan)')
      .option('--status <regexp>', 'only members whose status (alive, leaving, left, failed, none) matches this regular expression, e.g. "failed|left" (consul members -status)')
      .option('--segment <name>', 'only this network segment (Consul Enterprise; Consul OSS refuses it). Default: every segment, as consul members')
      .option('--detailed', 'Node, Address, Status and every serf tag (consul members -detailed)')
      .option('--json', 'print the agent\'s JSON (after --status), indented by 2'),
  ).action(async (opts: { wan?: boolean; status?: string; segment?: string; detailed?: boolean; json?: boolean }, command: Command) => {
    if (opts.json && opts.detailed) throw usage('give --json or --detailed, not both');
    let status: RegExp | undefined;
    if (opts.status !== undefined) {
      try {
        status = new RegExp(opts.status);
      } catch (error) {
        throw usage(`--status ${JSON.stringify(opts.status)} is not a valid regular expression: ${(error as Error).message}`);
      }
    }
    const segment = opts.segment ?? ALL_SEGMENTS;
    await withClient(command, async (client) => {
      const { data } = await members(client, { wan: opts.wan === true, segment });
      const list = data.filter((m) => status === undefined || status.test(statusName(m.Status)));
      if (opts.json) {
        await write(process.stdout, jsonText(list));
        return;
      }
      if (list.length === 0) {
        warn(`no members${status ? ` with a status matching ${JSON.stringify(opts.status)}` : ''}`);
        return;
      }
      const allSegments = segment === ALL_SEGMENTS;
      list.sort(compareMembers(allSegments));
      const rows = opts.detailed
        ? [['Node', 'Address', 'Status', 'Tags'], ...list.map((m) => [m.Name, address(m), statusName(m.Status), keyValues(m.Tags as Record<string, string>, ',')])]
        : memberRows(list, allSegments);
      await write(process.stdout, columns(rows));
    }, 'it lists the gossip pool of the agent it talks to (--wan: the servers of every datacenter)');
  });
}
