/**
 * Live typed configuration (`consulate/live-config`): a JSON document in KV, validated with valibot, kept
 * current by a blocking watch. An invalid update is reported and not applied; the health state is what a
 * service would expose on its health endpoint.
 * Run: `node test/support/with-agent.mjs npx tsx examples/live-config.ts` (or against CONSUL_HTTP_ADDR).
 */
import * as v from 'valibot';
import { createClient } from '../src/index.ts';
import * as kv from '../src/endpoints/kv.ts';
import { liveConfig } from '../src/recipes/live-config.ts';

const address = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env['CONSUL_HTTP_ADDR'];
const client = createClient(address ? { address } : {});
const key = 'examples/live-config/app';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const AppConfig = v.object({
  port: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535)),
  features: v.optional(v.array(v.string()), []),
  logLevel: v.optional(v.picklist(['debug', 'info', 'warn']), 'info'),
});

await kv.set(client, key, { port: 8080, features: ['search'] });

const config = liveConfig(client, key, {
  schema: AppConfig,
  debounce: '200ms', // several writes in a row are applied once
  staleAfter: '5s', // "stale" after 5 s of failing reads
  onChange: (value, previous) => console.log('applied   ', JSON.stringify(value), previous ? '' : '(first value)'),
  onInvalid: (error) => console.log('refused   ', error.message),
  onHealthChange: (health) => console.log('health    ', health.state),
});

try {
  const first = await config.ready({ signal: AbortSignal.timeout(10_000) });
  console.log('ready      port', first.port);

  await kv.set(client, key, { port: 9090, features: ['search', 'beta'], logLevel: 'debug' });
  await sleep(500);
  await kv.set(client, key, { port: 'ninety' }); // wrong type: reported, not applied
  await sleep(500);
  console.log('value     ', JSON.stringify(config.value), `(health: ${config.health.state})`);
  await kv.set(client, key, { port: 9443 }); // valid again: defaults fill in
  await sleep(500);
  console.log('value     ', JSON.stringify(config.value), `(health: ${config.health.state})`);
} finally {
  await config.close();
  await kv.remove(client, key);
}
