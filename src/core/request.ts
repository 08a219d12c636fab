/**
 * `send` and `requestJson`: the request pipeline every endpoint uses. Builds the query from the
 * common options, puts the token in `X-Consul-Token` (never in the URL), derives the timeout of
 * blocking reads from their wait, retries reads only, maps error statuses to typed errors and
 * returns `{ data, meta }`.
 * @module
 */
import * as v from 'valibot';
import type { Client } from './client.ts';
import { durationMs, parseJson, stringifyJson } from './encoding.ts';
import type { ErrorContext, TransactionOpError } from './errors.ts';
import {
  ACLDisabledError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  HttpError,
  NotFoundError,
  ResponseValidationError,
  ServerError,
  TooManyRequestsError,
  TransactionError,
} from './errors.ts';
import type { QueryMeta } from './meta.ts';
import { redact } from './redact.ts';
import { sendWithFailover } from './failover.ts';
import type { Outgoing } from './http.ts';
import type { MissingMark } from './missing.ts';
import { confirmMissing } from './missing.ts';
import { parseMeta } from './meta.ts';
import type { QueryValue, ReadOptions } from './query.ts';
import { buildQuery, cacheControl } from './query.ts';

/** What every endpoint function returns: the data and the response's query metadata. */
export interface Result<T> {
  /** The decoded response. */
  data: T;
  /** Index, knownLeader, lastContact and the other `X-Consul-*` facts. */
  meta: QueryMeta;
}

/** A request as an endpoint describes it. */
export interface RequestSpec {
  /** @default "GET" */
  method?: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Path below `/v1/`, already escaped, e.g. `kv/a%20b`. */
  path: string;
  /** Endpoint-specific query parameters. */
  params?: Record<string, QueryValue> | undefined;
  /** The caller's common options. */
  options?: ReadOptions | undefined;
  /** A raw body. */
  body?: RequestInit['body'] | undefined;
  /** A body to send as JSON (bigints written exactly). */
  json?: unknown;
  /** Statuses that are data, not errors (e.g. 404 for a missing key). */
  accept?: readonly number[];
  /** Whether failures may be retried; defaults to true for GET only. */
  idempotent?: boolean;
  /** Extra headers for this request. */
  headers?: Record<string, string>;
}

/** Default wait of a blocking query (Consul's). */
const DEFAULT_WAIT = 300_000;

/**
 * Sends a request and returns the response and its metadata; error statuses throw typed errors.
 * The response's body is under the body deadline: reading it (here or by the caller, streamed or not)
 * fails with a `TimeoutError` when no data comes for the client's `timeout`.
 * @throws {HttpError} (a subclass per status) for an error status, with Consul's text in `consulMessage` (up to 64 KiB).
 * @throws {TimeoutError} when the headers do not arrive in time (a blocking read adds wait + wait/16).
 * @throws {NetworkError} when the server cannot be reached; the message names the URL and the reason
 * (with a list of addresses: every address tried, and why each failed — see `ClientConfig.address`).
 */
export async function send(client: Client, spec: RequestSpec): Promise<{ response: Response; meta: QueryMeta }> {
  const { config, transport } = client;
  const options = spec.options ?? {};
  const method = spec.method ?? 'GET';
  const query = buildQuery(spec.params, options, config);
  const headers: Record<string, string> = { ...config.headers, ...spec.headers };
  const token = options.token ?? config.token;
  if (token) headers['X-Consul-Token'] = token;
  const control = cacheControl(options);
  if (control) headers['Cache-Control'] = control;
  let body = spec.body;
  if (spec.json !== undefined) {
    body = stringifyJson(spec.json);
    headers['Content-Type'] = 'application/json';
  }
  let timeout = config.timeout;
  if (timeout !== false && (options.index !== undefined || options.wait !== undefined)) {
    const wait = Math.min(options.wait === undefined ? DEFAULT_WAIT : durationMs(options.wait, 'wait') || DEFAULT_WAIT, 600_000);
    timeout += wait + wait / 16;
  }
  const idempotent = spec.idempotent ?? method === 'GET';
  const outgoing: Outgoing = {
    method,
    path: spec.path,
    query,
    headers,
    body,
    signal: options.signal,
    timeout,
    // once the headers are in, the body must keep coming: no data for the timeout fails the read
    bodyTimeout: config.timeout,
    retries: idempotent ? config.retry.limit : 0,
    accept: spec.accept,
  };
  const started = Date.now(); // QueryMeta.requestTime, as Go's client measures it (to the headers)
  // a list of addresses: the current one, then the next on failure, under one deadline (core/failover.ts)
  const response = config.apiUrls.length > 1
    ? await sendWithFailover(transport, config, outgoing, idempotent)
    : await transport.send(outgoing);
  if (response.ok || spec.accept?.includes(response.status)) return { response, meta: parseMeta(response, Date.now() - started) };
  const search = query.toString(); // not `query.size`: older browsers (Safari < 17) lack it
  throw await toError(method, `/v1/${spec.path}${search ? `?${search}` : ''}`, response);
}

