/**
 * Leader election (`consulate/election`): two candidates campaign on one key, an observer follows who leads
 * without campaigning, the leader resigns, then the new leader's session is destroyed behind its back — its
 * `signal` ("lost leadership") fires before anyone else can be elected (the session's lock-delay).
 * Run: `node test/support/with-agent.mjs npx tsx examples/election.ts` (or against CONSUL_HTTP_ADDR).
 */
import { createClient } from '../src/index.ts';
import * as session from '../src/endpoints/session.ts';
import type { Leadership } from '../src/recipes/election.ts';
import { campaign, observe } from '../src/recipes/election.ts';

const address = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env['CONSUL_HTTP_ADDR'];
const client = createClient(address ? { address } : {});
const key = `examples/election/${Date.now().toString(36)}/leader`;
const started = Date.now();
const log = (line: string): void => console.log(`${String(Date.now() - started).padStart(5)} ms  ${line}`);

// an observer: learns the leader's value without campaigning
const stopObserving = new AbortController();
const observing = (async () => {
  for await (const current of observe(client, key, { signal: stopObserving.signal })) {
    log(`observer:  ${current ? `${current.value} leads (fencing token ${current.fencingToken})` : 'nobody leads'}`);
  }
})();

/** A candidate that reports when it is elected and when its leadership ends. */
async function candidate(name: string): Promise<Leadership> {
  const leadership = await campaign(client, key, name, { lockDelay: '2s' });
  log(`${name}: elected (fencing token ${leadership.fencingToken})`);
  leadership.signal.addEventListener('abort', () => log(`${name}: leadership ended — ${String(leadership.signal.reason)}`), { once: true });
  return leadership;
}

try {
  const a = await candidate('node-a');
  const b = candidate('node-b'); // waits while node-a leads
  await new Promise((resolve) => setTimeout(resolve, 500));
  log('node-a: resigning');
  await a.resign(); // hands on at once: a release has no lock-delay
  const leaderB = await b;
  const c = candidate('node-c');
  await new Promise((resolve) => setTimeout(resolve, 500));
  log("destroying node-b's session behind its back");
  await session.destroy(client, leaderB.session); // node-b learns of it first; node-c waits out the lock-delay
  const leaderC = await c;
  await leaderB.resign(); // resolves after a loss
  await leaderC.resign();
} finally {
  await new Promise((resolve) => setTimeout(resolve, 200));
  stopObserving.abort();
  await observing;
}
