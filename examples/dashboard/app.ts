/**
 * A live service dashboard in the browser that never looks healthy when it isn't: it lists the
 * catalog's services with their health, kept current by two watches (blocking queries, no polling),
 * and says plainly when it cannot show the truth:
 *
 * - `live` / `empty`: services are shown, or none are visible ("none registered, or hidden from this token");
 * - `denied`: Consul refused the read, or its ACLs filtered every service *and* node away (a running agent
 *   always has at least its own node's `serfHealth` check, so an empty check list means "hidden", not "none");
 * - `unauthorised`: Consul does not know the token (`ACL not found`);
 * - `refused`: the proxy refused the request (its allowlist, origin or limits);
 * - `outage`: the proxy or the agent behind it cannot be reached; the rows stay, marked stale, with the
 *   time of the last successful read and of the last check, and the page reconnects by itself.
 *
 * Each state says what to do (enter a token; check the proxy). A token typed into the page is kept in
 * `sessionStorage` (per proxy origin, gone with the tab) and sent only to that proxy, in `X-Consul-Token`
 * — which the proxy forwards only with `--pass-through-token` (it tells the page its mode in the
 * `X-Proxy-Token-Mode` header). The index shown is Consul's latest, so it goes down after a restart.
 *
 * Consul's API has no CORS support: the page talks to the agent through ../cors-proxy, which also serves
 * it (`node examples/dashboard/serve.mjs`). `?api=<origin>` points it at a proxy on another origin.
 * In your own project, import from 'consulate' instead of '../../src/index.ts'.
 */
import type { HealthCheck, QueryMeta, Result, WatchRead } from '../../src/index.ts';
import { Consul, isConsulError, isForbiddenError, isHttpError, isNetworkError, watch } from '../../src/index.ts';

type State = 'connecting' | 'live' | 'empty' | 'denied' | 'unauthorised' | 'refused' | 'outage' | 'error';

/** What one watch saw last: when it last succeeded, and the error of its latest attempt if that failed. */
interface Feed<T> {
  data: T | undefined;
  lastSuccess: Date | undefined;
  failure: unknown;
}

const params = new URLSearchParams(location.search);
const api = new URL(params.get('api') ?? location.origin).origin;
// one saved token per proxy origin: a link with another ?api= never receives the token typed for this one
const TOKEN_KEY = `consulate-dashboard-token ${api}`;
const RANK: Record<string, number> = { passing: 1, warning: 2, critical: 3 };

let services: Feed<Record<string, string[]>> = emptyFeed();
let checks: Feed<HealthCheck[]> = emptyFeed();
let index: bigint | undefined;
let lastCheck: Date | undefined;
let tokenMode: string | undefined;
let wasDown = false;
let recoveredAt: Date | undefined;
let session: AbortController | undefined;

function emptyFeed<T>(): Feed<T> {
  return { data: undefined, lastSuccess: undefined, failure: undefined };
}

const $ = (id: string): HTMLElement => document.getElementById(id)!;
const time = (date: Date | undefined): string => (date ? date.toLocaleTimeString() : 'never');

function el(tag: string, className: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text; // textContent: names and tags are never parsed as HTML
  return node;
}

function worst(list: HealthCheck[]): string {
  return list.reduce((w, c) => ((RANK[c.Status] ?? 0) > (RANK[w] ?? 0) ? c.Status : w), list.length ? 'passing' : 'none');
}

/** Consul's or the proxy's text of an HTTP error (the proxy's start with `cors proxy:`). */
function textOf(error: unknown): string {
  return (isConsulError(error) ? error.consulMessage ?? error.message : String(error)).trim();
}

const fromProxy = (error: unknown): boolean => isHttpError(error) && textOf(error).startsWith('cors proxy:');

