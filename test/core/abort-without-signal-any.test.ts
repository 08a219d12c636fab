// An aborted read in a runtime without `AbortSignal.any` (Vercel's edge runtime, Safari < 17.4, Node < 20.3),
// against the real agent. ky looks for `AbortSignal.any` once, when it loads; without it ky neither waits
// out a retry's backoff on the caller's signal nor stops retrying once it has aborted: it sent the aborted
// read again after each backoff (0.3 s, then 0.6 s). In the edge runtime the retry's cloned Request can
// lose its link to the signal when garbage is collected (nodejs/undici#4068), and the "aborted" read then
// waited out Consul's whole wait. So ky is loaded here with `AbortSignal.any` hidden, and what reaches
// `fetch` is counted.
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type * as Consulate from '../../src/index.ts';
// nothing here may import src/ (or ../support/client.ts, which does) statically: ky would load before
// `AbortSignal.any` is hidden

let lib: typeof Consulate;
const signalAny = Object.getOwnPropertyDescriptor(AbortSignal, 'any');

beforeAll(async () => {
  // hidden while ky (through src/index.ts) is evaluated: ky reads it at load time only
  delete (AbortSignal as { any?: unknown }).any;
  vi.resetModules();
  try {
    lib = await import('../../src/index.ts');
  } finally {
    Object.defineProperty(AbortSignal, 'any', signalAny!);
  }
  // the premise: the ky the client uses was loaded without it (not already loaded by an earlier import)
  const constants = new URL('./core/constants.js', import.meta.resolve('ky'));
  const { supportsAbortSignal } = (await import(/* @vite-ignore */ constants.href)) as { supportsAbortSignal: boolean };
  expect(supportsAbortSignal).toBe(false);
});

afterAll(() => {
  vi.resetModules();
});

/** A key no other test uses. */
const uniqueKey = (name: string): string => `test/${name}-${process.pid}-${Date.now().toString(36)}/k`;

/** Writes a key with raw HTTP, bypassing the code under test. */
async function put(key: string, value: string): Promise<void> {
  const response = await fetch(`${inject('consulAddress')}/v1/kv/${key}`, { method: 'PUT', body: value });
  expect(response.status).toBe(200);
  await response.text();
}

/** A client on the shared agent whose every `fetch` call is counted. */
function countingClient(): { client: Consulate.Client; calls: () => number } {
  let calls = 0;
  const client = lib.createClient({
    address: inject('consulAddress'),
    retry: { limit: 2 },
    fetch: (input, init) => {
      calls++;
      return fetch(input, init);
    },
  });
  return { client, calls: () => calls };
}

describe('abort where the runtime has no AbortSignal.any', () => {
  it('rejects a blocking read with the caller\'s reason and does not send it again', async () => {
    const key = uniqueKey('abort-no-any');
    await put(key, 'v');
    const { client, calls } = countingClient();
    const consul = new lib.Consul(client);
    const { meta } = await consul.kv.get(key);
    expect(calls()).toBe(1);
    expect(meta.index).toBeDefined();
    const controller = new AbortController();
    const reason = new Error('stopped by the test');
    const pending = consul.kv.get(key, { index: meta.index!, wait: '30s', signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);
    expect(calls()).toBe(2); // the first get and the aborted read: no retry after the abort
  });

  it('sends nothing more when the caller aborts during a retry\'s backoff', async () => {
    // scripted: a 503 (retried) is what the agent cannot give on demand
    let calls = 0;
    const client = lib.createClient({
      address: inject('consulAddress'),
      retry: { limit: 2 },
      fetch: async () => {
        calls++;
        return new Response('No cluster leader', { status: 503 });
      },
    });
    const controller = new AbortController();
    const reason = new Error('stopped during the backoff');
    const pending = new lib.Consul(client).kv.get('any', { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50); // the first backoff is 300 ms
    await expect(pending).rejects.toBe(reason);
    expect(calls).toBe(1);
  });

  it('ends a watch cleanly on abort without sending its blocking read again', async () => {
    const key = uniqueKey('abort-no-any-watch');
    await put(key, 'v');
    const { client, calls } = countingClient();
    const consul = new lib.Consul(client);
    const controller = new AbortController();
    const values: unknown[] = [];
    let callsAtAbort = -1;
    for await (const { data } of consul.watch.key(key, { wait: '30s', signal: controller.signal })) {
      values.push(data);
      if (values.length === 1) {
        setTimeout(() => {
          callsAtAbort = calls();
          controller.abort();
        }, 100);
      }
    }
    expect(values).toEqual(['v']);
    expect(callsAtAbort).toBeGreaterThan(1); // the abort came while the blocking read was in flight
    expect(calls()).toBe(callsAtAbort);
  });
});
