/**
 * How consulate tells Consul's "no such object" from anybody else's 404.
 *
 * Several reads take a 404 as data ("missing": `undefined`, `[]`, `false`). But a 404 also comes
 * from a proxy with a wrong path prefix, a load balancer's error page or a server that is not
 * Consul at all, and reading that as "missing" answers wrongly. Consul 1.8.7 marks its own 404s
 * differently per endpoint (measured with curl on a real agent):
 *
 * | endpoint                                   | Consul's "missing" 404                                  | mark          |
 * | ------------------------------------------ | ------------------------------------------------------- | ------------- |
 * | `GET /v1/kv/:key` (plain, `?raw`, `?recurse`, `?keys`) | empty body, `X-Consul-Index`                | header        |
 * | `GET /v1/config/:kind/:name`               | `X-Consul-Index`, text `Config entry not found for "kind" / "name"` | header or text |
 * | `GET /v1/connect/intentions/:id`           | text/plain `Intention not found`                        | text          |
 * | `GET /v1/query/:id`                        | text/plain `Query not found`                            | text          |
 * | `GET /v1/agent/service/:id`                | text/plain `unknown service ID: <id>`                   | text          |
 * | `PUT /v1/session/renew/:id`                | text/plain `Session id '<id>' not found`                | text          |
 * | `GET /v1/agent/health/service/{name,id}/:x`| JSON body, `X-Consul-Reason: ServiceName … Not Found`   | header        |
 * | `GET /v1/acl/role/:id`, `/acl/role/name/:name`, `/acl/auth-method/:name`, `/acl/binding-rule/:id` | empty, no header | none |
 * | `GET /v1/coordinate/node/:node`            | empty, no header                                        | none          |
 * | `GET /v1/agent/version`, `/namespace/:n`, `/partition/:n`, `/peering/:n` | router's empty 404 on 1.8.7 (absent there) | none |
 *
 * The rule: where Consul's 404 has a mark, a 404 without it throws a {@link NotFoundError} saying
 * the server is not answering like Consul (with the URL and a hint at `pathPrefix`, and in a
 * browser at a proxy that does not expose `X-Consul-*` headers through
 * `Access-Control-Expose-Headers`). Where Consul's 404 has no mark, any non-HTML 404 reads as
 * missing (a foreign empty 404 cannot be told apart). An HTML body is never Consul's: it always throws.
 * @module
 */
import type { Client } from './client.ts';
import { NotFoundError } from './errors.ts';
import { redact } from './redact.ts';

/**
 * What marks a 404 as Consul's own "no such object". Either mark suffices when both are given; with
 * neither, the endpoint's 404 is unmarked (only an HTML page is refused).
 */
export interface MissingMark {
  /** A header Consul's "missing" 404 always carries (e.g. `X-Consul-Index`). */
  readonly header?: string;
  /** Consul's own wording of the (trimmed) 404 body. */
  readonly text?: RegExp;
}

/** The endpoints (or groups of them) whose 404 is "missing", as keys of {@link MISSING}. */
export type MissingEndpoint =
  | 'kv'
  | 'configEntry'
  | 'intention'
  | 'preparedQuery'
  | 'agentService'
  | 'sessionRenew'
  | 'agentHealth'
  | 'acl'
  | 'coordinateNode'
  | 'unmeasured';

/** The mark of Consul 1.8.7's "missing" 404, per endpoint (see the module's table). */
export const MISSING: Readonly<Record<MissingEndpoint, MissingMark>> = {
  /** KV reads: an empty 404 with `X-Consul-Index`. */
  kv: { header: 'X-Consul-Index' },
  /** Config entry read: `X-Consul-Index` and `Config entry not found for "kind" / "name"`. */
  configEntry: { header: 'X-Consul-Index', text: /^Config entry not found for / },
  /** Intention read by id: `Intention not found`. */
  intention: { text: /^Intention not found$/ },
  /** Prepared query read: `Query not found`. */
  preparedQuery: { text: /^Query not found$/ },
  /** Agent service read: `unknown service ID: <id>`. */
  agentService: { text: /^unknown service ID: / },
  /** Session renew: `Session id '<id>' not found`. */
  sessionRenew: { text: /^Session id '.*' not found$/ },
  /** Agent local service health: `X-Consul-Reason`. */
  agentHealth: { header: 'X-Consul-Reason' },
  /** ACL role, auth method and binding rule reads: an empty 404, no mark. */
  acl: {},
  /** Coordinate of a node: an empty 404, no mark. */
  coordinateNode: {},
  /** Endpoints 1.8.7 lacks (agent version, namespace, partition, peering): no mark measured. */
  unmeasured: {},
};

/** True in a browser or a web worker, where CORS decides which response headers a page can see. */
function inBrowser(): boolean {
  const g = globalThis as { document?: unknown; WorkerGlobalScope?: unknown; Deno?: unknown };
  return g.document !== undefined || (g.WorkerGlobalScope !== undefined && g.Deno === undefined);
}

function isHtml(response: Response, text: string): boolean {
  return /html/i.test(response.headers.get('content-type') ?? '') || text.startsWith('<');
}

function describeMark(mark: MissingMark): string {
  const parts: string[] = [];
  if (mark.header) parts.push(`an ${mark.header} header`);
  if (mark.text) parts.push("Consul's own 404 text");
  return parts.join(' or ');
}

/**
 * Checks that a 404 is Consul's "no such object" for an endpoint whose mark is `mark`, and reads
 * its (small) body.
 * @param client - the client that sent the request (for the URL in messages).
 * @param response - the 404 response; its body is consumed.
 * @param mark - the endpoint's mark, from {@link MISSING}.
 * @param request - the method and the path below `/v1/` that was requested.
 * @returns the body's text, trimmed.
 * @throws {NotFoundError} when the 404 is not Consul's: an HTML page, or a marked endpoint's 404
 *   without the mark. The message names the URL (never the token) and hints at `pathPrefix`.
 */
export async function confirmMissing(
  client: Client,
  response: Response,
  mark: MissingMark,
  request: { method?: string | undefined; path: string },
): Promise<string> {
  let text = '';
  try {
    text = (await response.text()).trim();
  } catch {
    // an unreadable body is judged by its headers alone
  }
  const html = isHtml(response, text);
  if (!html) {
    if (mark.header === undefined && mark.text === undefined) return text;
    if (mark.header !== undefined && response.headers.has(mark.header)) return text;
    if (mark.text?.test(text)) return text;
  }
  const method = request.method ?? 'GET';
  const apiUrl = client.config.apiUrl;
  const url = redact(response.url || `${apiUrl}${request.path}`);
  const path = url.startsWith(apiUrl) ? `/v1/${url.slice(apiUrl.length)}` : `/v1/${request.path}`;
  let why: string;
  if (html) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.replace(/\s+/g, ' ').trim();
    why = `a 404 HTML page${title ? ` ("${title}")` : ''}, which Consul never sends`;
  } else {
    why = `a 404 without ${describeMark(mark)}, which Consul's "not found" always has`;
  }
  let hint = 'check the address and `pathPrefix` (a proxy or a wrong path prefix answers with its own 404)';
  if (mark.header !== undefined && !html && inBrowser()) {
    const headers = [...new Set([mark.header, 'X-Consul-Index', 'X-Consul-Knownleader', 'X-Consul-Lastcontact'])].join(', ');
    hint += `; in a browser, also check that a proxy in between exposes Consul's headers (Access-Control-Expose-Headers: ${headers})`;
  }
  throw new NotFoundError(`${method} ${url} answered with ${why}: the server is not answering like Consul; ${hint}`, {
    method,
    path,
    status: 404,
  });
}
