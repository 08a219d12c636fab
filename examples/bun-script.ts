/**
 * A Bun script: reads its settings from Consul KV, registers a TTL health check with the local agent
 * and reports in (passing, with a note), then exits.
 *
 *   CONSUL_HTTP_ADDR=127.0.0.1:8500 bun examples/bun-script.ts
 *   consul kv put examples/bun-script/config '{"checkName":"nightly-job","ttl":"30s","note":"last run ok"}'
 *
 * Environment: CONSUL_HTTP_ADDR (`host:port`, a URL, or `unix:///path/consul.sock`), CONSUL_HTTP_TOKEN,
 * CONSULATE_EXAMPLE_PREFIX (where the config lives; default `examples/bun-script`).
 * A Unix socket needs no extra package on Bun: its `fetch` takes `{ unix: path }` (see `socketFetch`).
 * In your own project, import from 'consulate' instead of '../src/index.ts' (before publication:
 * `npm install ./consulate-x.tgz` — README, "Using it before it is published").
 */
import * as v from 'valibot';
import { Consul, isConsulError } from '../src/index.ts';

/** The settings this script reads from KV (checked with valibot). */
const Settings = v.object({
  checkName: v.pipe(v.string(), v.minLength(1)),
  ttl: v.optional(v.string(), '30s'),
  note: v.optional(v.string(), 'ok'),
});

const env = Bun.env;
const address = env['CONSUL_HTTP_ADDR'] ?? '127.0.0.1:8500';
const prefix = env['CONSULATE_EXAMPLE_PREFIX'] ?? 'examples/bun-script';

/** Bun's fetch reaches a Unix socket with `{ unix }`; consulate takes any fetch-compatible function. */
function socketFetch(path: string): typeof fetch {
  return ((input: Request | string | URL, init?: RequestInit) => fetch(input, { ...init, unix: path } as RequestInit)) as typeof fetch;
}

const socket = address.startsWith('unix://') ? address.slice('unix://'.length) : undefined;
const consul = new Consul({
  // over a socket the host is only a placeholder: the connection goes to the socket
  address: socket ? 'http://consul.socket' : address,
  ...(socket ? { fetch: socketFetch(socket) } : {}),
  ...(env['CONSUL_HTTP_TOKEN'] ? { token: env['CONSUL_HTTP_TOKEN'] } : {}),
});

try {
  const { data: settings } = await consul.kv.getJSON(`${prefix}/config`, { schema: Settings });
  if (!settings) {
    console.error(`no settings at ${prefix}/config; write some with: consul kv put ${prefix}/config '{"checkName":"nightly-job"}'`);
    process.exit(2);
  }
  await consul.agent.check.register({ ID: settings.checkName, Name: settings.checkName, TTL: settings.ttl, Notes: `reported by ${prefix} (bun ${Bun.version})` });
  await consul.agent.check.ttlPass(settings.checkName, settings.note);
  const { data: checks } = await consul.agent.check.list();
  const check = checks[settings.checkName];
  console.log(`check ${settings.checkName}: ${check?.Status} (${JSON.stringify(check?.Output)}), TTL ${settings.ttl}`);
} catch (error) {
  // consulate's errors carry the method, path and Consul's own message, never the token
  console.error(isConsulError(error) ? `${error.kind}: ${error.message}` : error);
  process.exit(1);
}
