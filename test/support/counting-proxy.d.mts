/** One request the client sent through the proxy (counted when its head arrived). */
export interface CountedRequest {
  /** As sent, e.g. `PUT`. */
  method: string;
  /** Path and query as sent, e.g. `/v1/kv/a?cas=0`. */
  path: string;
  /** The path without the query, as sent (still percent-encoded). */
  pathname: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** Which client connection carried it (0, 1, … in the order they were accepted). */
  connection: number;
  /** When its head arrived (Date.now()). */
  at: number;
}

/** Which requests to count: all of them, or those with this method and/or pathname. */
export interface RequestFilter {
  /** e.g. `PUT` (compared in upper case). */
  method?: string;
  /** The exact pathname (no query), or a pattern tested against it. */
  path?: string | RegExp;
}

export interface CountingProxy {
  /** `http://127.0.0.1:PORT`: point the client here. */
  address: string;
  port: number;
  /** Where connections are forwarded. */
  target: { host: string; port: number };
  /** Every request every client connection sent, in the order their heads arrived. */
  requests: CountedRequest[];
  /** Client connections whose bytes were not an HTTP/1.x request stream (their later requests are not counted). */
  errors: string[];
  /** Client connections accepted so far. */
  readonly connections: number;
  /** How many requests match `filter` (all requests without one). */
  count(filter?: RequestFilter): number;
  /** Counts per `METHOD pathname` of the requests that match `filter`. */
  routes(filter?: RequestFilter): Record<string, number>;
  /** Stops listening and destroys every connection. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts a proxy on a free port of 127.0.0.1 that forwards every connection to `target` (a URL such
 * as `http://127.0.0.24:8500`, `host:port`, or `{ host, port }`) and counts the HTTP/1.1 requests
 * clients send through it. A connection the target refuses is reset once the client's first request
 * on it is counted (or after `refusedGraceMs`, default 1000).
 */
export function startCountingProxy(
  target: string | { host: string; port: number | string },
  options?: { refusedGraceMs?: number },
): Promise<CountingProxy>;
