/**
 * A Deno edge-style HTTP handler whose settings live in Consul KV: it reads them at start, keeps them
 * current with a watch (a blocking query — no polling, no restart on change), registers a TTL check
 * with the local agent and keeps it passing while it serves, and deregisters on SIGTERM/SIGINT.
 *
 *   deno run --allow-net --allow-env --allow-read examples/deno-edge.ts
 *   consul kv put examples/deno-edge/config '{"greeting":"hello from the edge","checkName":"deno-edge","ttl":"30s"}'
 *   curl http://127.0.0.1:8000/
 *
 * Environment: CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, PORT (default 8000), CONSULATE_EXAMPLE_PREFIX
 * (where the config lives; default `examples/deno-edge`). For mTLS or a Unix socket, Deno's own
 * `Deno.createHttpClient({ caCerts, cert, key })` / `{ proxy: { transport: 'unix', path } }` plugs in
 * as `fetch: (input, init) => fetch(input, { ...init, client })`.
 * In your own project, import from 'jsr:@consulate/consulate' or 'npm:consulate' instead of '../src/index.ts'
 * (before publication: a deno.json `"links"` to a checkout, or the packed tarball — README, "Using it before it is published").
 */
import * as v from 'valibot';
import { Consul, isConsulError } from '../src/index.ts';

const Settings = v.object({
  greeting: v.string(),
  checkName: v.optional(v.pipe(v.string(), v.minLength(1)), 'deno-edge'),
  ttl: v.optional(v.string(), '30s'),
});
type Settings = v.InferOutput<typeof Settings>;

const address = Deno.env.get('CONSUL_HTTP_ADDR') ?? '127.0.0.1:8500';
const token = Deno.env.get('CONSUL_HTTP_TOKEN');
const prefix = Deno.env.get('CONSULATE_EXAMPLE_PREFIX') ?? 'examples/deno-edge';
const port = Number(Deno.env.get('PORT') ?? 8000);
const consul = new Consul({ address, ...(token ? { token } : {}) });
const stop = new AbortController();

/** Parses and checks the settings' JSON text; undefined (with a message) when invalid. */
function parseSettings(text: string): Settings | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    console.error(`ignoring settings that are not JSON: ${text.slice(0, 80)}`);
    return undefined;
  }
  const parsed = v.safeParse(Settings, json);
  if (!parsed.success) console.error('ignoring invalid settings:', parsed.issues[0]?.message);
  return parsed.success ? parsed.output : undefined;
}

const { data: text } = await consul.kv.get(`${prefix}/config`);
const initial = text === undefined ? undefined : parseSettings(text);
if (!initial) {
  console.error(`no valid settings at ${prefix}/config`);
  Deno.exit(2);
}
let settings: Settings = initial;
const checkId = settings.checkName;

await consul.agent.check.register({ ID: checkId, Name: checkId, TTL: settings.ttl, Notes: 'deno-edge example: passing while it serves' });
await consul.agent.check.ttlPass(checkId, 'serving');
// report in at half the TTL (a TTL check turns critical if not updated in time)
const heartbeat = setInterval(() => {
  consul.agent.check.ttlPass(checkId, 'serving').catch((error) => console.error('ttl update failed:', error.message));
}, Math.max(1000, parseDuration(settings.ttl) / 2));

// keep the settings current: the watch yields the value now and on every change, until `stop` aborts
(async () => {
  for await (const { data } of consul.watch.key(`${prefix}/config`, { signal: stop.signal, onError: (e) => console.error('watch:', String(e)) })) {
    if (data === undefined) continue; // deleted: keep the last good settings
    settings = parseSettings(data) ?? settings;
  }
})();

const server = Deno.serve({ hostname: '127.0.0.1', port, signal: stop.signal, onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}/`) }, () =>
  Response.json({ greeting: settings.greeting, check: checkId }),
);

async function shutdown(signal: string): Promise<void> {
  console.log(`${signal}: deregistering ${checkId}`);
  clearInterval(heartbeat);
  stop.abort();
  try {
    await consul.agent.check.deregister(checkId);
  } catch (error) {
    console.error(isConsulError(error) ? `${error.kind}: ${error.message}` : error);
  }
  await server.finished;
  Deno.exit(0);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) Deno.addSignalListener(signal, () => void shutdown(signal));

/** `30s`, `1m`, `500ms` → milliseconds (enough for a TTL). */
function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (!m) return 30_000;
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}
