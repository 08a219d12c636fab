// Peak memory of `consulate kv backup` as the store grows: it lists key names once, then reads the
// records in 64-key read-only transactions (4 in flight) and writes each batch as it arrives, so the
// peak should stay flat from 10,000 to 100,000 keys. For contrast, a naive backup (one
// GET /v1/kv/?recurse, JSON.stringify, write) is measured on the same data.
//
//   node bench/backup-memory.mjs [keys=100000]
//
// Peak RSS comes from GNU time (`/usr/bin/time -f %M`). Prints figures; it is not a test.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startAgent } from '../test/support/agent.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const total = Number(process.argv[2] ?? 100_000);
const steps = [...new Set([Math.min(10_000, total), Math.min(50_000, total), total])];
const GNU_TIME = '/usr/bin/time';
if (!existsSync(GNU_TIME)) {
  console.error('needs GNU time at /usr/bin/time to measure peak RSS');
  process.exit(1);
}

const cacheDir = join(root, 'node_modules/.cache/consulate-bench');
mkdirSync(cacheDir, { recursive: true });
const bundle = join(cacheDir, `cli-${process.pid}.mjs`);
await build({ entryPoints: [join(root, 'src/cli/index.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: bundle, logLevel: 'warning' });
const dir = mkdtempSync(join(tmpdir(), 'consulate-bench-backup-'));
const naive = join(dir, 'naive.mjs');
writeFileSync(
  naive,
  `import { writeFileSync } from 'node:fs';
const records = await (await fetch(process.env.CONSUL_HTTP_ADDR + '/v1/kv/?recurse')).json();
writeFileSync(process.argv[2], JSON.stringify(records.map((r) => ({ key: r.Key, flags: r.Flags, value: r.Value ?? '' }))));
`,
);

const agent = await startAgent({ name: 'consulate-bench-backup' });
const env = { ...process.env, CONSUL_HTTP_ADDR: agent.address };

/** Runs a command under GNU time; resolves with peak RSS (MiB) and wall time (s). Asynchronous, so the agent's log pipe keeps draining. */
function measure(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(GNU_TIME, ['-f', '%M %e', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0) return reject(new Error(`${args.join(' ')} failed (${status}):\n${stderr}`));
      const [kib, seconds] = stderr.trim().split('\n').pop().split(' ').map(Number);
      resolve({ mib: kib / 1024, seconds });
    });
  });
}

/** Writes keys [from, to) through /v1/txn, 8 transactions in flight. */
async function load(from, to) {
  const batches = [];
  for (let i = from; i < to; i += 64) {
    const ops = [];
    for (let j = i; j < Math.min(i + 64, to); j++) {
      const value = Buffer.from(`{"id":${j},"service":"svc-${j % 97}","config":"${'c'.repeat(80 + (j % 80))}"}`).toString('base64');
      ops.push({ KV: { Verb: 'set', Key: `data/group-${j % 50}/item-${String(j).padStart(7, '0')}`, Value: value, Flags: j } });
    }
    batches.push(JSON.stringify(ops));
  }
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < batches.length) {
      const body = batches[next++];
      const res = await fetch(`${agent.address}/v1/txn`, { method: 'PUT', body });
      if (!res.ok) throw new Error(`load failed: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }
  }));
}

const rows = [];
try {
  const baseline = await measure([process.execPath, bundle, '--help']);
  let loaded = 0;
  for (const step of steps) {
    await load(loaded, step);
    loaded = step;
    const out = join(dir, `backup-${step}.json`);
    const ours = await measure([process.execPath, bundle, 'kv', 'backup', '-f', out]);
    const count = JSON.parse(readFileSync(out, 'utf8')).length;
    if (count !== step) throw new Error(`backup holds ${count} keys, expected ${step}`);
    const naiveOut = join(dir, `naive-${step}.json`);
    const theirs = await measure([process.execPath, naive, naiveOut]);
    rows.push({ step, ours, theirs, size: statSync(out).size / 1024 / 1024 });
  }
  console.log(`kv backup peak RSS (GNU time), machine load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  console.log(`  node + CLI startup (consulate --help): ${baseline.mib.toFixed(1)} MiB`);
  console.log('  keys      file       consulate kv backup         naive recurse+stringify');
  for (const { step, ours, theirs, size } of rows) {
    console.log(
      `  ${String(step).padStart(7)}  ${size.toFixed(1).padStart(6)} MiB  ${ours.mib.toFixed(1).padStart(7)} MiB in ${ours.seconds.toFixed(2).padStart(5)} s   ${theirs.mib.toFixed(1).padStart(7)} MiB in ${theirs.seconds.toFixed(2).padStart(5)} s`,
    );
  }
} finally {
  await agent.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(bundle, { force: true });
}
