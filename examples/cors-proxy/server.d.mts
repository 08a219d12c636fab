// Types of server.mjs, for TypeScript callers (the tests); the proxy itself is plain JavaScript.
/** How the proxy handles tokens, also sent to the page in the `X-Proxy-Token-Mode` response header. */
export type TokenMode = 'server' | 'pass-through' | 'anonymous';

export interface CorsProxyOptions {
  /** The agent: `http(s)://host:port` (a path is kept as a base). */
  target: string;
  /** TLS towards an `https://` target: the CA to trust, a client certificate and key (mTLS), the name to check. */
  tls?: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer; caFile?: string; certFile?: string; keyFile?: string; serverName?: string };
  /** The proxy's own token, added to every request; the page's tokens (`X-Consul-Token`, `Authorization`, `?token=`) are removed. */
  token?: string;
  /** Forward the page's `X-Consul-Token` instead (not with `token`). */
  passThroughToken?: boolean;
  /** Path prefixes where GET/HEAD are allowed. @default ['/v1/catalog', '/v1/health'] */
  allowRead?: string[];
  /** Path prefixes where PUT/POST/DELETE/PATCH are allowed. @default [] */
  allowWrite?: string[];
  /** Allow `/v1/txn`. @default false */
  allowTxn?: boolean;
  /** Allow a recursive read or delete of the whole KV store. @default false */
  allowRootRecurse?: boolean;
  /** `?dc=` values allowed. @default [] (any `?dc=` is refused) */
  datacenters?: string[];
  /** Open blocking queries per client address; more get 429. @default 8 */
  maxBlockingPerClient?: number;
  /** Milliseconds: a plain request's deadline, added to a blocking query's wait; the longest silence in a stream. @default 30000 */
  timeout?: number;
  /** Origins that get CORS headers. @default the proxy's own origins on localhost and 127.0.0.1 */
  allowOrigins?: string[] | '*';
  /** Send `Access-Control-Allow-Credentials: true` (not with `'*'`). */
  credentials?: boolean;
  /** A directory served for paths outside the prefix. */
  root?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default '/consul' */
  prefix?: string;
  /** One line per request: method, canonical path, status, time (never the query). */
  log?: (line: string) => void;
}

export interface CorsProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  tokenMode: TokenMode;
  /** Blocking queries open right now, over all clients. */
  openBlocking(): number;
  close(): Promise<void>;
}

export const TOKEN_MODE_HEADER: string;
export const USAGE: string;
export function startCorsProxy(options: CorsProxyOptions): Promise<CorsProxy>;
export function parseProxyArgs(argv: string[], env: Record<string, string | undefined>): { help: true } | { help: false; options: CorsProxyOptions };
export function describeProxy(proxy: CorsProxy, options: CorsProxyOptions): string;
