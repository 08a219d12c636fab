// The floor for bench/restore.mjs: the least a restore can do — read the backup file whole,
// JSON.parse it, and write it through /v1/txn, 64 sets per transaction, 4 transactions in flight,
// over undici's request API (the HTTP client consulate/node is on). No checks, no progress.
//   CONSUL_HTTP_ADDR=http://127.0.0.1:8500 node bench/restore-floor.mjs backup.json
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';

const address = process.env.CONSUL_HTTP_ADDR;
const entries = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
const url = `${/^https?:\/\//.test(address) ? address : `http://${address}`}/v1/txn`;
let next = 0;
await Promise.all(Array.from({ length: 4 }, async () => {
  while (next < entries.length) {
    const batch = entries.slice(next, (next += 64));
    const body = JSON.stringify(batch.map((e) => ({ KV: { Verb: 'set', Key: e.key, Value: e.value, Flags: e.flags } })));
    const res = await request(url, { method: 'PUT', body, dispatcher });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`txn failed: ${res.statusCode} ${text}`);
  }
}));
await dispatcher.close();
