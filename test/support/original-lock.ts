// The Python consulate's Lock (gmr/consulate 1.0.0: consulate/api/lock.py, with the requests that
// api/session.py, api/base.py and adapters.py make for it), request for request on the wire, so tests
// can hold and contend for a lock exactly as the original does — its `consul.lock.acquire(key)` and
// its CLI's `run_once`, which calls `consul.lock.prefix('')` first.
//
// What the original sends:
// - `PUT /v1/session/create` with the body `{"Behavior": "release"}` (json.dumps of its payload; sent
//   as `application/x-www-form-urlencoded`, because adapters.put picks the content type after
//   prepare_data has turned the dict into a string): no Name, no TTL, Consul's default 15 s lock-delay;
// - `PUT /v1/kv/<prefix>/<key>?acquire=<session>` with the lock's value as the body (none by default),
//   no `?flags` (so Consul stores flags 0); the key is not escaped and is joined with '/', so with
//   prefix '' the path is `/v1/kv//<key>`: Consul answers 301 to `/v1/kv/<key>?acquire=…`, which
//   requests follows keeping PUT (and DELETE) but dropping the body;
// - `false` (or any non-200 answer but 400/401/403/500, which raise) → `PUT /v1/session/destroy/<session>`
//   and `LockFailure` (run_once: "Cannot obtain the required lock. Exiting", exit 2);
// - release: `PUT …?release=<session>` (no body), `DELETE /v1/kv/<prefix>/<key>`, `PUT /v1/session/destroy/<session>`.
// Not simulated: `?dc=`/`?token=` (the tests use neither).

const CONTENT_FORM = 'application/x-www-form-urlencoded; charset=utf-8';
const CONTENT_JSON = 'application/json; charset=utf-8';

/** One request as the original's requests.Session sends it, following redirects the way requests does. */
async function send(address: string, method: 'PUT' | 'DELETE', path: string, data?: string): Promise<Response> {
  let url = `${address}/v1/${path}`;
  let body = data;
  for (let hop = 0; hop < 30; hop++) {
    const headers: Record<string, string> = method === 'PUT' ? { 'Content-Type': body === undefined ? CONTENT_JSON : CONTENT_FORM } : {};
    const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }), redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status !== 301 || location === null) return response;
    await response.arrayBuffer();
    // requests.sessions.SessionRedirectMixin: a 301 keeps PUT and DELETE, and drops the body
    url = new URL(location, url).href;
    body = undefined;
  }
  throw new Error(`too many redirects for ${method} ${path}`);
}

/** The original's `utils.response_ok`: 200 → true; 400, 401, 403, 500 raise; anything else → false. */
async function responseOk(response: Response, what: string): Promise<boolean> {
  if (response.status === 200) return true;
  if ([400, 401, 403, 500].includes(response.status)) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
  return false;
}

/** A lock driven like the Python consulate's `consul.lock`: `prefix('')` then `acquire(key)` is `run_once`'s. */
export interface OriginalLock {
  /** The key in the original's own terms, `'/'.join([prefix, key])` (with prefix '' it starts with '/'). */
  readonly item: string | undefined;
  /** The session it created for the current acquisition. */
  readonly session: string | undefined;
  /** `Lock._acquire(key, value)`: true when acquired; false where the original raises `LockFailure`. */
  acquire(key: string, value?: string): Promise<boolean>;
  /** `Lock._release()`: release, delete the key, destroy the session. */
  release(): Promise<void>;
}

/**
 * The original's `consul.lock` against `address` (`http://host:port`).
 * @param prefix - what `lock.prefix(value)` set: `consulate/locks` by default, `''` for run_once.
 */
export function originalLock(address: string, prefix = 'consulate/locks'): OriginalLock {
  let item: string | undefined;
  let session: string | undefined;
  const destroy = async (id: string): Promise<void> => {
    await responseOk(await send(address, 'PUT', `session/destroy/${id}`), 'session destroy');
  };
  return {
    get item() {
      return item;
    },
    get session() {
      return session;
    },
    async acquire(key: string, value?: string): Promise<boolean> {
      const created = await send(address, 'PUT', 'session/create', JSON.stringify({ Behavior: 'release' }).replace(':', ': '));
      if (!(await responseOk(created, 'session create'))) throw new Error(`session create: ${created.status}`);
      session = ((await created.json()) as { ID: string }).ID;
      item = [prefix, key].join('/');
      const response = await send(address, 'PUT', `kv/${item}?acquire=${session}`, value);
      const acquired = (await responseOk(response, 'acquire')) && (await response.json()) === true;
      if (!acquired) {
        await destroy(session);
        session = undefined;
      }
      return acquired;
    },
    async release(): Promise<void> {
      if (item === undefined || session === undefined) throw new Error('not acquired');
      await responseOk(await send(address, 'PUT', `kv/${item}?release=${session}`), 'release');
      await (await send(address, 'DELETE', `kv/${item}`)).arrayBuffer();
      await destroy(session);
      item = undefined;
      session = undefined;
    },
  };
}
