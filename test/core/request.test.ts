// The request pipeline under conditions a real agent cannot produce on demand (msw).
import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import * as kv from '../../src/endpoints/kv.ts';
import { send } from '../../src/core/request.ts';
import {
  createClient,
  isBadRequestError,
  isConflictError,
  isForbiddenError,
  isHttpError,
  isNetworkError,
  isNotFoundError,
  isResponseValidationError,
  isServerError,
  isTimeoutError,
  isTooManyRequestsError,
} from '../../src/index.ts';
import type { ConsulError } from '../../src/index.ts';
import { MOCK, useMsw } from '../support/msw.ts';

const server = useMsw();
const client = createClient({ address: MOCK, retry: { limit: 2, backoffLimit: 10 } });
const pair = { Key: 'k', CreateIndex: 1, ModifyIndex: 2, LockIndex: 0, Flags: 0, Value: btoa('v') };

async function failure(promise: Promise<unknown>): Promise<ConsulError> {
  try {
    await promise;
  } catch (error) {
    return error as ConsulError;
  }
  throw new Error('expected a rejection');
}

describe('token handling', () => {
  it('sends the token only in X-Consul-Token, never in the URL', async () => {
    const seen: Request[] = [];
    server.use(http.get(`${MOCK}/v1/kv/k`, ({ request }) => {
      seen.push(request.clone());
      return new HttpResponse('v', { headers: { 'X-Consul-Index': '5' } });
    }));
    const secret = 'b9a3c8e2-6a1d-4f43-9f57-5f5f1c2e0a11';
    await kv.get(createClient({ address: MOCK, token: secret }), 'k');
    await kv.get(client, 'k', { token: 'per-call-token' });
    expect(seen[0]!.headers.get('x-consul-token')).toBe(secret);
    expect(seen[0]!.url).not.toContain(secret);
    expect(seen[0]!.url).not.toMatch(/token/i);
    expect(seen[1]!.headers.get('x-consul-token')).toBe('per-call-token');
  });

  it('keeps the token out of error messages and paths', async () => {
    const secret = 'top-secret-token-value';
    server.use(http.get(`${MOCK}/v1/kv/k`, () => new HttpResponse('Permission denied', { status: 403 })));
    const error = await failure(kv.get(createClient({ address: MOCK, token: secret }), 'k'));
    expect(isForbiddenError(error)).toBe(true);
    expect(`${error.message} ${error.path} ${String(error.stack)} ${JSON.stringify(error)}`).not.toContain(secret);
  });
});

describe('retries', () => {
  it('retries idempotent reads on 503 and succeeds', async () => {
    let calls = 0;
    server.use(http.get(`${MOCK}/v1/kv/k`, () => (++calls < 3 ? new HttpResponse('busy', { status: 503 }) : HttpResponse.text('v'))));
    expect((await kv.get(client, 'k')).data).toBe('v');
    expect(calls).toBe(3);
  });

  it('honours Retry-After on 429, then gives a TooManyRequestsError when retries run out', async () => {
    let calls = 0;
    server.use(http.get(`${MOCK}/v1/kv/k`, () => {
      calls++;
      return new HttpResponse('rate limit exceeded', { status: 429, headers: { 'Retry-After': '0' } });
    }));
    const error = await failure(kv.get(client, 'k'));
    expect(isTooManyRequestsError(error)).toBe(true);
    expect(error.status).toBe(429);
    expect(calls).toBe(3);
  });

  it('never replays a write (PUT with ?cas, acquire, plain PUT, DELETE)', async () => {
    let puts = 0;
    let deletes = 0;
    server.use(
      http.put(`${MOCK}/v1/kv/k`, () => { puts++; return new HttpResponse('unavailable', { status: 503 }); }),
      http.delete(`${MOCK}/v1/kv/k`, () => { deletes++; return new HttpResponse('unavailable', { status: 503 }); }),
    );
    expect(isServerError(await failure(kv.set(client, 'k', 'v', { cas: 5 })))).toBe(true);
    await failure(kv.acquireLock(client, 'k', 'session-id'));
    await failure(kv.set(client, 'k', 'v'));
    await failure(kv.delete(client, 'k'));
    expect(puts).toBe(3);
    expect(deletes).toBe(1);
  });

  it('does not retry a 500 (Consul reports validation failures as 500)', async () => {
    let calls = 0;
    server.use(http.get(`${MOCK}/v1/kv/k`, () => { calls++; return new HttpResponse('strconv.ParseUint: parsing "x"', { status: 500 }); }));
    const error = await failure(kv.get(client, 'k'));
    expect(isServerError(error)).toBe(true);
    expect(error.consulMessage).toBe('strconv.ParseUint: parsing "x"');
    expect(calls).toBe(1);
  });

  it('gives an endpoint a retryable status it takes as data at once (not retried)', async () => {
    let calls = 0;
    server.use(http.get(`${MOCK}/v1/agent/health/service/name/web`, () => { calls++; return HttpResponse.json([], { status: 503 }); }));
    const { response } = await send(client, { path: 'agent/health/service/name/web', accept: [503] });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual([]);
    expect(calls).toBe(1);
  });

  it("caps a blocking read's Retry-After at its own timeout (wait included), not at the client's", async () => {
    const arrivals: number[] = [];
    server.use(http.get(`${MOCK}/v1/kv/k`, () => {
      arrivals.push(performance.now());
      return arrivals.length === 1
        ? new HttpResponse('rate limit exceeded', { status: 429, headers: { 'Retry-After': '1' } })
        : new HttpResponse('v', { headers: { 'X-Consul-Index': '7' } });
    }));
    // timeout 300 ms: a plain read would wait at most 300 ms; this one's timeout is 300 + 1 s + 1 s/16
    const blocking = createClient({ address: MOCK, timeout: 300, retry: { limit: 1 } });
    expect((await kv.get(blocking, 'k', { index: 5, wait: '1s' })).data).toBe('v');
    expect(arrivals).toHaveLength(2);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(900);
  });

  it('retries network failures of reads, then throws NetworkError with the cause', async () => {
    let calls = 0;
    server.use(http.get(`${MOCK}/v1/kv/k`, () => { calls++; return HttpResponse.error(); }));
    const error = await failure(kv.get(client, 'k'));
    expect(isNetworkError(error)).toBe(true);
    expect(error.cause).toBeInstanceOf(Error);
    expect(error.message).toMatch(/GET \/v1\/kv\/k failed/);
    expect(calls).toBe(3);
  });
});

