// renewPeriodically (recipes/renewer.ts), as locks and semaphores use it: a renewal that never gets an answer
// (a stopped agent) does not hold the expiry back past the TTL.
import { describe, expect, it } from 'vitest';
import { renewPeriodically } from '../../src/recipes/renewer.ts';
import { createClient, isTimeoutError } from '../../src/index.ts';
import { startMisbehavingServer } from '../support/misbehaving-server.mjs';

describe('renewPeriodically against an agent that never answers', () => {
  it('declares the session expired when the TTL is spent, before the hanging renewal times out by itself', async () => {
    await using server = await startMisbehavingServer('never-answer');
    // the client's own timeout is far away: only the renewer's TTL can end the hanging renewal
    const client = createClient({ address: server.address, timeout: 60_000, retry: 0 });
    const events: string[] = [];
    let reason: unknown;
    const renewer = renewPeriodically(client, '0b6ee4c5-0000-4000-8000-000000000001', {
      ttl: 600, // a short local TTL: Consul is not involved
      interval: 50,
      destroyOnStop: false,
      onExpired: (r) => {
        events.push('expired');
        reason = r;
      },
      onError: (e) => events.push(`error: ${(e as Error).name}`),
    });
    expect(await renewer.done).toBe('expired');
    expect(events).toEqual(['expired']);
    expect(isTimeoutError(reason)).toBe(true);
    expect((reason as Error).message).toMatch(/within its TTL/);
    expect(server.requests.map((r) => r.method)).toEqual(['PUT']);
  });
});
