/**
 * `consulate/discovery`: requests spread over a service's healthy instances, surviving instances that go
 * critical, come back, or stop accepting connections. Starts three tiny HTTP servers, registers them with
 * TTL checks, then keeps sending requests through `discovery(…).fetch()` while it flaps their health and
 * closes one server; prints what it saw, cleans up, and exits 1 if any request failed.
 *
 *   node test/support/with-agent.mjs npx tsx examples/discovery.ts
 *
 * Node (for the three servers); the discovery itself runs on any runtime (in a browser CORS usually keeps a
 * page from reaching instances directly). In your own project, import from 'consulate' and
 * 'consulate/discovery' instead of '../src/…'.
 */
import { createServer } from 'node:http';
import { createClient } from '../src/index.ts';
import { checkTtlFail, checkTtlPass, serviceDeregister, serviceRegister } from '../src/endpoints/agent.ts';
import { discovery } from '../src/recipes/discovery.ts';

const client = createClient(process.env['CONSUL_HTTP_ADDR'] ? { address: process.env['CONSUL_HTTP_ADDR'] } : {});
const name = `discovery-example-${process.pid}`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// three instances of the service, each an HTTP server with a TTL check
const servers = await Promise.all(
  [0, 1, 2].map(async (i) => {
    const id = `${name}-${i}`;
    const server = createServer((_req, res) => res.end(id));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await serviceRegister(client, { Name: name, ID: id, Address: '127.0.0.1', Port: port, Check: { TTL: '60s' } });
    await checkTtlPass(client, `service:${id}`);
    return { id, server };
  }),
);

const web = discovery(client, name, {
  strategy: 'round-robin',
  onChange: (set) => console.log(`set is now [${set.map((i) => i.entry.Service.ID.slice(-1)).join(', ')}]`),
  onError: (error) => console.warn('health watch:', error),
});
await web.ready();

let sent = 0;
let failed = 0;
const servedBy = new Map<string, number>();
let running = true;
const load = (async () => {
  while (running) {
    sent++;
    try {
      const id = await (await web.fetch('/')).text();
      servedBy.set(id, (servedBy.get(id) ?? 0) + 1);
    } catch (error) {
      failed++;
      console.error(error);
    }
    await sleep(5);
  }
})();

const [a, b, c] = servers as [(typeof servers)[0], (typeof servers)[0], (typeof servers)[0]];
await sleep(300);
await checkTtlFail(client, `service:${a.id}`, 'example: going critical');
await sleep(300);
await checkTtlPass(client, `service:${a.id}`);
await sleep(300);
c.server.close(); // still passing in Consul, but refusing connections: its turn goes to the next instance
c.server.closeAllConnections();
await sleep(300);
running = false;
await load;

await web.stop();
for (const { id } of servers) await serviceDeregister(client, id);
for (const { server } of [a, b]) server.close();
console.log(`${sent} requests sent, ${sent - failed} succeeded; served by ${JSON.stringify(Object.fromEntries(servedBy))}`);
process.exitCode = failed === 0 ? 0 : 1;