describe('error mapping', () => {
  it.each([
    [400, 'Invalid wait time', isBadRequestError],
    [403, 'ACL not found', isForbiddenError],
    [404, '', isNotFoundError],
    [409, 'conflict', isConflictError],
    [500, 'Invalid Session TTL', isServerError],
    [502, 'bad gateway', isServerError],
  ])('maps %i to its class with method, path, status and Consul text', async (status, text, guard) => {
    server.use(http.get(`${MOCK}/v1/status/leader`, () => new HttpResponse(text, { status })));
    const error = await failure(send(client, { path: 'status/leader', params: { x: 'y' } }));
    expect(guard(error)).toBe(true);
    expect(isHttpError(error)).toBe(true);
    expect(error).toMatchObject({ method: 'GET', status, path: '/v1/status/leader?x=y' });
    expect(error.consulMessage).toBe(text);
    if (text) expect(error.message).toContain(text);
  });

  it('turns an HTML error page from a proxy into a readable message', async () => {
    server.use(http.get(`${MOCK}/v1/kv/k`, () => new HttpResponse(
      '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>nginx</p></body></html>',
      { status: 502, headers: { 'Content-Type': 'text/html' } },
    )));
    const error = await failure(createClient({ address: MOCK, retry: 0 }) && kv.get(createClient({ address: MOCK, retry: 0 }), 'k'));
    expect(isServerError(error)).toBe(true);
    expect(error.consulMessage).toBe('502 Bad Gateway');
    expect(error.message).not.toContain('<');
  });

  it('does not follow redirects and says why', async () => {
    server.use(http.put(`${MOCK}/v1/kv/a`, () => new HttpResponse(null, { status: 301, headers: { Location: '/v1/kv/b' } })));
    const error = await failure(kv.set(client, 'a', 'v'));
    expect(isHttpError(error)).toBe(true);
    expect(error.message).toMatch(/redirect/);
  });
});

describe('response validation', () => {
  it('reports a malformed JSON body as ResponseValidationError, not a parse crash', async () => {
    server.use(http.get(`${MOCK}/v1/kv/p`, () => new HttpResponse('[{"Key": "p", ', { headers: { 'Content-Type': 'application/json' } })));
    const error = await failure(kv.records(client, 'p'));
    expect(isResponseValidationError(error)).toBe(true);
    expect(error.message).toMatch(/not JSON/);
  });

  it('checks the shape with valibot and names the offending field', async () => {
    server.use(http.get(`${MOCK}/v1/kv/p`, () => HttpResponse.json([{ ...pair, Flags: 'seven' }])));
    const error = await failure(kv.records(client, 'p'));
    expect(isResponseValidationError(error)).toBe(true);
    expect((error as unknown as { issues: { path: string }[] }).issues[0]!.path).toBe('0.Flags');
  });

  it('can be switched off', async () => {
    server.use(http.get(`${MOCK}/v1/kv/p`, () => HttpResponse.json([{ ...pair, Extra: true, LockIndex: 'x' }])));
    const loose = createClient({ address: MOCK, validateResponses: false });
    expect((await kv.records(loose, 'p')).data[0]!.Key).toBe('k');
  });
});

