/// <reference types="node" />
/**
 * The `consulate` program: commander setup, exit statuses and the one-line error report.
 *
 * Exit statuses: 0 success; 1 failure; 2 usage error or lock held; `run_once` and `lock` exit with
 * their command's status.
 * @module
 */
import { Command, CommanderError } from 'commander';
import { addConnectionOptions } from './connection.ts';
import type { ExitState } from './io.ts';
import { CliError, describeError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './io.ts';
import { registerAcl } from './acl.ts';
import { registerKv } from './kv.ts';
import { registerLocks } from './locks.ts';
import { registerServices } from './services.ts';
import { registerSnapshot } from './snapshot.ts';
import { registerWatch } from './watch.ts';

/** Builds the program (exposed for tests and documentation tools). */
export function createProgram(state: ExitState = { exitCode: EXIT_OK }): Command {
  const program = new Command('consulate')
    .description('Command-line utilities for HashiCorp Consul: KV backup/restore, locks, services, ACLs, snapshots, watches')
    .enablePositionalOptions()
    .exitOverride()
    // commander's usage errors as one line, like ours
    .configureOutput({ outputError: (text, write) => write(`consulate: ${text.trim()} (see --help)\n`) })
    .configureHelp({ sortSubcommands: false })
    .addHelpText('after', '\nExit status: 0 success, 1 failure, 2 usage error or lock held (run_once/lock: the command\'s status).');
  addConnectionOptions(program);
  registerKv(program);
  registerServices(program);
  registerLocks(program, state);
  registerAcl(program);
  registerWatch(program);
  registerSnapshot(program);
  return program;
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and resolves with the exit status.
 * @example process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: readonly string[]): Promise<number> {
  const state: ExitState = { exitCode: EXIT_OK };
  const program = createProgram(state);
  const applyExitOverride = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(applyExitOverride);
  };
  applyExitOverride(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version are not errors; commander already printed its message
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
      if (error.code === 'commander.help' || error.code === 'commander.executeSubCommandAsync') return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
      return EXIT_USAGE;
    }
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') return EXIT_FAILURE;
    process.stderr.write(`consulate: error: ${describeError(error).replace(/\s*\n\s*/g, ' ')}\n`);
    return error instanceof CliError ? error.exitCode : EXIT_FAILURE;
  }
}
