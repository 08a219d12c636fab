/**
 * A live service dashboard in the browser: lists the catalog's services with their health and keeps
 * the table current through two watches (blocking queries: the page is updated the moment Consul
 * changes, with no polling). Consul's API has no CORS support, so the page talks to the agent through
 * the CORS proxy in ../cors-proxy, which also serves this page: `node examples/dashboard/serve.mjs`.
 *
 * `?api=<origin>` points the page at a proxy on another origin (default: the page's own origin).
 * With ACLs on, give the client a read-only token (`new Consul({ …, token })`) from your own login
 * flow — never from the URL.
 * In your own project, import from 'consulate' instead of '../../src/index.ts'.
 */
import { Consul, isConsulError } from '../../src/index.ts';

/** The fields of a health check this page shows. */
interface Check {
  CheckID: string;
  Name: string;
  Status: string;
  ServiceID: string;
  ServiceName: string;
  Node: string;
}

const params = new URLSearchParams(location.search);
const consul = new Consul({ address: params.get('api') ?? location.origin, pathPrefix: '/consul' });
const stop = new AbortController();
addEventListener('pagehide', () => stop.abort());

let services: Record<string, string[]> | undefined;
let checks: Check[] | undefined;
let index: bigint | undefined;

const $ = (id: string): HTMLElement => document.getElementById(id)!;
const RANK: Record<string, number> = { passing: 1, warning: 2, critical: 3 };

function el(tag: string, className: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text; // textContent: names and tags are never parsed as HTML
  return node;
}

function worst(list: Check[]): string {
  return list.reduce((w, c) => ((RANK[c.Status] ?? 0) > (RANK[w] ?? 0) ? c.Status : w), list.length ? 'passing' : 'none');
}

function setStatus(text: string, error = false): void {
  $('status').textContent = text;
  $('status').classList.toggle('error', error);
}

function render(): void {
  if (!services || !checks) return;
  const body = $('services');
  const rows: HTMLElement[] = [];
  for (const name of Object.keys(services).sort()) {
    const own = checks.filter((c) => c.ServiceName === name);
    const status = worst(own);
    const row = el('tr', '');
    row.dataset['service'] = name;
    row.dataset['status'] = status;
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
    for (const tag of services[name] ?? []) tags.append(el('span', 'tag', tag));
    row.append(tags);
    rows.push(row);
  }
  body.replaceChildren(...rows);
  $('empty').hidden = rows.length > 0;
  const nodeChecks = checks.filter((c) => c.ServiceID === '');
  $('node').textContent = nodeChecks.length ? `node ${nodeChecks[0]!.Node}: ${worst(nodeChecks)}` : '';
  setStatus(`live · ${rows.length} service${rows.length === 1 ? '' : 's'} · index ${index ?? '?'} · ${new Date().toLocaleTimeString()}`);
}

const onError = (error: unknown): void => {
  setStatus(`reconnecting… (${isConsulError(error) ? `${error.kind}: ${error.message}` : String(error)})`, true);
};

/** Applies every result of a watch and re-renders; the watch itself retries with backoff. */
async function follow<T>(iterator: AsyncIterable<{ data: T; meta: { index: bigint | undefined } }>, apply: (data: T) => void): Promise<void> {
  for await (const { data, meta } of iterator) {
    apply(data);
    if (meta.index !== undefined && (index === undefined || meta.index > index)) index = meta.index;
    render();
  }
}

void follow(consul.watch.services({ signal: stop.signal, onError }), (data) => {
  services = data;
});
void follow(consul.watch.checksInState('any', { signal: stop.signal, onError }), (data) => {
  checks = data as Check[];
});
