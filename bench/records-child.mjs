// Child of bench/records.mjs: reads every key under a prefix CALLS times in this fresh process and
// prints the ms of each read as JSON (bench/lib.mjs run() adds the peak RSS). Modes:
//   consulate — kv.records over consulate/node (createNodeClient), from the built package;
//   raw       — undici.request on a keep-alive Agent, body.text(), JSON.parse (the floor).
//   node bench/records-child.mjs <consulate|raw> <address> <prefix> <expected-count> [calls=3]
const [mode, address, prefix, expected, callsArg] = process.argv.slice(2);
const calls = Number(callsArg ?? 3);
let read;
let close;
if (mode === 'consulate') {
  const { createNodeClient } = await import('consulate/node');
  const { records } = await import('consulate/kv');
  const client = createNodeClient({ address });
  read = async () => (await records(client, prefix)).data;
  close = () => client.close();
} else if (mode === 'raw') {
  const { Agent, request } = await import('undici');
  const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
  const url = `${address}/v1/kv/${prefix}?recurse`;
  read = async () => JSON.parse(await (await request(url, { dispatcher })).body.text());
  close = () => dispatcher.close();
} else throw new Error(`unknown mode ${mode}`);

const ms = [];
for (let i = 0; i < calls; i++) {
  const started = performance.now();
  const pairs = await read();
  ms.push(performance.now() - started);
  if (pairs.length !== Number(expected)) throw new Error(`${mode}: read ${pairs.length} pairs, expected ${expected}`);
}
await close();
console.log(JSON.stringify({ ms }));
