// Leader election against a real Consul agent: one leader at a time, resign hands on, a lost leadership is
// signalled before the successor is elected (order of events, not timings), observers follow the leader, and
// the leader's service registration carries a tag while it leads.
import { afterEach, describe, expect, it } from 'vitest';
import * as agent from '../../src/endpoints/agent.ts';
import * as kv from '../../src/endpoints/kv.ts';
import * as session from '../../src/endpoints/session.ts';
import * as txn from '../../src/endpoints/txn.ts';
import { isInputError, isLockHeldError, isLockLostError, isNotFoundError, isTransactionError, LOCK_FLAG_VALUE } from '../../src/index.ts';
import type { Leader, Leadership } from '../../src/recipes/election.ts';
import { campaign, DEFAULT_LEADER_TAG, leader, observe } from '../../src/recipes/election.ts';
import { testClient, uniqueName, uniquePrefix } from '../support/client.ts';

const client = testClient();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await probe();
    if (value) return value;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Records `<name> elected` when the campaign resolves and `<name> lost|resigned` when its signal fires. */
function track(events: string[], name: string, leadership: Promise<Leadership>): Promise<Leadership> {
  return leadership.then((held) => {
    events.push(`${name} elected`);
    held.signal.addEventListener('abort', () => events.push(`${name} ${isLockLostError(held.signal.reason) ? 'lost' : 'resigned'}`), { once: true });
    return held;
  });
}

