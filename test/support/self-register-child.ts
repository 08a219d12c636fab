// A service process for test/recipes/registration.test.ts: registers itself with selfRegistration (consulate/node)
// and serves HTTP until a signal. Usage: node --import tsx self-register-child.ts ADDRESS NAME ID MODE
//   MODE `handler`: the app listens to SIGTERM itself and closes its server (the process then exits 0 by itself);
//   MODE `default`: nothing else listens, so the signal ends the process the default way after the deregistration.
import { createServer } from 'node:http';
import { createClient } from '../../src/index.ts';
import { selfRegistration } from '../../src/node/index.ts';

const [address, name, id, mode] = process.argv.slice(2) as [string, string, string, string];
const server = createServer((_req, res) => res.end('ok'));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;
const client = createClient({ address });
const registration = selfRegistration(client, { Name: name, ID: id, Port: port, Check: { TTL: '5s' } }, {
  onError: (error) => console.error('registration error:', error),
});
// `once`, as apps often do: it is gone from the listeners by the time a listener that runs after it looks
if (mode === 'handler') process.once('SIGTERM', () => server.close());
await registration.ready();
console.log(`ready ${registration.serviceId} ${registration.checkId}`);
