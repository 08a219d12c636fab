/// <reference types="node" />
/**
 * The `consulate` program: commander setup, exit statuses and the one-line error report.
 *
 * Exit statuses: 0 success; 1 failure; 2 usage error or lock held; `run_once` and `lock` exit with
 * their command's status.
 * @module
 */
import { Command, CommanderError } from 'commander';
import { addConnectionOptions, cliWording } from './connection.ts';
import { addVersionOption, layOutHelp } from './help.ts';
import type { ExitState } from './io.ts';
import { CliError, describeError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './io.ts';
import { registerCompletion } from './completion.ts';
import { registerAcl } from './acl.ts';
import { registerCatalog } from './catalog.ts';
import { registerEvent } from './event.ts';
import { registerKv } from './kv.ts';
import { registerLocks } from './locks.ts';
import { registerMembers } from './members.ts';
import { registerServices } from './services.ts';
import { registerSnapshot } from './snapshot.ts';
import { registerWatch } from './watch.ts';

/** A top-level command group: the command names (and aliases) it registers, and its registration. */
export interface CommandGroup {
  /** The names and aliases of the top-level commands that `register` adds (`run_once`, `run-once`, `lock`). */
  readonly names: readonly string[];
  /** Adds the group's commands to the root; `state` carries the exit status of commands that set their own. */
  readonly register: (program: Command, state: ExitState) => void;
}

/**
 * Every command group, in the order of `consulate --help` (the completion command comes last: it walks
 * the whole tree). `names` must list what `register` adds to the root: test/cli/misc.test.ts checks it.
 */
export const COMMAND_GROUPS: readonly CommandGroup[] = [
  { names: ['kv'], register: registerKv },
  { names: ['register', 'deregister', 'services'], register: registerServices },
  { names: ['run_once', 'run-once', 'lock'], register: registerLocks },
  { names: ['acl'], register: registerAcl },
  { names: ['watch'], register: registerWatch },
  { names: ['snapshot'], register: registerSnapshot },
  { names: ['members'], register: registerMembers },
  { names: ['catalog'], register: registerCatalog },
  { names: ['event'], register: registerEvent },
];

/**
 * Builds the program (exposed for tests and documentation tools). With `only`, just that group's
 * commands are registered under the root (see {@link main}); without, every command.
 */
export function createProgram(state: ExitState = { exitCode: EXIT_OK }, only?: CommandGroup): Command {
  const program = new Command('consulate')
    .description('Command-line utilities for HashiCorp Consul: KV backup/restore, locks, services, ACLs, snapshots, watches, members, catalog, events')
    .enablePositionalOptions()
    .exitOverride()
    // commander's usage errors as one line, like ours
    .configureOutput({ outputError: (text, write) => write(`consulate: ${text.trim()} (see --help)\n`) })
    .addHelpText('after', '\nExit status: 0 success, 1 failure, 2 usage error or lock held (run_once/lock: the command\'s status).');
  addVersionOption(program);
  addConnectionOptions(program);
  if (only !== undefined) {
    only.register(program, state);
  } else {
    for (const group of COMMAND_GROUPS) group.register(program, state);
    registerCompletion(program);
  }
  layOutHelp(program);
  return program;
}

/**
 * The group that `argv` runs when its first word names one (`kv get K`): then only that group's tree
 * is built, not every top-level command (~3 % of `consulate kv get K`'s instructions, bench/README.md).
 * Anything else (options before the command, `help`, `completion`, an unknown word, no word) gets the
 * whole tree, so that root help, suggestions and completion see every command; a group's own commands
 * and help are the same either way (test/cli/misc.test.ts).
 */
function groupRunBy(argv: readonly string[]): CommandGroup | undefined {
  const first = argv[0];
  if (first === undefined) return undefined;
  return COMMAND_GROUPS.find((group) => group.names.includes(first));
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and resolves with the exit status.
 * @example process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: readonly string[]): Promise<number> {
  const state: ExitState = { exitCode: EXIT_OK };
  const program = createProgram(state, groupRunBy(argv));
  const applyExitOverride = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(applyExitOverride);
  };
  applyExitOverride(program);
  // commander's help() takes its exit status from process.exitCode, which the bin sets to 1 until main()
  // settles: tell `consulate help kv` (asked for, exit 0) from `consulate kv` (a missing subcommand, exit 2)
  let helpForError = false;
  program.on('beforeAllHelp', (context: { error: boolean }) => {
    helpForError = context.error;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version are not errors; commander already printed its message
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
      if (error.code === 'commander.help') return helpForError ? EXIT_USAGE : EXIT_OK;
      if (error.code === 'commander.executeSubCommandAsync') return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
      return EXIT_USAGE;
    }
    // stdout's reader closed the pipe (`| head -1`): success for the writer (child stdins ignore EPIPE themselves)
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') return EXIT_OK;
    // the SDK's messages name its options (tokenFile, tls.certFile…): say the flags instead
    process.stderr.write(`consulate: error: ${cliWording(describeError(error)).replace(/\s*\n\s*/g, ' ')}\n`);
    return error instanceof CliError ? error.exitCode : EXIT_FAILURE;
  }
}