/**
 * Reads and discards a small body (an empty 404, an answer whose status is the data), so the
 * connection can be reused. (Cancelling instead may close a keep-alive connection, and hangs under msw.)
 */
export async function drain(response: Response): Promise<void> {
  try {
    await response.arrayBuffer();
  } catch {
    // the body is of no interest
  }
}

/** Sends a request whose answer carries no data (the small body is drained). */
export async function sendVoid(client: Client, spec: RequestSpec): Promise<Result<void>> {
  const { response, meta } = await send(client, spec);
  await drain(response);
  return { data: undefined, meta };
}

/**
 * A read where Consul's 404 means "no such object": `data` is `undefined` then, otherwise the JSON
 * body checked against `schema`. Only a 404 bearing the endpoint's `missing` mark (see
 * `core/missing.ts`) is "missing"; any other 404 throws.
 * @param missing - the mark of the endpoint's genuine "missing" 404, from `MISSING`.
 * @throws {NotFoundError} for a 404 that is not Consul's (an HTML page, or no mark where Consul has one).
 */
export async function requestJsonOrMissing<S extends v.GenericSchema>(
  client: Client,
  spec: RequestSpec,
  schema: S,
  missing: MissingMark,
): Promise<Result<v.InferOutput<S> | undefined>> {
  const { response, meta } = await send(client, { ...spec, accept: [404] });
  if (response.status === 404) {
    await confirmMissing(client, response, missing, spec);
    return { data: undefined, meta };
  }
  const where = `${spec.method ?? 'GET'} /v1/${spec.path}`;
  return { data: check(client, schema, await readJson(response, where), where), meta };
}

/** Longest error text shown in an error's `message` (the rest is cut, marked with `…`). */
const SHOWN_TEXT = 500;
/**
 * Longest error text kept in `consulMessage`: Consul's own error texts are short, a 64-op txn 409 is a
 * few KB; only a foreign server's page could be longer.
 */
const KEPT_TEXT = 64 * 1024;

/** `text` cut to `max` characters, marked with `…` when cut. */
function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Reads a response's whole error text (nothing is cut here: a txn 409 is parsed from it); HTML pages
 * from proxies become their title or plain text.
 */
async function errorText(response: Response): Promise<{ text: string; html: boolean }> {
  let text = '';
  try {
    text = (await response.text()).trim();
  } catch {
    return { text: '', html: false };
  }
  const html = /^\s*</.test(text) || /html/i.test(response.headers.get('content-type') ?? '');
  if (html) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1];
    text = (title ?? text.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  }
  return { text, html };
}

/** The statuses with which a proxy says that what is behind it (Consul) did not answer. */
const GATEWAY_ERRORS: ReadonlySet<number> = new Set([502, 503, 504]);

/**
 * What an error answer that Consul would not give means: Consul answers an unknown path with an empty
 * 404 (an endpoint newer than the agent) and never with an HTML page, which a proxy, a wrong
 * `pathPrefix` or another server sends. Reads whose 404 means "missing" are told apart by their mark
 * before this (`confirmMissing`).
 */
function notConsul(response: Response, html: boolean): string {
  const url = response.url ? redact(response.url.replace(/\?.*/, '')) : '';
  if (html) return ` — an HTML page${url ? ` from ${url}` : ''}, which Consul never sends: a server that is not Consul (check the address and \`pathPrefix\`)`;
  return ` — nothing answers${url ? ` at ${url}` : ''}: an endpoint newer than this Consul agent, or a server that is not Consul (check the address and \`pathPrefix\`)`;
}