/** The state of the page and what to tell the user. */
function assess(): { state: State; title: string; help: string } {
  const failure = services.failure ?? checks.failure;
  const tokenHelp = tokenMode === 'server'
    ? 'The proxy uses its own token: ask its operator to give that token service:read and node:read.'
    : tokenMode === 'pass-through'
      ? 'Enter a token with service:read and node:read below.'
      : 'The proxy sends no token: start it with --pass-through-token to enter one here, or with --token-file.';
  if (failure !== undefined) {
    const text = textOf(failure);
    if (fromProxy(failure)) {
      if (isHttpError(failure) && (failure.status === 502 || failure.status === 504)) {
        return { state: 'outage', title: `The proxy cannot reach the Consul agent (${text.replace(/^cors proxy:\s*/, '')})`, help: `Check the Consul agent that the proxy at ${api} forwards to. Retrying…` };
      }
      if (isHttpError(failure) && failure.status === 429) {
        return { state: 'outage', title: 'The proxy is limiting this page\'s open requests', help: 'Close other tabs of this dashboard. Retrying…' };
      }
      return { state: 'refused', title: `The proxy refused the request: ${text.replace(/^cors proxy:\s*/, '')}`, help: 'Check the proxy\'s allowlist (--allow-read) and origins (--allow-origin).' };
    }
    if (isForbiddenError(failure) && /ACL not found/i.test(text)) {
      return { state: 'unauthorised', title: 'Consul does not know this token (403 ACL not found)', help: tokenHelp };
    }
    if (isForbiddenError(failure)) return { state: 'denied', title: `Consul denied the read (403 ${text})`, help: tokenHelp };
    if (isNetworkError(failure)) {
      return { state: 'outage', title: `Cannot reach the proxy at ${api}`, help: 'Check that the proxy is running and allows this page\'s origin. Retrying…' };
    }
    if (isHttpError(failure) && ((failure.status ?? 0) >= 500 || failure.status === 429)) {
      return { state: 'outage', title: `Consul answered ${failure.status}: ${text}`, help: 'Retrying…' };
    }
    if (isConsulError(failure) && failure.kind === 'TimeoutError') return { state: 'outage', title: 'The agent did not answer in time', help: 'Retrying…' };
    return { state: 'error', title: `Unexpected answer: ${text}`, help: `Check the proxy's address (${api}) and path prefix (/consul).` };
  }
  if (!services.data || !checks.data) return { state: 'connecting', title: 'connecting…', help: '' };
  if (Object.keys(services.data).length === 0 && checks.data.length === 0) {
    return {
      state: 'denied',
      title: 'Nothing is visible: Consul\'s ACLs hide every service and node from this token',
      help: `Consul filters lists without saying so; a running agent always shows its own node. ${tokenHelp}`,
    };
  }
  if (Object.keys(services.data).length === 0) {
    return { state: 'empty', title: 'No services visible', help: 'None are registered, or this token may not read them.' };
  }
  return { state: 'live', title: '', help: '' };
}

