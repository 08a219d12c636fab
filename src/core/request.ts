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
import type { ErrorContext } from './errors.ts';
import {
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

/** Sends a request and returns the response and its metadata; error statuses throw typed errors. */
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
  const response = await transport.send({
    method,
    path: spec.path,
    query,
    headers,
    body,
    signal: options.signal,
    timeout,
    retries: spec.idempotent ?? method === 'GET' ? config.retry.limit : 0,
    accept: spec.accept,
  });
  if (response.ok || spec.accept?.includes(response.status)) return { response, meta: parseMeta(response) };
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
 * A read where 404 means "no such object": `data` is `undefined` then (the small body is drained),
 * otherwise the JSON body checked against `schema`.
 */
export async function requestJsonOrMissing<S extends v.GenericSchema>(
  client: Client,
  spec: RequestSpec,
  schema: S,
): Promise<Result<v.InferOutput<S> | undefined>> {
  const { response, meta } = await send(client, { ...spec, accept: [404] });
  if (response.status === 404) {
    await drain(response);
    return { data: undefined, meta };
  }
  const where = `${spec.method ?? 'GET'} /v1/${spec.path}`;
  return { data: check(client, schema, await readJson(response, where), where), meta };
}

/** Reads a response's error text; HTML pages from proxies become their title or plain text. */
async function errorText(response: Response): Promise<string> {
  let text = '';
  try {
    text = (await response.text()).trim();
  } catch {
    return '';
  }
  if (/^\s*</.test(text) || /html/i.test(response.headers.get('content-type') ?? '')) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1];
    text = (title ?? text.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  }
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
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
  const text = await errorText(response);
  const context: ErrorContext = { method, path, status, consulMessage: text };
  const message = `${method} ${path.replace(/\?.*/, '')} failed with ${status}${text ? `: ${text}` : ''}`;
  if (status === 409 && text.startsWith('{')) {
    try {
      const errors = (JSON.parse(text) as { Errors?: { OpIndex: number; What: string }[] }).Errors ?? [];
      return new TransactionError(
        `transaction rolled back: ${errors.map((e) => `op ${e.OpIndex}: ${e.What}`).join('; ')}`,
        errors,
        context,
      );
    } catch {
      // not a transaction body
    }
  }
  switch (status) {
    case 400: return new BadRequestError(message, context);
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
