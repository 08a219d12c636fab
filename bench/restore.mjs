// Restore speed: `consulate kv restore` vs `consul kv import` for the same 20,000-key file on the same
// throwaway agent. Prints wall times (whole process, start to exit) and the ratio.
//
//   node bench/restore.mjs [keys=20000] [runs=3]
//
// The CLI is bundled with esbuild like the published bin (dependencies external) and run with node.
// Each run starts from an empty store; the best run of each tool is compared.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { consulBinary, startAgent } from '../test/support/agent.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const count = Number(process.argv[2] ?? 20_000);
const runs = Number(process.argv[3] ?? 3);

const cacheDir = join(root, 'node_modules/.cache/consulate-bench');
mkdirSync(cacheDir, { recursive: true });
const bundle = join(cacheDir, `cli-${process.pid}.mjs`);
await build({ entryPoints: [join(root, 'src/cli/index.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: bundle, logLevel: 'warning' });

const dir = mkdtempSync(join(tmpdir(), 'consulate-bench-restore-'));
const file = join(dir, 'export.json');
const entries = [];
for (let i = 0; i < count; i++) {
  const key = `bench/app${i % 20}/item-${String(i).padStart(6, '0')}`;
  entries.push({ key, flags: i % 7, value: Buffer.from(`{"id":${i},"name":"item ${i}","pad":"${'x'.repeat(i % 40)}"}`).toString('base64') });
}
writeFileSync(file, JSON.stringify(entries, null, '\t'));

const agent = await startAgent({ name: 'consulate-bench-restore' });
const env = { ...process.env, CONSUL_HTTP_ADDR: agent.address };
const wipe = () => fetch(`${agent.address}/v1/kv/bench?recurse`, { method: 'DELETE' });
const countKeys = async () => ((await (await fetch(`${agent.address}/v1/kv/bench/?keys`)).json()) ?? []).length;

// Asynchronous on purpose: a blocked event loop would stop draining the agent's log pipe, and the agent
// would hang writing to it.
function timed(command, args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status) => {
      const seconds = (performance.now() - started) / 1000;
      if (status !== 0) reject(new Error(`${command} ${args.join(' ')} failed (${status}):\n${stderr}`));
      else resolve({ seconds, stderr });
    });
  });
}

const ours = [];
const inner = [];
const theirs = [];
try {
  for (let run = 0; run < runs; run++) {
    await wipe();
    const { seconds, stderr } = await timed(process.execPath, [bundle, 'kv', 'restore', '-f', file]);
    if ((await countKeys()) !== count) throw new Error('consulate restored the wrong number of keys');
    ours.push(seconds);
    inner.push(Number(/in ([\d.]+) s/.exec(stderr)?.[1]));
    await wipe();
    const consul = await timed(consulBinary(), ['kv', 'import', `@${file}`]);
    if ((await countKeys()) !== count) throw new Error('consul kv import restored the wrong number of keys');
    theirs.push(consul.seconds);
  }
} finally {
  await agent.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(bundle, { force: true });
}

const best = (list) => Math.min(...list);
const fmt = (list) => list.map((s) => s.toFixed(2)).join(', ');
console.log(`restore of ${count} keys (${runs} runs each, best run compared; machine load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`);
console.log(`  consulate kv restore : ${best(ours).toFixed(2)} s process wall time (runs: ${fmt(ours)}; restore itself: ${fmt(inner)} s)`);
console.log(`  consul kv import     : ${best(theirs).toFixed(2)} s (runs: ${fmt(theirs)})`);
console.log(`  ratio                : ${(best(theirs) / best(ours)).toFixed(1)}× faster (process to process); ${(best(theirs) / best(inner)).toFixed(1)}× for the restore itself`);
