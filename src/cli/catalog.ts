/// <reference types="node" />
/**
 * `consulate catalog services|nodes`: the catalog of a datacenter as `consul catalog services|nodes`
 * prints it (service names, with `--tags` their tags; a table of nodes, with `--detailed` full ids,
 * tagged addresses and metadata), narrowed by node metadata, a node or a service, or as JSON.
 * @module
 */
import type { Command } from 'commander';
import type { ReadOptions } from '../core/query.ts';
import { node as catalogNode, nodes as catalogNodes, service as catalogService, services as catalogServices } from '../endpoints/catalog.ts';
import type { CatalogNode } from '../schemas/catalog.ts';
import { addConnectionOptions, withClient } from './connection.ts';
import { CliError, usage, warn, write } from './io.ts';
import { columns, fields, jsonText, keyValues } from './tabular.ts';

/** Collects repeated `--node-meta key=value` flags (consul's `-node-meta`). */
function nodeMetaOption(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw usage(`--node-meta takes key=value, got ${JSON.stringify(value)}`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

/** Whether a node's metadata has every `key=value` asked for. */
function metaMatches(meta: Record<string, string> | null | undefined, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([key, value]) => meta?.[key] === value);
}

/** The row of one node: consul catalog nodes' columns (the ID shortened to its first group unless detailed). */
export function nodeRow(node: CatalogNode, detailed: boolean): string[] {
  if (detailed) {
    return [node.Node, node.ID, node.Address, node.Datacenter, keyValues(node.TaggedAddresses, ', '), keyValues(node.Meta, ', ')];
  }
  const dash = node.ID.indexOf('-');
  return [node.Node, dash > 0 ? node.ID.slice(0, dash) : node.ID, node.Address, node.Datacenter];
}

/** Registers the `catalog` command group. */
export function registerCatalog(program: Command): void {
  const catalog = addConnectionOptions(
    program.command('catalog').description('list the services and nodes of a datacenter\'s catalog (like consul catalog)'),
  );

  addConnectionOptions(
    catalog
      .command('services')
      .summary('list the catalog\'s services (like consul catalog services)')
      .description(
        'List the services registered in the catalog of a datacenter (default: the agent\'s), one name a line, sorted; ' +
          'with --tags, each with its tags. No match prints a note on stderr and exits 0, like consul catalog services; ' +
          'an unknown --node exits 1.',
      )
      .option('--tags', 'show each service\'s tags, comma-separated, beside its name (consul catalog services -tags)')
      .option('--node <name>', 'only the services of this node (consul catalog services -node)')
      .option('--node-meta <key=value>', 'only services on nodes with this metadata (repeatable; consul catalog services -node-meta)', nodeMetaOption)
      .option('--json', 'print the service name → tags map as JSON (/v1/catalog/services), indented by 2'),
  ).action(async (opts: { tags?: boolean; node?: string; nodeMeta?: Record<string, string>; json?: boolean }, command: Command) => {
    if (opts.json && opts.tags) throw usage('give --json or --tags, not both (the JSON has the tags)');
    await withClient(command, async (client) => {
      let services: Record<string, string[]>;
      if (opts.node !== undefined) {
        const { data } = await catalogNode(client, opts.node);
        if (data === undefined) throw new CliError(`the catalog has no node named ${JSON.stringify(opts.node)}`);
        services = {};
        // Consul ignores ?node-meta on /v1/catalog/node: the node's own metadata decides
        if (opts.nodeMeta === undefined || metaMatches(data.Node.Meta, opts.nodeMeta)) {
          for (const s of Object.values(data.Services)) services[s.Service] = [...new Set([...(services[s.Service] ?? []), ...(s.Tags ?? [])])];
        }
      } else {
        services = (await catalogServices(client, opts.nodeMeta ? { nodeMeta: opts.nodeMeta } : {})).data;
      }
      if (opts.json) {
        await write(process.stdout, jsonText(services));
        return;
      }
      const names = Object.keys(services).sort();
      if (names.length === 0) {
        warn('no services match the given query');
        return;
      }
      if (!opts.tags) {
        await write(process.stdout, names.map((name) => `${name}\n`).join(''));
        return;
      }
      // consul's tabwriter layout; a service without tags has no trailing spaces
      const block = fields(names.map((name) => [name, [...services[name]!].sort().join(',')] as const));
      await write(process.stdout, block.replace(/ +$/gm, ''));
    });
  });

  addConnectionOptions(
    catalog
      .command('nodes')
      .summary('list the catalog\'s nodes (like consul catalog nodes)')
      .description(
        'List the nodes registered in the catalog of a datacenter (default: the agent\'s) as consul catalog nodes does: ' +
          'Node, ID (its first group), Address and DC; with --detailed the full ID, tagged addresses and metadata. ' +
          'No match prints a note on stderr and exits 0, like consul catalog nodes.',
      )
      .option('--service <name>', 'only nodes providing this service (consul catalog nodes -service)')
      .option('--near <node>', 'sort by estimated round-trip time from this node; "_agent" for the agent\'s (consul catalog nodes -near)')
      .option('--node-meta <key=value>', 'only nodes with this metadata (repeatable; consul catalog nodes -node-meta)', nodeMetaOption)
      .option('--filter <expression>', 'only nodes matching this filter expression, e.g. \'Meta.env == "prod"\' (consul catalog nodes -filter; with --service, on the service instances)')
      .option('--detailed', 'full node IDs, tagged addresses and metadata (consul catalog nodes -detailed)')
      .option('--json', 'print the nodes as JSON (/v1/catalog/nodes records), indented by 2'),
  ).action(async (opts: { service?: string; near?: string; nodeMeta?: Record<string, string>; filter?: string; detailed?: boolean; json?: boolean }, command: Command) => {
    if (opts.json && opts.detailed) throw usage('give --json or --detailed, not both');
    const query: ReadOptions = {
      ...(opts.near === undefined ? {} : { near: opts.near }),
      ...(opts.nodeMeta === undefined ? {} : { nodeMeta: opts.nodeMeta }),
      ...(opts.filter === undefined ? {} : { filter: opts.filter }),
    };
    await withClient(command, async (client) => {
      let list: CatalogNode[];
      if (opts.service !== undefined) {
        const { data } = await catalogService(client, opts.service, query);
        // one row per node (a node with two instances of the service is listed once), in Consul's order
        const seen = new Set<string>();
        list = data.flatMap((s) => {
          if (seen.has(s.Node)) return [];
          seen.add(s.Node);
          return [{
            ID: s.ID, Node: s.Node, Address: s.Address, Datacenter: s.Datacenter,
            TaggedAddresses: s.TaggedAddresses, Meta: s.NodeMeta, CreateIndex: s.CreateIndex, ModifyIndex: s.ModifyIndex,
          }];
        });
      } else {
        list = (await catalogNodes(client, query)).data;
      }
      if (opts.json) {
        await write(process.stdout, jsonText(list));
        return;
      }
      if (list.length === 0) {
        warn('no nodes match the given query');
        return;
      }
      const detailed = opts.detailed === true;
      const header = detailed ? ['Node', 'ID', 'Address', 'DC', 'TaggedAddresses', 'Meta'] : ['Node', 'ID', 'Address', 'DC'];
      await write(process.stdout, columns([header, ...list.map((n) => nodeRow(n, detailed))]));
    });
  });
}
