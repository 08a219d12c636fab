/** What the server received. */
export interface ReceivedRequest {
  method: string;
  /** Path and query as sent, e.g. `/v1/kv/k?recurse=`. */
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/** Options shared by the answering modes. */
interface Answer {
  status?: number;
  statusText?: string;
  /** Added to (or replacing) the mode's default headers. */
  headers?: Record<string, string>;
}

/** One step of a script: what to do with one request. */
export type MisbehaviourMode =
  | 'never-answer'
  | 'garbage'
  | 'stall-body'
  | 'drip'
  | 'foreign-404'
  | 'txn-409'
  | 'respond'
  | 'reset';

export type Misbehaviour =
  | MisbehaviourMode
  /** Reads the request, sends nothing, keeps the connection open. */
  | { mode: 'never-answer' }
  /** Closes the connection at once. */
  | { mode: 'reset' }
  /** Bytes that are not HTTP; the connection is closed after them unless `close: false`. */
  | { mode: 'garbage'; close?: boolean }
  /** Status and headers, then `body` (default 8 bytes) of `contentLength` (default 100) or one chunk (`chunked`), then nothing. */
  | (Answer & { mode: 'stall-body'; contentLength?: number; chunked?: boolean; body?: string })
  /** A complete body sent slowly: `chunk` every `interval` ms (100), `count` times (20). */
  | (Answer & { mode: 'drip'; chunk?: string; interval?: number; count?: number })
  /** A proxy's HTML 404 (nginx), no X-Consul-* headers. */
  | (Answer & { mode: 'foreign-404'; body?: string })
  /** A 409 transaction failure with `errors` op errors (20 by default), as Consul 1.8.7 sends it. */
  | (Answer & { mode: 'txn-409'; errors?: number; body?: string })
  /** A complete, well-formed answer (Consul-like headers by default). */
  | (Answer & { mode: 'respond'; body?: string | Uint8Array });

/** A fixed behaviour, or a function choosing one per request (`n` counts requests from 0). */
export type MisbehaviourScript = Misbehaviour | ((request: ReceivedRequest, n: number) => Misbehaviour);

export interface MisbehavingServer {
  /** `http://127.0.0.1:PORT` (or `https://` with `tls`). */
  address: string;
  port: number;
  /** Every request received, in order. */
  requests: ReceivedRequest[];
  /** Connections currently open. */
  readonly connections: number;
  /** Destroys every connection and stops listening. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The nginx 404 page the `foreign-404` mode sends. */
export const FOREIGN_404_BODY: string;
/** A Consul 1.8.7 txn 409 body with `count` failed ops. */
export function txnConflictBody(count?: number): string;
/** Starts a server on a free port of 127.0.0.1 that follows `script` for every request. */
export function startMisbehavingServer(
  script: MisbehaviourScript,
  options?: { tls?: { key: string | Uint8Array; cert: string | Uint8Array } },
): Promise<MisbehavingServer>;
