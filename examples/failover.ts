/**
 * Agent failover: `address` as a list. The first address here is a port nothing listens on (a dead agent),
 * so the first request moves on to the live agent, which then sticks; a write refused by a dead agent
 * before anything was sent moves on too. Errors, if every address fails, name each address and why.
 * Run: `node test/support/with-agent.mjs npx tsx examples/failover.ts` (or against CONSUL_HTTP_ADDR).
 */
import { createClient, isNetworkError } from '../src/index.ts';
import * as kv from '../src/endpoints/kv.ts';
import * as status from '../src/endpoints/status.ts';

const live = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env['CONSUL_HTTP_ADDR'] ?? '127.0.0.1:8500';
const dead = '127.0.0.1:3'; // nothing listens on port 3: connection refused, nothing sent

const client = createClient({ address: [dead, live], timeout: 5000 });
await kv.set(client, 'examples/failover/greeting', 'hello'); // refused by the dead address, written through the live one
const { data } = await kv.get(client, 'examples/failover/greeting');
console.log('read through the list:', data);
const { data: leader } = await status.leader(client);
console.log('the cluster leader, asked through the current (live) agent:', leader !== '' ? 'known' : 'none');

// every address dead: one NetworkError naming each address and why it failed
const nowhere = createClient({ address: [dead, '127.0.0.1:4'], timeout: 2000, retry: 0 });
try {
  await kv.get(nowhere, 'examples/failover/greeting');
} catch (error) {
  console.log('all dead:', isNetworkError(error) ? 'NetworkError' : String(error));
  console.log((error as Error).message.includes('127.0.0.1:3') && (error as Error).message.includes('127.0.0.1:4') ? 'the error names both addresses' : `unexpected message: ${(error as Error).message}`);
}
await kv.remove(client, 'examples/failover/greeting');