function render(): void {
  const { state, title, help } = assess();
  const down = state === 'outage' || state === 'denied' || state === 'unauthorised' || state === 'refused' || state === 'error';
  const failing = (services.failure ?? checks.failure) !== undefined;
  // rows from an earlier read, while the latest check failed: stale
  const stale = failing && (services.data !== undefined || checks.data !== undefined);
  document.body.dataset['state'] = state;
  const lastSuccess = [services.lastSuccess, checks.lastSuccess].filter((d): d is Date => !!d).sort((a, b) => +a - +b)[0];

  const rows: HTMLElement[] = [];
  const all = checks.data ?? [];
  for (const name of Object.keys(services.data ?? {}).sort()) {
    const own = all.filter((c) => c.ServiceName === name);
    const status = worst(own);
    const row = el('tr', stale ? 'stale' : '');
    row.dataset['service'] = name;
    row.dataset['status'] = status;
    if (stale) row.dataset['stale'] = 'true';
    row.append(el('td', 'name', name));
    const health = el('td', '');
    health.append(el('span', `badge ${status}`, status === 'none' ? 'no checks' : status));
    row.append(health);
    const counts = ['passing', 'warning', 'critical']
      .map((s) => [s, own.filter((c) => c.Status === s).length] as const)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`);
    row.append(el('td', 'checks', counts.join(' · ') || '—'));
    const tags = el('td', '');
    // sorted: Consul's /v1/catalog/services gathers tags through a Go map, in no stable order
    for (const tag of [...(services.data?.[name] ?? [])].sort()) tags.append(el('span', 'tag', tag));
    row.append(tags);
    rows.push(row);
  }
  $('services').replaceChildren(...rows);

  const nodeChecks = all.filter((c) => c.ServiceID === '');
  $('node').textContent = nodeChecks.length ? `node ${nodeChecks[0]!.Node}: ${worst(nodeChecks)}${stale ? ' (stale)' : ''}` : '';
  $('node').className = stale ? 'stale' : '';

  const count = `${rows.length} service${rows.length === 1 ? '' : 's'}`;
  const status = $('status');
  status.dataset['index'] = index === undefined ? '' : String(index);
  status.textContent = state === 'connecting'
    ? 'connecting…'
    : `${down ? state : `${state} · ${count}`}${index === undefined ? '' : ` · index ${index}`}${recoveredAt && !down ? ` · reconnected at ${time(recoveredAt)}` : ''}`;
  status.className = down ? 'error' : '';

  const checked = $('checked');
  checked.textContent = stale
    ? `stale — last successful read ${time(lastSuccess)}, last check ${time(lastCheck)} failed`
    : lastCheck ? `checked ${time(lastCheck)}` : '';
  checked.className = stale ? 'stale' : '';
  if (lastSuccess) checked.dataset['lastSuccess'] = lastSuccess.toISOString();
  if (lastCheck) checked.dataset['lastCheck'] = lastCheck.toISOString();

  $('notice').hidden = !title || state === 'connecting';
  $('notice-title').textContent = title;
  $('notice-help').textContent = help;
  $('notice').className = state === 'empty' ? 'info' : 'problem';

  const saved = sessionStorage.getItem(TOKEN_KEY);
  $('token-form').hidden = tokenMode !== 'pass-through';
  $('token-state').textContent = saved ? 'a token is set for this tab' : 'no token (anonymous)';
  $('forget').hidden = !saved;
  // an outage is retried by the watches; any other failure ended them (a retry cannot fix it by itself)
  $('retry').hidden = !failing || state === 'outage';
}

/** `fetch` that notes the proxy's token mode from every response (success or not). */
const observingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  tokenMode = response.headers.get('X-Proxy-Token-Mode') ?? tokenMode;
  return response;
};

/** Wraps a read so that every successful answer is noted (also those the watch does not yield: same data, new index). */
function observed<T>(feed: () => Feed<T>, read: WatchRead<T>): WatchRead<T> {
  return async (client, options) => {
    const result: Result<T> = await read(client, options);
    succeeded(feed(), result.meta);
    return result;
  };
}

function succeeded<T>(feed: Feed<T>, meta: QueryMeta): void {
  const now = new Date();
  lastCheck = now;
  feed.lastSuccess = now;
  feed.failure = undefined;
  // Consul's index as it is: after a restart (or a restored snapshot) it goes down, and so does the page's
  if (meta.index !== undefined) index = meta.index;
  if (wasDown && services.failure === undefined && checks.failure === undefined) {
    wasDown = false;
    recoveredAt = now;
  }
  render();
}

function failed<T>(feed: Feed<T>, error: unknown): void {
  lastCheck = new Date();
  feed.failure = error;
  wasDown = true;
  recoveredAt = undefined;
  render();
}

/** (Re)starts both watches with the token saved for this proxy, if any. */
function start(): void {
  session?.abort();
  const stop = new AbortController();
  session = stop;
  services = emptyFeed();
  checks = emptyFeed();
  index = undefined;
  wasDown = false;
  recoveredAt = undefined;
  const token = sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  const consul = new Consul({ address: api, pathPrefix: '/consul', retry: 0, fetch: observingFetch, ...(token ? { token } : {}) });
  // a dashboard wants to notice a recovery within seconds, not after a 30 s backoff
  const options = { signal: stop.signal, backoff: { min: 500, max: 5000 } };
  const follow = async <T>(feed: () => Feed<T>, read: WatchRead<T>): Promise<void> => {
    const onError = (error: unknown): void => {
      if (!stop.signal.aborted) failed(feed(), error);
    };
    try {
      for await (const { data } of watch(consul.client, observed(feed, read), { ...options, onError })) {
        feed().data = data;
        render();
      }
    } catch {
      // an error a retry cannot fix (403, 400, 404) ends the watch; it is on screen already (onError)
    }
  };
  void follow(() => services, (_client, o) => consul.catalog.services(o));
  void follow(() => checks, (_client, o) => consul.health.state('any', o));
  render();
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('token') as HTMLInputElement;
  const value = input.value.trim();
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  input.value = '';
  start();
});
$('forget').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  start();
});
$('retry').addEventListener('click', () => start());
addEventListener('pagehide', () => session?.abort());
start();
