// Shared helpers of the bench scripts: medians, the machine's load, loading keys into an agent,
// timing and peak RSS of child processes, the CLI entry to measure, and the summary rows that
// `npm run bench` (bench/all.mjs) collects into one table. Printed figures only, never assertions.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The 1-, 5- and 15-minute load averages, as /proc/loadavg shows them ("2.10 1.95 1.80"). */
export function loadavg() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}

/**
 * One row of the `npm run bench` summary (appended as a JSON line to $BENCH_SUMMARY when set).
 * `ratio` is figure ÷ baseline unless given; `target` is { op: '<=' | '>=', value } on the ratio, or
 * { op: '<=', value, on: 'figure' } on the figure itself (bundle sizes), or undefined (reported only).
 * @param {{ what: string, figure: number, baseline?: number, unit: string, baselineLabel?: string, ratio?: number, target?: { op: '<=' | '>=', value: number, on?: 'figure' | 'ratio' }, note?: string, load?: string, command: string }} row
 */
export function summary(row) {
  const ratio = row.ratio ?? (row.baseline ? row.figure / row.baseline : undefined);
  let within = null;
  if (row.target) {
    const x = row.target.on === 'figure' ? row.figure : ratio;
    within = x === undefined || Number.isNaN(x) ? null : row.target.op === '<=' ? x <= row.target.value : x >= row.target.value;
  }
  const full = { ...row, ratio, within, load: row.load ?? loadavg(), at: new Date().toISOString() };
  if (process.env.BENCH_SUMMARY) appendFileSync(process.env.BENCH_SUMMARY, `${JSON.stringify(full)}\n`);
  return full;
}

/**
 * The `consulate` CLI as users run it: dist/cli/index.js when built (`npm run build`), else the
 * sources bundled with esbuild like the published bin (one file, dependencies inside; tsup.config.ts).
 * Returns the file and a cleanup function.
 */
export async function cliEntry() {
  const dist = join(root, 'dist/cli/index.js');
  if (existsSync(dist) && !process.argv.includes('--src')) return { file: dist, from: 'dist/cli/index.js', cleanup: () => {} };
  const { build } = await import('esbuild');
  const cacheDir = join(root, 'node_modules/.cache/consulate-bench');
  mkdirSync(cacheDir, { recursive: true });
  const file = join(cacheDir, `cli-${process.pid}.mjs`);
  const banner = { js: "import { createRequire as __consulateRequire } from 'node:module'; const require = __consulateRequire(import.meta.url);" };
  await build({ entryPoints: [join(root, 'src/cli/index.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', banner, outfile: file, logLevel: 'warning' });
  return { file, from: 'src/cli/index.ts bundled with esbuild (as tsup.config.ts bundles the bin)', cleanup: () => rmSync(file, { force: true }) };
}

/**
 * Writes keys [from, to) through /v1/txn (64 sets per transaction, 8 in flight).
 * @param {string} address
 * @param {number} from
 * @param {number} to
 * @param {(i: number) => { key: string, value: string, flags?: number }} make
 */
export async function loadKeys(address, from, to, make) {
  let next = from;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < to) {
      const start = next;
      next = Math.min(next + 64, to);
      const ops = [];
      for (let i = start; i < next; i++) {
        const { key, value, flags = 0 } = make(i);
        ops.push({ KV: { Verb: 'set', Key: key, Value: Buffer.from(value).toString('base64'), Flags: flags } });
      }
      const res = await fetch(`${address}/v1/txn`, { method: 'PUT', body: JSON.stringify(ops) });
      if (!res.ok) throw new Error(`loading keys failed: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }
  }));
}

const rssProbe = pathToFileURL(join(root, 'bench/rss-probe.mjs')).href;
let rssCount = 0;

/**
 * Runs a command (asynchronously, so that an agent started by this process keeps draining its log
 * pipe) and resolves with its wall time in seconds, stdout and stderr. With `rss: true` the command
 * must be node: bench/rss-probe.mjs is preloaded and the process's peak RSS (MiB,
 * `process.resourceUsage().maxRSS` at exit) is returned too.
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, rss?: boolean, stdout?: boolean }} [options]
 * @returns {Promise<{ seconds: number, stdout: string, stderr: string, rssMiB?: number }>}
 */
export function run(command, args, options = {}) {
  let rssFile;
  let argv = args;
  const env = { ...(options.env ?? process.env) };
  if (options.rss) {
    rssFile = join(tmpdir(), `consulate-bench-rss-${process.pid}-${rssCount++}`);
    env.BENCH_RSS_FILE = rssFile;
    argv = [`--import=${rssProbe}`, ...args];
  }
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { if (options.stdout !== false) stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status) => {
      const seconds = (performance.now() - started) / 1000;
      if (status !== 0) return reject(new Error(`${command} ${args.join(' ')} failed (${status}):\n${stderr}`));
      let rssMiB;
      if (rssFile) {
        rssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
        rmSync(rssFile, { force: true });
      }
      resolve({ seconds, stdout, stderr, rssMiB });
    });
  });
}

/** Formats a ratio: 1.234 → "1.23×". */
export const x = (v) => (v === undefined || v === null || Number.isNaN(v) ? '–' : `${v.toFixed(2)}×`);
