/**
 * A Node service that lives in Consul the way a production one does:
 *   - connects with `consulate/node` (`fromEnv`: CONSUL_HTTP_ADDR may be `unix:///path/consul.sock`, or
 *     `https://…` with CONSUL_CACERT / CONSUL_CLIENT_CERT / CONSUL_CLIENT_KEY for mTLS; CONSUL_HTTP_TOKEN),
 *   - registers itself with a TTL check and keeps the check passing while it is healthy,
 *   - campaigns for leadership with a Consul lock (Go's lock format, so `consul lock` interoperates),
 *     and campaigns again if it loses it,
 *   - on SIGTERM/SIGINT: steps down (releases the lock), deregisters, closes its connections, exits 0.
 *
 *   CONSUL_HTTP_ADDR=unix:///tmp/consul.sock npx tsx examples/node-service.ts
 *
 * Environment: SERVICE_NAME (default `consulate-node-example`), SERVICE_ID (default name-host-pid),
 * CHECK_TTL (default `10s`), LEADER_KEY (default `service/<name>/leader`), PORT (default: any free port).
 * In your own project, import from 'consulate' and 'consulate/node' instead of '../src/…'.
 */
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import type { HeldLock } from '../src/index.ts';
import { Consul, isConsulError, lock } from '../src/index.ts';
import { fromEnv } from '../src/node/index.ts';

const name = process.env['SERVICE_NAME'] ?? 'consulate-node-example';
const id = process.env['SERVICE_ID'] ?? `${name}-${hostname()}-${process.pid}`;
const ttl = process.env['CHECK_TTL'] ?? '10s';
const leaderKey = process.env['LEADER_KEY'] ?? `service/${name}/leader`;
const checkId = `${id}:ttl`;
const log = (message: string): void => console.log(`[${id}] ${message}`);

const client = fromEnv({ timeout: 5000 });
const consul = new Consul(client);
const stopping = new AbortController();
let leader: HeldLock | undefined;

// the service itself: answers whether this instance leads
const server = createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id, leader: leader !== undefined }));
});
await new Promise<void>((resolve) => server.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;

await consul.agent.service.register({
  Name: name,
  ID: id,
  Port: port,
  Address: '127.0.0.1',
  Tags: ['consulate-example'],
  Check: { CheckID: checkId, Name: `${name} alive`, TTL: ttl, DeregisterCriticalServiceAfter: '1m' },
});
log(`registered on port ${port} with a ${ttl} TTL check`);

// keep the TTL check passing: a third of the TTL between updates leaves room for a slow one
const ttlMs = Number(/^(\d+)s$/.exec(ttl)?.[1] ?? 10) * 1000;
const heartbeat = async (): Promise<void> => {
  try {
    await consul.agent.check.ttlPass(checkId, leader ? 'alive, leader' : 'alive');
  } catch (error) {
    log(`TTL update failed: ${isConsulError(error) ? error.message : String(error)}`);
  }
};
await heartbeat();
const timer = setInterval(() => void heartbeat(), ttlMs / 3);

// leader election: wait for the lock; when it is lost (session expired, key taken), campaign again
const campaign = (async () => {
  while (!stopping.signal.aborted) {
    try {
      leader = await lock(client, leaderKey, { value: id, ttl: '15s', signal: stopping.signal });
    } catch (error) {
      if (stopping.signal.aborted) return;
      log(`campaign failed (${isConsulError(error) ? error.kind : String(error)}), retrying in 1 s`);
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    log(`is now the leader (${leaderKey})`);
    await heartbeat();
    const held = leader;
    await new Promise((resolve) => held.signal.addEventListener('abort', resolve, { once: true }));
    leader = undefined;
    if (!stopping.signal.aborted) log(`lost leadership: ${String(held.signal.reason?.message ?? held.signal.reason)}; campaigning again`);
  }
})();

async function shutdown(signal: string): Promise<void> {
  if (stopping.signal.aborted) return;
  log(`${signal}: stepping down and deregistering`);
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  clearInterval(timer);
  const held = leader;
  stopping.abort();
  try {
    await held?.release();
    await campaign;
    await consul.agent.service.deregister(id);
  } catch (error) {
    log(`shutdown: ${isConsulError(error) ? error.message : String(error)}`);
    process.exitCode = 1;
  }
  await client.close();
  server.close();
  log('bye');
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
