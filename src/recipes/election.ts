/**
 * Leader election, the way Consul's guide does it: the leader is whoever holds a lock on a key, and the
 * key's value says who it is. Built on {@link lock} (Go's lock format, so `consul lock` and Go's
 * `api.Lock` on the same key take part in the same election), with its fencing token.
 *
 * - {@link campaign} waits until this candidate is elected (or `wait`/`signal` ends the wait) and returns
 *   a {@link Leadership}: its `signal` fires when leadership is lost (session invalidated or expired, key
 *   taken or deleted, Consul not answering for `monitorTimeout`) or resigned; `resign()` hands it on at
 *   once (a release imposes no lock-delay).
 * - {@link observe} and {@link leader} tell anyone — without campaigning — who leads now: the leader's
 *   value, session and fencing token.
 * - With `service`, the leader's service registration on its agent carries a tag (`leader` by default)
 *   while it leads, so that `leader.<service>.service.consul` or a `tag` filter finds it.
 *
 * **Lost before the successor is elected.** When a leader's session is invalidated, Consul keeps the key
 * from being acquired for the session's lock-delay (15 s by default), while the leader's monitor sees the
 * invalidation at once (its consistent blocking read returns) or gives up after `monitorTimeout` (2 s)
 * without an answer. Keep `lockDelay` above `monitorTimeout` and the old leader's `signal` fires before a
 * successor can be elected. A leader that resigns hands on at once, after its `signal` fired. A process
 * that is paused can still act late: write through {@link Leadership.txn} (a fenced write Consul refuses
 * once the session no longer holds the key) or check {@link Leadership.fencingToken} where you write.
 * @see https://developer.hashicorp.com/consul/docs/dynamic-app-config/sessions/application-leader-election
 * @module
 */
import type { Client } from '../core/client.ts';
import { asyncDispose } from '../core/async.ts';
import { normalizeKey } from '../core/encoding.ts';
import { InputError, NotFoundError } from '../core/errors.ts';
import type { ReadOptions, WriteOptions } from '../core/query.ts';
import type { Result } from '../core/request.ts';
import type { WatchOptions } from '../core/watch.ts';
import { watch } from '../core/watch.ts';
import type { KVPair, KVValue } from '../endpoints/kv.ts';
import { getRecord } from '../endpoints/kv.ts';
import { serviceRead, serviceRegister } from '../endpoints/agent/services.ts';
import type { ServiceDefinition } from '../schemas/definitions.ts';
import type { TxnInput, TxnOptions, TxnResults } from '../endpoints/txn.ts';
import type { LockLostError } from '../core/errors.ts';
import type { HeldLock, LockAcquireOptions } from './lock.ts';
import { lock } from './lock.ts';
import { writeOptions } from './contention.ts';

/** The tag {@link campaign} puts on the leader's service by default. */
export const DEFAULT_LEADER_TAG = 'leader';

/** Options of {@link campaign}: the lock's options (but `value`, which is an argument), and the service to tag. */
export interface CampaignOptions extends Omit<LockAcquireOptions, 'value' | 'cleanup'> {
  /**
   * Tag this service instance (registered with the agent this client talks to) while leading: the tag is
   * added (the service re-registered with its definition and the tag; its checks and their states stay)
   * once elected, before `campaign` resolves, and removed on `resign()` (before the key is released) or
   * as soon as the loss is noticed. The tag is for discovery only: two instances can carry it for a moment
   * after a loss (until the old leader's agent answers) — use the fencing token for correctness. A
   * registration made meanwhile by someone else (the app re-registering itself) drops the tag.
   */
  service?: { id: string; tag?: string | undefined } | undefined;
  /**
   * Called when removing the service tag after a loss fails (the agent may be what failed). Without it,
   * `resign()` rejects with that error instead.
   */
  onError?: ((error: unknown) => void) | undefined;
}

