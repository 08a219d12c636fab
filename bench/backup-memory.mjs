// Peak memory of `consulate kv backup` as the store grows: it lists key names once, then reads the
// records in 64-key read-only transactions (4 in flight) and writes each batch as it arrives, so the
// peak should stay flat from 10,000 to 100,000 keys (target: ≤ 1.1× the 10,000-key peak). For
// contrast, a naive backup (one GET /v1/kv/?recurse, JSON.stringify, write) is measured on the same data.
//
//   node bench/backup-memory.mjs [keys=100000] [--steps 10000,100000] [--src | --cli FILE]
//
// Peak RSS is the process's own (`process.resourceUsage().maxRSS` at exit, through the preloaded
// bench/rss-probe.mjs). The CLI is dist/cli/index.js when built, else the sources bundled with
// esbuild. Prints figures; it is not a test.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent } from '../test/support/agent.mjs';
import { cliEntry, loadavg, run, summary } from './lib.mjs';

const args = process.argv.slice(2);
const total = /^\d+$/.test(args[0] ?? '') ? Number(args[0]) : 100_000;
const at = args.indexOf('--steps');
const steps = at === -1 ? [...new Set([Math.min(10_000, total), total])] : args[at + 1].split(',').map(Number);

// --cli FILE: measure that build of the CLI instead (e.g. one built from another commit, to compare)
const cliAt = process.argv.indexOf('--cli');
const cli = cliAt === -1 ? await cliEntry() : { file: process.argv[cliAt + 1], from: process.argv[cliAt + 1], cleanup: () => {} };
const bundle = cli.file;
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

/** Runs a node command; resolves with its peak RSS (MiB) and wall time (s). */
async function measure(argv) {
  const r = await run(argv[0], argv.slice(1), { env, rss: true, stdout: false });
  return { mib: r.rssMiB, seconds: r.seconds };
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
let baseline;
let machineLoad;
try {
  baseline = await measure([process.execPath, bundle, '--help']);
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
  machineLoad = loadavg();
  console.log(`# kv backup peak RSS (CLI from ${cli.from}), machine load ${machineLoad}`);
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
  cli.cleanup();
}

const first = rows[0];
for (const r of rows) {
  summary({
    what: `\`kv backup\` peak RSS, ${r.step.toLocaleString('en')} keys`, figure: r.ours.mib, unit: 'MiB',
    baseline: r === first ? baseline.mib : first.ours.mib, baselineLabel: r === first ? 'consulate --help' : `same at ${first.step.toLocaleString('en')} keys`,
    target: r === first ? undefined : { op: '<=', value: 1.1 }, note: `naive recurse+stringify ${r.theirs.mib.toFixed(0)} MiB`, load: machineLoad, command: 'node bench/backup-memory.mjs',
  });
}