describe('timeouts and abort', () => {
  it('times out a slow plain request with TimeoutError', async () => {
    server.use(http.get(`${MOCK}/v1/kv/slow`, async () => { await delay(400); return HttpResponse.text('v'); }));
    const error = await failure(kv.get(createClient({ address: MOCK, timeout: 50, retry: 0 }), 'slow'));
    expect(isTimeoutError(error)).toBe(true);
  });

  it('derives a blocking read timeout from its wait instead of cutting it at the default', async () => {
    server.use(http.get(`${MOCK}/v1/kv/block`, async ({ request }) => {
      expect(new URL(request.url).searchParams.get('wait')).toBe('1s');
      await delay(300);
      return new HttpResponse('v', { headers: { 'X-Consul-Index': '9' } });
    }));
    const fast = createClient({ address: MOCK, timeout: 50, retry: 0 });
    const { data, meta } = await kv.get(fast, 'block', { index: 5, wait: '1s' });
    expect(data).toBe('v');
    expect(meta.index).toBe(9n);
  });

  it('rejects with the abort reason when the caller aborts', async () => {
    server.use(http.get(`${MOCK}/v1/kv/hang`, async () => { await delay(5000); return HttpResponse.text('v'); }));
    const controller = new AbortController();
    const pending = kv.get(client, 'hang', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop now')), 20);
    await expect(pending).rejects.toThrow('stop now');
  });
});

describe('query options', () => {
  it('puts the common read options on the query string', async () => {
    let url: URL | undefined;
    server.use(http.get(`${MOCK}/v1/kv/k`, ({ request }) => { url = new URL(request.url); return HttpResponse.text('v'); }));
    const dcClient = createClient({ address: MOCK, datacenter: 'dc9', namespace: 'team', partition: 'part' });
    await kv.get(dcClient, 'k', { consistency: 'stale', index: 18446744073709551615n, wait: 2500, filter: 'Key == "k"', near: '_agent', nodeMeta: { rack: 'r1', az: 'a' }, cached: true });
    const q = url!.searchParams;
    expect(q.get('dc')).toBe('dc9');
    expect(q.get('ns')).toBe('team');
    expect(q.get('partition')).toBe('part');
    expect(q.has('stale')).toBe(true);
    expect(q.get('index')).toBe('18446744073709551615');
    expect(q.get('wait')).toBe('2500ms');
    expect(q.get('filter')).toBe('Key == "k"');
    expect(q.get('near')).toBe('_agent');
    expect(q.getAll('node-meta')).toEqual(['rack:r1', 'az:a']);
    expect(q.has('cached')).toBe(true);
    expect(q.has('raw')).toBe(true);
    await kv.get(dcClient, 'k', { datacenter: 'other', namespace: 'team-b', partition: 'part-b', consistency: 'consistent' });
    // per-call options use the client config's words and override its defaults
    expect(url!.searchParams.get('dc')).toBe('other');
    expect(url!.searchParams.get('ns')).toBe('team-b');
    expect(url!.searchParams.get('partition')).toBe('part-b');
    expect(url!.searchParams.has('consistent')).toBe(true);
  });

  it('keeps the query string on runtimes whose URLSearchParams has no size (Safari < 17)', async () => {
    let url: URL | undefined;
    server.use(http.put(`${MOCK}/v1/kv/k`, ({ request }) => { url = new URL(request.url); return HttpResponse.json(false); }));
    const descriptor = Object.getOwnPropertyDescriptor(URLSearchParams.prototype, 'size')!;
    Object.defineProperty(URLSearchParams.prototype, 'size', { configurable: true, get: () => undefined });
    try {
      await kv.set(client, 'k', 'v', { cas: 7, flags: 3 });
    } finally {
      Object.defineProperty(URLSearchParams.prototype, 'size', descriptor);
    }
    expect(url!.searchParams.get('cas')).toBe('7');
    expect(url!.searchParams.get('flags')).toBe('3');
  });

  it('turns cached maxAge/staleIfError durations into Cache-Control seconds', async () => {
    let control: string | null = null;
    server.use(http.get(`${MOCK}/v1/kv/k`, ({ request }) => { control = request.headers.get('cache-control'); return HttpResponse.text('v'); }));
    await kv.get(client, 'k', { cached: { maxAge: '1m30s', staleIfError: 2500 } });
    expect(control).toBe('max-age=90, stale-if-error=3');
    await expect(kv.get(client, 'k', { cached: { maxAge: 'abc' } })).rejects.toThrow(/Go duration/);
  });

  it('refuses a bad wait before sending', async () => {
    await expect(kv.get(client, 'k', { wait: '10' })).rejects.toThrow(/Go duration/);
  });

  it('works behind a path prefix (CORS proxy)', async () => {
    server.use(http.get(`${MOCK}/consul/v1/kv/k`, () => HttpResponse.text('proxied')));
    expect((await kv.get(createClient({ address: MOCK, pathPrefix: '/consul/' }), 'k')).data).toBe('proxied');
  });
});
