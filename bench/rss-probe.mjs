// Preloaded by bench/lib.mjs run(…, { rss: true }) with `node --import`: at exit, writes the
// process's peak resident set size (KiB, getrusage's ru_maxrss) to $BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
