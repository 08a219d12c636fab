// Runs the consulate CLI as a child process against the test agent.
//
// By default the CLI is bundled once per test file with esbuild (what tsup does for the published
// bin) and run with plain `node`: on this shared 2-core machine `tsx src/cli/index.ts` takes 4-5×
// longer to start (up to 10 s under load). Set CONSULATE_CLI_RUNNER=tsx to run
// `node_modules/.bin/tsx src/cli/index.ts` instead.
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, inject } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = `${root}node_modules/.bin/tsx`;
const entry = `${root}src/cli/index.ts`;
const useTsx = process.env['CONSULATE_CLI_RUNNER'] === 'tsx';
const bundleDir = `${root}node_modules/.cache/consulate-cli-test`;
const bundle = `${bundleDir}/cli-${process.pid}-${Date.now().toString(36)}.mjs`;
let built: Promise<unknown> | undefined;

/** Bundles src/cli/index.ts (dependencies stay external, resolved from node_modules). */
export function prepare(): Promise<unknown> {
  if (useTsx) return Promise.resolve();
  built ??= (async () => {
    mkdirSync(bundleDir, { recursive: true });
    await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: bundle, logLevel: 'warning' });
  })();
  return built;
}

/** Removes the bundle (call in afterAll). */
export function cleanup(): void {
  if (!useTsx) rmSync(bundle, { force: true });
}

function command(args: readonly string[]): [string, string[]] {
  return useTsx ? [tsx, [entry, ...args]] : [process.execPath, [bundle, ...args]];
}

/** The CLI invocation as one shell command line (for `script`, which runs it on a pseudo-terminal). */
export function shellCommand(args: readonly string[]): string {
  const [file, argv] = command(args);
  return [file, ...argv].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
}

/** The environment a CLI child gets. */
export function cliEnvironment(options: CliOptions = {}): NodeJS.ProcessEnv {
  return environment(options);
}

/** What a finished CLI run produced. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

/** Options of {@link cli}. */
export interface CliOptions {
  input?: string | Buffer;
  env?: Record<string, string | undefined>;
  /** Agent address (default: the run's agent); `null` leaves CONSUL_HTTP_ADDR unset. */
  address?: string | null;
}

/** The environment for a CLI child: the parent's without CONSUL_*, plus the agent address. */
function environment(options: CliOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('CONSUL_')) env[name] = value;
  const address = options.address === undefined ? inject('consulAddress') : options.address;
  if (address !== null) env['CONSUL_HTTP_ADDR'] = address;
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Starts the CLI; the caller waits for it. */
export function start(args: readonly string[], options: CliOptions = {}): ChildProcess & { output(): { stdout: string; stderr: string }; waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<void>; done: Promise<CliResult> } {
  const [file, argv] = command(args);
  const child = spawn(file, argv, { env: environment(options), stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const waiters: { pattern: RegExp; stream: 'stdout' | 'stderr'; resolve: () => void }[] = [];
  const check = (): void => {
    const text = { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
    for (const w of [...waiters]) {
      if (w.pattern.test(text[w.stream])) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout.on('data', (d: Buffer) => { out.push(d); check(); });
  child.stderr.on('data', (d: Buffer) => { err.push(d); check(); });
  if (options.input !== undefined) child.stdin.end(options.input);
  else child.stdin.end();
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, signal, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
    });
  });
  return Object.assign(child, {
    output: () => ({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    waitFor: (pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout') =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ pattern, stream, resolve });
        check();
        void done.then((r) => reject(new Error(`CLI exited (${r.code}) before printing ${pattern}:\n${r.stdout}\n${r.stderr}`)));
      }),
    done,
  });
}

/** Runs the CLI to completion. */
export async function cli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  await prepare();
  return start(args, options).done;
}

/** Runs a shell command line (the CLI, possibly wrapped: `umask …; exec <shellCommand>`) and collects its output. */
export function sh(line: string, env: NodeJS.ProcessEnv = cliEnvironment()): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', line], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += String(d); });
    child.stderr.on('data', (d: Buffer) => { stderr += String(d); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs the CLI on a pseudo-terminal (stdin, stdout and stderr all the terminal) with `script`; returns
 * what the terminal showed, its `\r\n` line ends turned into `\n` (a lone `\r`, as a progress bar redraws, stays).
 */
export async function onTerminal(args: readonly string[]): Promise<{ code: number | null; shown: string }> {
  await prepare();
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', shellCommand(args), '/dev/null'], { env: cliEnvironment(), stdio: ['ignore', 'pipe', 'inherit'] });
    let shown = '';
    child.stdout.on('data', (d: Buffer) => { shown += String(d); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, shown: shown.replace(/\r\n/g, '\n') }));
  });
}

/**
 * What the bash completion script `script` (from `consulate completion bash`) offers for the words typed
 * so far (the last one is the word under the cursor), run from `cwd` (file names are offered from there).
 */
export function bashCompletions(script: string, cwd: string, words: readonly string[]): string[] {
  const program = [
    'source "$1"; shift',
    'COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}',
    'COMPREPLY=(); _consulate',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  return execFileSync('bash', ['--norc', '--noprofile', '-c', program, 'bash', script, 'consulate', ...words], { cwd, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

/**
 * Sets up a CLI test file: the CLI is prepared before its tests, and a temporary directory
 * (`consulate-cli-<name>-…`) is made for it; both are removed after its tests. Returns the directory.
 */
export function cliTestDirectory(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `consulate-cli-${name}-`));
  beforeAll(prepare);
  afterAll(() => {
    cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
