/// <reference types="node" />
/**
 * The `consulate` CLI: what the bin (`src/cli/bin.cjs`, dist/cli/index.js) runs, bundled into dist/cli/run.js.
 * @module
 */
import { main } from './main.ts';

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  // the reader closed the pipe (`consulate kv ls | head -1`): it has what it wanted, which is success for the writer
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// until main() settles, a drained event loop (a promise that never resolves) is a failure, not a success
process.exitCode = 1;
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`consulate: error: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