/** A short summary of a rolled-back transaction's errors: as many as fit, then how many more. */
function summarize(errors: readonly TransactionOpError[]): string {
  let shown = '';
  let count = 0;
  for (const e of errors) {
    const part = `${count === 0 ? '' : '; '}op ${e.OpIndex}: ${e.What}`;
    if (count > 0 && shown.length + part.length > SHOWN_TEXT) break;
    shown += part;
    count++;
  }
  return count < errors.length ? `${shown}; and ${errors.length - count} more (error.errors lists all ${errors.length})` : shown;
}

/** Maps an error response to the matching error class. */
export async function toError(method: string, path: string, response: Response): Promise<HttpError> {
  const status = response.status;
  if (status === 0 || (status >= 300 && status < 400)) {
    const location = response.headers.get('location');
    return new HttpError(
      `${method} ${path}: Consul answered with a redirect${location ? ` to ${location}` : ''}; not followed (keys with "//" or "." segments need a transaction)`,
      { method, path, status },
    );
  }
  // parse the whole text, shorten only what is displayed
  const { text, html } = await errorText(response);
  const context: ErrorContext = { method, path, status, consulMessage: shorten(text, KEPT_TEXT) };
  let message = `${method} ${path.replace(/\?.*/, '')} failed with ${status}${text ? `: ${shorten(text, SHOWN_TEXT)}` : ''}`;
  // (a proxy's 502/503/504 page is right about itself: Consul behind it did not answer)
  if ((html && !GATEWAY_ERRORS.has(status)) || (status === 404 && text === '')) message += notConsul(response, html);
  if (status === 409 && text.startsWith('{')) {
    try {
      const errors = (JSON.parse(text) as { Errors?: TransactionOpError[] }).Errors ?? [];
      return new TransactionError(`transaction rolled back: ${summarize(errors)}`, errors, context);
    } catch {
      // not a transaction body
    }
  }
  switch (status) {
    case 400: return new BadRequestError(message, context);
    // a 401 from anything but Consul's ACL check (an authenticating proxy) stays a plain HttpError
    case 401: return /^ACL support disabled/.test(text) ? new ACLDisabledError(message, context) : new HttpError(message, context);
    case 403: return new ForbiddenError(message, context);
    case 404: return new NotFoundError(message, context);
    case 409: return new ConflictError(message, context);
    case 429: return new TooManyRequestsError(message, context);
    default: return status >= 500 ? new ServerError(message, context) : new HttpError(message, context);
  }
}

/** Parses a response body as (uint64-exact) JSON; an undecodable body throws {@link ResponseValidationError}. */
export async function readJson(response: Response, where: string): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return parseJson(text);
  } catch (error) {
    const snippet = text.slice(0, 120).replace(/\s+/g, ' ');
    throw new ResponseValidationError(`${where}: response is not JSON: ${snippet}`, [{ path: '', message: String(error) }], {
      status: response.status,
    });
  }
}

/** Checks a value against a valibot schema (unless the client disabled validation). */
export function check<S extends v.GenericSchema>(client: Client, schema: S, value: unknown, where: string): v.InferOutput<S> {
  if (!client.config.validateResponses) return value as v.InferOutput<S>;
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const issues = result.issues.map((issue) => ({ path: v.getDotPath(issue) ?? '', message: issue.message }));
  throw new ResponseValidationError(
    `${where}: unexpected response shape: ${issues.slice(0, 3).map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
    issues,
  );
}

/**
 * Sends a request and decodes its JSON body, checked against `schema` when given.
 * An accepted non-2xx status (see `accept`) yields `data: undefined`.
 * @throws {TimeoutError} also when the body stalls: no data for the client's `timeout` once the headers arrived.
 */
export async function requestJson<S extends v.GenericSchema>(
  client: Client,
  spec: RequestSpec,
  schema: S,
): Promise<Result<v.InferOutput<S>>> {
  const { response, meta } = await send(client, spec);
  const where = `${spec.method ?? 'GET'} /v1/${spec.path}`;
  const raw = await readJson(response, where);
  return { data: check(client, schema, raw, where), meta };
}