/** Leadership won by {@link campaign}: stop leading when `signal` fires; `resign()` to hand it on. */
export interface Leadership {
  /** The election's key. */
  readonly key: string;
  /** The session holding the key. */
  readonly session: string;
  /**
   * The fencing token: the key's `LockIndex` when this leadership began. Every election increments it, so
   * a later leader always has a larger one: a resource that remembers the largest it has seen can refuse
   * a deposed leader's writes.
   */
  readonly fencingToken: number;
  /**
   * Fires when this candidate is no longer the leader: lost (reason: a {@link LockLostError} — session
   * invalidated or expired, key taken or deleted, Consul not answering for `monitorTimeout`) or resigned
   * (an `AbortError` `DOMException`). See the module's note on what fires before a successor is elected.
   */
  readonly signal: AbortSignal;
  /**
   * A fenced write: `ops` run as one transaction that Consul applies only while this leadership's session
   * still holds the key. Same as {@link HeldLock.txn}.
   * @throws {TransactionError} when Consul refuses (`OpIndex` 0: leadership was lost; the `signal` fires too).
   * @example await leadership.txn(txn.builder().kv.set('jobs/owner', 'me'));
   */
  txn(ops: TxnInput, options?: TxnOptions): Promise<Result<TxnResults>>;
  /**
   * Stops leading: removes the service tag (with `service`), then releases the key (a successor may be
   * elected at once) and destroys the session. Idempotent; after a loss it resolves (and removes nothing
   * more).
   * @throws what removing the tag threw (the key is released all the same), or what releasing threw while
   *   still leading; after a loss, the tag removal's error when there is no `onError`.
   */
  resign(): Promise<void>;
  /** Same as {@link Leadership.resign}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Who leads an election, as {@link observe} and {@link leader} report it. */
export interface Leader {
  /** The election's key. */
  readonly key: string;
  /** The leader's session. */
  readonly session: string;
  /** The value the leader campaigned with, as UTF-8 text; `undefined` when it is not UTF-8 (see `bytes`). */
  readonly value: string | undefined;
  /** The value's exact bytes. */
  readonly bytes: Uint8Array;
  /** The leader's fencing token (the key's `LockIndex`). */
  readonly fencingToken: number;
}

const strictUtf8 = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The leader a key's record shows: `undefined` without a session holding it. */
function leaderOf(key: string, pair: KVPair | undefined): Leader | undefined {
  if (!pair?.Session) return undefined;
  let value: string | undefined;
  try {
    value = strictUtf8.decode(pair.Value);
  } catch {
    value = undefined;
  }
  return { key, session: pair.Session, value, bytes: pair.Value, fencingToken: pair.LockIndex };
}

function sameLeader(a: Leader | undefined, b: Leader | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.session === b.session && a.fencingToken === b.fencingToken && a.bytes.length === b.bytes.length && a.bytes.every((byte, i) => byte === b.bytes[i]);
}

function electionKey(key: string): string {
  if (typeof key !== 'string') throw new InputError(`election key must be a string, got ${typeof key}`);
  const k = normalizeKey(key);
  if (k === '') throw new InputError('election key must not be empty');
  return k;
}

/** Adds (`on`) or removes the tag of a service registered with the agent, re-registering it. */
async function setServiceTag(client: Client, id: string, tag: string, on: boolean, write: WriteOptions): Promise<void> {
  const { data: service } = await serviceRead(client, id, write);
  if (service === undefined) {
    throw new NotFoundError(`cannot tag the leader's service: the agent has no service with id ${JSON.stringify(id)}`, {
      method: 'GET',
      path: `/v1/agent/service/${encodeURIComponent(id)}`,
      status: 404,
    });
  }
  const tags = service.Tags ?? [];
  if (tags.includes(tag) === on) return;
  const definition: ServiceDefinition = {
    Name: service.Service,
    ID: service.ID,
    Tags: on ? [...tags, tag] : tags.filter((t) => t !== tag),
    Port: service.Port,
    Address: service.Address,
  };
  if (service.Meta) definition.Meta = service.Meta;
  if (service.TaggedAddresses) definition.TaggedAddresses = service.TaggedAddresses;
  if (service.Weights) definition.Weights = service.Weights;
  if (service.EnableTagOverride !== undefined) definition.EnableTagOverride = service.EnableTagOverride;
  if (service.Kind) definition.Kind = service.Kind;
  if (service.Proxy) definition.Proxy = service.Proxy;
  if (service.Connect && Object.keys(service.Connect).length > 0) definition.Connect = service.Connect;
  if (service.Namespace) definition['Namespace'] = service.Namespace;
  // checks are left out: the agent keeps the service's checks, and their states, as they are
  await serviceRegister(client, definition, write);
}

/**
 * Campaigns for leadership of `key`: waits until this candidate holds the key's lock (stored with
 * `value`, which observers read), then returns the {@link Leadership}. Candidates that campaign on the same
 * key are elected one at a time; a waiting candidate is elected when the leader resigns or loses the key
 * (after the lock-delay when its session was invalidated).
 * @param key - the election's key (e.g. `service/web/leader`).
 * @param value - what observers learn about the leader (its address, its id…): text, bytes, or JSON.
 * @param options - the lock's options (`ttl`, `lockDelay`, `wait`, `tryOnce`, `signal`, `monitorTimeout`…),
 *   `service` to tag the leader's service registration, and `onError`.
 * @returns the {@link Leadership}, once elected (and the service tagged).
 * @throws {LockHeldError} with `tryOnce` when another candidate leads (or a lock-delay is in effect).
 * @throws {LockTimeoutError} when `wait` runs out.
 * @throws {LockConflictError} when the key exists but is not a lock (a plain key, other flags).
 * @throws {InputError} for an empty key, a bad `service` or bad lock options, before sending.
 * @throws {NotFoundError} with `service`, when the agent has no service with that id (leadership is resigned first).
 * @throws the `signal`'s reason when aborted while waiting.
 * @see https://developer.hashicorp.com/consul/docs/dynamic-app-config/sessions/application-leader-election
 * @see https://developer.hashicorp.com/consul/api-docs/agent/service#register-service
 * @example
 * ```ts
 * import { campaign } from 'consulate/election';
 *
 * for (;;) {
 *   await using leadership = await campaign(client, 'service/report/leader', 'host-1:8080', {
 *     service: { id: 'report-1' }, // tagged `leader` while leading
 *   });
 *   await runAsLeader({ signal: leadership.signal }); // returns when leadership is lost
 * }
 * ```
 */
export async function campaign(client: Client, key: string, value: KVValue, options: CampaignOptions = {}): Promise<Leadership> {
  const k = electionKey(key);
  const { service, onError, ...lockOptions } = options;
  const tag = service?.tag ?? DEFAULT_LEADER_TAG;
  if (service !== undefined) {
    if (typeof service !== 'object' || service === null || typeof service.id !== 'string' || service.id === '') {
      throw new InputError('service must be { id, tag? } with the id of a service registered with the agent');
    }
    if (typeof tag !== 'string' || tag === '') throw new InputError('service.tag must be a non-empty string');
  }
  // agent endpoints act on the agent this client talks to: no datacenter
  const { datacenter: _datacenter, ...tagWrite } = writeOptions(options);
  const held = await lock(client, k, { ...lockOptions, value });

  // tag changes run one after the other, so that a removal after a loss never precedes the addition
  let tagging: Promise<void> = Promise.resolve();
  const retag = (on: boolean): Promise<void> => {
    const next = tagging.then(() => setServiceTag(client, service!.id, tag, on, tagWrite));
    tagging = next.catch(() => undefined);
    return next;
  };

  if (service !== undefined) {
    try {
      await retag(true);
    } catch (error) {
      await held.release().catch(() => undefined);
      throw error;
    }
  }

  let resigning = false;
  let untagAfterLoss: Promise<unknown> | undefined;
  const onEnd = (): void => {
    if (resigning || service === undefined) return;
    untagAfterLoss = retag(false).then(
      () => undefined,
      (error: unknown) => {
        if (onError) onError(error);
        else return { error };
        return undefined;
      },
    );
  };
  if (held.signal.aborted) onEnd();
  else held.signal.addEventListener('abort', onEnd, { once: true });

  let resigned: Promise<void> | undefined;
  const resign = (): Promise<void> => {
    resigned ??= (async () => {
      if (held.signal.aborted || service === undefined) {
        // lost (the tag is being removed already), or nothing to untag
        held.signal.removeEventListener('abort', onEnd);
        await held.release();
        const failed = (await untagAfterLoss) as { error: unknown } | undefined;
        if (failed) throw failed.error;
        return;
      }
      resigning = true;
      let untagError: { error: unknown } | undefined;
      try {
        await retag(false);
      } catch (error) {
        untagError = { error };
      }
      await held.release();
      if (untagError) throw untagError.error;
    })();
    return resigned;
  };

  return {
    key: k,
    session: held.session,
    fencingToken: held.fencingToken,
    signal: held.signal,
    txn: (ops: TxnInput, txnOptions?: TxnOptions) => held.txn(ops, txnOptions),
    resign,
    [asyncDispose]: resign,
  };
}

/**
 * Who leads the election on `key` now (one read): the leader's value, session and fencing token, or
 * `undefined` when nobody does.
 * @param key - the election's key.
 * @returns the {@link Leader} or `undefined`, with the read's `meta`.
 * @throws {InputError} for an empty key.
 * @throws what a KV read throws (`ForbiddenError` without read access to the key…).
 * @see https://developer.hashicorp.com/consul/api-docs/kv#read-key
 * @example
 * ```ts
 * const { data: current } = await leader(client, 'service/report/leader');
 * console.log(current ? `led by ${current.value}` : 'no leader');
 * ```
 */
export async function leader(client: Client, key: string, options: ReadOptions = {}): Promise<Result<Leader | undefined>> {
  const k = electionKey(key);
  const { data, meta } = await getRecord(client, k, options);
  return { data: leaderOf(k, data), meta };
}

/**
 * Follows the election on `key` without campaigning: yields the current leader (or `undefined` when
 * nobody leads) at once, then each change — a new leader, a new value, or no leader (between a loss and
 * the next election) — with blocking queries ({@link watch}: transient errors retried with backoff).
 * @param key - the election's key.
 * @param options - the watch's options (`signal`, `wait`, `onError`, `backoff`…) and the reads' (token, datacenter, consistency…).
 * @returns an async iterator; `break` (or `signal`) stops it and cancels the read in flight.
 * @throws {InputError} for an empty key (at once) or bad watch options.
 * @throws from the iteration: what {@link watch} throws (a `ForbiddenError` without read access…).
 * @see https://developer.hashicorp.com/consul/api-docs/features/blocking
 * @example
 * ```ts
 * for await (const current of observe(client, 'service/report/leader', { signal })) {
 *   console.log(current ? `leader: ${current.value} (token ${current.fencingToken})` : 'no leader');
 * }
 * ```
 */
export function observe(client: Client, key: string, options: WatchOptions = {}): AsyncGenerator<Leader | undefined, void, undefined> {
  const k = electionKey(key);
  const updates = watch(client, (c, o) => getRecord(c, k, o), options);
  return (async function* follow(): AsyncGenerator<Leader | undefined, void, undefined> {
    let last: { leader: Leader | undefined } | undefined;
    try {
      for await (const { data } of updates) {
        const current = leaderOf(k, data);
        if (last !== undefined && sameLeader(last.leader, current)) continue;
        last = { leader: current };
        yield current;
      }
    } finally {
      await updates.return();
    }
  })();
}
