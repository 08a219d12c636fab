/// <reference types="node" />
/**
 * The layout of `consulate --help` and `--version`. Every command accepts the connection flags (so they
 * work before or after its name), but they are listed once: after the command list in
 * `consulate --help`, and in `consulate help connection`; a command's own help points there.
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Option } from 'commander';
import { Command, CommanderError, Help } from 'commander';
import { addConnectionOptions, CONNECTION_GROUP, isConnectionOption } from './connection.ts';
import { CliError, usage } from './io.ts';

/** The help topic (a hidden command) that lists the connection flags. */
export const CONNECTION_TOPIC = 'connection';

const CONNECTION_DESCRIPTION =
  'Every command takes these flags, before or after its name (`consulate --addr A kv ls` or `consulate kv ls --addr A`); ' +
  'a flag given after the command wins. Without flags, the CONSUL_* environment applies as in Consul\'s own CLI ' +
  '(CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN_FILE, CONSUL_HTTP_TOKEN, CONSUL_HTTP_SSL, CONSUL_HTTP_SSL_VERIFY, CONSUL_CACERT, ' +
  'CONSUL_CAPATH, CONSUL_CLIENT_CERT, CONSUL_CLIENT_KEY, CONSUL_TLS_SERVER_NAME, CONSUL_NAMESPACE). ' +
  'The address: --addr or --api-scheme/--api-host/--api-port, else CONSUL_HTTP_ADDR, else CONSUL_RPC_ADDR ' +
  '(the original consulate\'s variable: http://host:port, https://host:port or host:port; it also supplies the parts ' +
  'of --api-scheme/--api-host/--api-port that are not given), else 127.0.0.1:8500.';

/** The "Connection" block: the connection flags of `root`, formatted like commander's own lists. */
function connectionBlock(root: Command, helper: Help, minWidth: number): string {
  const options = root.options.filter(isConnectionOption);
  const term = (o: Option): string => helper.styleOptionTerm(helper.optionTerm(o));
  const width = Math.max(minWidth, ...options.map((o) => helper.displayWidth(term(o))));
  const items = options.map((o) => helper.formatItem(term(o), width, helper.styleOptionDescription(helper.optionDescription(o)), helper));
  return helper.formatItemList(CONNECTION_GROUP, items, helper).join('\n');
}

/**
 * Replaces commander's implicit `help [command]` of `command` (which reads only its first word, so
 * `help kv backup` showed the help of `kv`, and `help nonexist` the whole help) with `help [command...]`:
 * every word descends one level; an unknown one is a usage error that names it.
 */
function addHelpCommand(command: Command): void {
  command.helpCommand(false);
  // it takes the connection flags like every command (`consulate --addr A help kv` must parse)
  addConnectionOptions(command.command('help'))
    .description('display help for command')
    .argument('[command...]', 'the command (and subcommands) to describe')
    .action((names: string[], _options: unknown, help: Command) => {
      let target = help.parent!;
      const path = [target.name()];
      for (const name of names) {
        const next = target.commands.find((c) => c.name() === name || c.aliases().includes(name));
        if (next === undefined || next === help) {
          throw usage(`unknown command ${JSON.stringify([...path.slice(1), name].join(' '))} (see "${path.join(' ')} --help")`);
        }
        target = next;
        path.push(name);
      }
      target.outputHelp();
    });
}

/**
 * Lays out the help of every command of `program` (call it once the tree is complete): connection
 * flags hidden from each command's own option list, listed after the command list of the root's help
 * and in `consulate help connection`, and pointed to from every other command.
 */
export function layOutHelp(program: Command): void {
  const apply = (command: Command): void => {
    command.configureHelp({
      sortSubcommands: false,
      visibleOptions(this: Help, cmd: Command): Option[] {
        return Help.prototype.visibleOptions.call(this, cmd).filter((o) => !isConnectionOption(o));
      },
      formatHelp(this: Help, cmd: Command, helper: Help): string {
        if (cmd.name() === CONNECTION_TOPIC && cmd.parent === program) {
          const width = helper.helpWidth ?? 80;
          return [
            `${helper.styleTitle('Usage:')} ${helper.styleUsage(`${program.name()} [connection options] <command> … [connection options]`)}`,
            '',
            helper.boxWrap(CONNECTION_DESCRIPTION, width),
            '',
            connectionBlock(program, helper, 0),
          ].join('\n');
        }
        const text = Help.prototype.formatHelp.call(this, cmd, helper);
        if (cmd === program) return `${text}\n${connectionBlock(program, helper, helper.padWidth(cmd, helper))}`;
        if (!cmd.options.some(isConnectionOption)) return text;
        return `${text}\n${helper.boxWrap(`Connection: --addr, --token-file, --datacenter, TLS and the CONSUL_* environment, as for every command: see "${program.name()} help ${CONNECTION_TOPIC}".`, helper.helpWidth ?? 80)}\n`;
      },
    });
    if (command.commands.length > 0 && command.name() !== 'help') addHelpCommand(command);
    command.commands.forEach(apply);
  };
  program
    .command(CONNECTION_TOPIC, { hidden: true })
    .description('the connection flags every command takes')
    .action((_options: unknown, command: Command) => command.help());
  apply(program);
}

/** The version in consulate's package.json, found from this file upwards (dist/cli, src/cli or a bundle). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'consulate' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // no package.json here (or not ours): keep looking upwards
    }
    const parent = dirname(dir);
    if (parent === dir) throw new CliError('cannot find consulate\'s package.json to read its version');
    dir = parent;
  }
}

/** Adds `-V, --version` (the original's `--version`), which reads the version only when asked. */
export function addVersionOption(program: Command): void {
  program.option('-V, --version', 'print consulate\'s version and exit');
  program.on('option:version', () => {
    const version = packageVersion();
    process.stdout.write(`${version}\n`);
    throw new CommanderError(0, 'commander.version', version);
  });
}
