/**
 * `selfRegistration` (consulate/node): a service that registers itself with a TTL check, keeps it passing,
 * registers again if the agent restarts, reports itself critical while a dependency is down, and deregisters
 * on SIGTERM/SIGINT before exiting.
 *
 *   node test/support/with-agent.mjs npx tsx examples/self-register.ts
 *
 * `GET /` answers; `POST /fail` and `POST /recover` simulate a dependency going down and coming back (watch the
 * check in `consul catalog services` / the UI, or `curl $CONSUL_HTTP_ADDR/v1/agent/checks`). EXIT_AFTER=ms sends
 * the process a SIGTERM after that long (how the runtime matrix runs it). Environment: SERVICE_NAME, CHECK_TTL.
 * In your own project, import from 'consulate/node' instead of '../src/…'.
 */
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { fromEnv, selfRegistration } from '../src/node/index.ts';

const name = process.env['SERVICE_NAME'] ?? 'self-register-example';
const id = `${name}-${hostname()}-${process.pid}`;
const client = fromEnv({ timeout: 5000 });

const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/fail') {
    registration.unhealthy(new Error('database unreachable (simulated)')).then(() => res.end('critical\n'), (e: unknown) => res.writeHead(503).end(`${e}\n`));
  } else if (req.method === 'POST' && req.url === '/recover') {
    registration.healthy('database back').then(() => res.end('passing\n'), (e: unknown) => res.writeHead(503).end(`${e}\n`));
  } else res.end(`${id}\n`);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;

const registration = selfRegistration(
  client,
  { Name: name, ID: id, Address: '127.0.0.1', Port: port, Check: { TTL: process.env['CHECK_TTL'] ?? '10s', DeregisterCriticalServiceAfter: '10m' } },
  {
    note: 'serving',
    onRegister: ({ count }) => console.log(count === 1 ? `registered ${id} on port ${port}` : `the agent had forgotten ${id}: registered again (#${count})`),
    onError: (error) => console.warn('consul:', error instanceof Error ? error.message : error),
  },
);
await registration.ready();
console.log(`check ${registration.checkId} is passing; SIGTERM or Ctrl-C deregisters and exits`);

// the app's own shutdown: stop serving; the process exits once the deregistration is done too
const shutdown = (): void => {
  console.log('shutting down');
  server.close();
  registration.stop().then(
    () => void client.close(),
    () => void client.close(),
  );
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
if (process.env['EXIT_AFTER']) setTimeout(() => process.kill(process.pid, 'SIGTERM'), Number(process.env['EXIT_AFTER'])).unref();