/** Collects what an observer yields (leader values, `-` for no leader) until stopped. */
function follow(key: string): { seen: (string | undefined)[]; leaders: (Leader | undefined)[]; stop(): Promise<void> } {
  const controller = new AbortController();
  const leaders: (Leader | undefined)[] = [];
  const seen: (string | undefined)[] = [];
  const running = (async () => {
    for await (const current of observe(client, key, { signal: controller.signal })) {
      leaders.push(current);
      seen.push(current?.value);
    }
  })();
  return {
    seen,
    leaders,
    async stop() {
      controller.abort();
      await running;
    },
  };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe('election: campaign and resign', () => {
  it('elects one candidate; the other waits and is elected when the leader resigns', async () => {
    const key = `${uniquePrefix('election')}leader`;
    const events: string[] = [];
    const observer = follow(key);
    cleanups.push(() => observer.stop());
    await until(() => observer.seen.length === 1, 'the observer'); // nobody leads yet
    const a = await track(events, 'A', campaign(client, key, 'candidate-a', { lockDelay: '1s' }));
    const bElected = track(events, 'B', campaign(client, key, 'candidate-b', { lockDelay: '1s' }));
    await sleep(300);
    expect(events).toEqual(['A elected']); // B waits
    expect((await leader(client, key)).data).toMatchObject({ key, session: a.session, value: 'candidate-a', fencingToken: a.fencingToken });
    const record = (await kv.getRecord(client, key)).data!;
    expect(record.Flags).toBe(LOCK_FLAG_VALUE); // Go's lock format: `consul lock` takes part too

    await a.resign();
    const b = await bElected;
    cleanups.push(() => b.resign());
    expect(events).toEqual(['A elected', 'A resigned', 'B elected']);
    expect(b.fencingToken).toBeGreaterThan(a.fencingToken);
    await until(() => observer.seen.includes('candidate-b'), 'the observer to see B');
    await observer.stop();
    // the observer saw: nobody, A, (nobody between the release and B's acquisition, if it read then), B
    expect(observer.seen.filter((v) => v !== undefined)).toEqual(['candidate-a', 'candidate-b']);
    expect(observer.seen[0]).toBeUndefined();
    const tokens = observer.leaders.filter((l) => l !== undefined).map((l) => l.fencingToken);
    expect(tokens).toEqual([a.fencingToken, b.fencingToken]);
    await a.resign(); // idempotent
    console.log(`election (resign) events: ${events.join(' → ')}; observer: ${observer.seen.map((v) => v ?? '-').join(' → ')}`);
  });

  it('a destroyed session: "lost leadership" is signalled before the successor is elected', async () => {
    const key = `${uniquePrefix('election-lost')}leader`;
    const events: string[] = [];
    const observer = follow(key);
    cleanups.push(() => observer.stop());
    const a = await track(events, 'A', campaign(client, key, 'candidate-a', { lockDelay: '1s' }));
    const bElected = track(events, 'B', campaign(client, key, 'candidate-b', { lockDelay: '1s' }));
    await until(() => observer.seen.includes('candidate-a'), 'the observer to see A');

    let lostAt = 0;
    a.signal.addEventListener('abort', () => (lostAt = Date.now()), { once: true });
    await session.destroy(client, a.session); // invalidated behind the leader's back
    const destroyedAt = Date.now();
    const b = await bElected;
    const electedAt = Date.now();
    cleanups.push(() => b.resign());
    expect(events).toEqual(['A elected', 'A lost', 'B elected']);
    expect(isLockLostError(a.signal.reason)).toBe(true);
    // the deposed leader's fenced writes are refused by Consul
    const refused = await a.txn(txn.builder().kv.set(`${key}-state`, 'from A')).catch((e: unknown) => e);
    expect(isTransactionError(refused)).toBe(true);
    await b.txn(txn.builder().kv.set(`${key}-state`, 'from B'));
    expect((await kv.get(client, `${key}-state`)).data).toBe('from B');
    await a.resign(); // resolves after a loss

    await until(() => observer.seen.includes('candidate-b'), 'the observer to see B');
    await observer.stop();
    // between the loss and B's election (the lock-delay) nobody leads: the observer saw that too
    const seen = observer.seen.map((v) => v ?? '-');
    expect(seen.slice(seen.indexOf('candidate-a'))).toEqual(['candidate-a', '-', 'candidate-b']);
    console.log(
      `election (session destroyed) events: ${events.join(' → ')}; observer: ${seen.join(' → ')}; ` +
        `lost ${lostAt - destroyedAt} ms after the destroy returned, B elected ${electedAt - lostAt} ms after the loss (lock-delay 1s)`,
    );
  });

  it('tryOnce refuses while another leads; signal aborts a waiting campaign', async () => {
    const key = `${uniquePrefix('election-try')}leader`;
    const a = await campaign(client, key, 'a');
    cleanups.push(() => a.resign());
    await expect(campaign(client, key, 'b', { tryOnce: true })).rejects.toSatisfy(isLockHeldError);
    const controller = new AbortController();
    const waiting = campaign(client, key, 'c', { signal: controller.signal }).catch((e: unknown) => e);
    await sleep(200);
    controller.abort(new Error('shutting down'));
    expect(((await waiting) as Error).message).toBe('shutting down');
    expect((await leader(client, key)).data?.value).toBe('a');
  });

  it('leader() reads nobody for a missing or released key; values that are not UTF-8 come as bytes only', async () => {
    const key = `${uniquePrefix('election-read')}leader`;
    expect((await leader(client, key)).data).toBeUndefined();
    const bytes = new Uint8Array([0xff, 0x00, 0x01]);
    const a = await campaign(client, key, bytes);
    expect((await leader(client, key)).data).toMatchObject({ value: undefined, bytes });
    await a.resign();
    expect((await leader(client, key)).data).toBeUndefined();
  });

  it('refuses bad arguments before sending', async () => {
    await expect(campaign(client, '', 'x')).rejects.toSatisfy(isInputError);
    await expect(campaign(client, 'k', 'x', { service: { id: '' } })).rejects.toSatisfy(isInputError);
    await expect(campaign(client, 'k', 'x', { service: { id: 's', tag: '' } })).rejects.toSatisfy(isInputError);
    expect(() => observe(client, '')).toThrow(/must not be empty/);
    await expect(leader(client, '')).rejects.toSatisfy(isInputError);
  });
});

describe('election: tagging the leader\'s service', () => {
  /** Registers a service with a passing TTL check; deregistered after the test. */
  async function register(name: string, id: string): Promise<void> {
    await agent.serviceRegister(client, { Name: name, ID: id, Port: 8080, Tags: ['v1'], Meta: { zone: 'a' }, Check: { CheckID: `${id}-ttl`, TTL: '60s' } });
    await agent.checkTtlPass(client, `${id}-ttl`);
    cleanups.push(() => agent.serviceDeregister(client, id));
  }
  const tagsOf = async (id: string) => (await agent.serviceRead(client, id)).data?.Tags;
  const checkOf = async (id: string) => (await agent.checkList(client)).data[`${id}-ttl`]?.Status;

  it('tags the leader while it leads: moved on resign, removed on a loss; the checks stay passing', async () => {
    const name = uniqueName('leader-svc');
    await register(name, `${name}-a`);
    await register(name, `${name}-b`);
    const key = `${uniquePrefix('election-tag')}leader`;
    const a = await campaign(client, key, 'a', { service: { id: `${name}-a` }, lockDelay: '1s' });
    expect(await tagsOf(`${name}-a`)).toEqual(['v1', DEFAULT_LEADER_TAG]);
    expect((await agent.serviceRead(client, `${name}-a`)).data).toMatchObject({ Meta: { zone: 'a' }, Port: 8080 });
    expect(await checkOf(`${name}-a`)).toBe('passing');

    const bElected = campaign(client, key, 'b', { service: { id: `${name}-b`, tag: 'primary' }, lockDelay: '1s' });
    await sleep(200);
    expect(await tagsOf(`${name}-b`)).toEqual(['v1']);
    await a.resign();
    const b = await bElected;
    expect(await tagsOf(`${name}-a`)).toEqual(['v1']); // removed before the key was released
    expect(await tagsOf(`${name}-b`)).toEqual(['v1', 'primary']);

    // a loss: the tag goes as soon as it is noticed
    await session.destroy(client, b.session);
    await until(() => b.signal.aborted, 'the loss');
    await until(async () => (await tagsOf(`${name}-b`))?.length === 1, 'the tag removal');
    expect(await tagsOf(`${name}-b`)).toEqual(['v1']);
    expect(await checkOf(`${name}-a`)).toBe('passing');
    expect(await checkOf(`${name}-b`)).toBe('passing');
    await b.resign();
  });

  it('an unknown service: NotFoundError, and the key is released', async () => {
    const key = `${uniquePrefix('election-tag-missing')}leader`;
    const error = await campaign(client, key, 'a', { service: { id: uniqueName('no-such-service') } }).catch((e: unknown) => e);
    expect(isNotFoundError(error)).toBe(true);
    expect((error as Error).message).toContain('has no service with id');
    expect((await leader(client, key)).data).toBeUndefined();
  });
});
