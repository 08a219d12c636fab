#!/usr/bin/env node
// A CORS proxy for using consulate from a browser page, safe to put in front of users: Consul's HTTP API
// sends no CORS headers, so a page on another origin cannot call it directly. Plain node:http, no
// dependency (copy this folder: server.mjs and policy.mjs).
//
//   - Forwards `/consul/*` to the agent (`/consul/v1/health/state/any` → `<target>/v1/health/state/any`),
//     streaming both ways without buffering (blocking queries, watches); a request the page drops is
//     dropped upstream; each exchange has a deadline derived from its `?wait=`.
//   - The token: held server-side (`--token-file` or CONSUL_PROXY_TOKEN) and added to every request,
//     while any token the page sends (`X-Consul-Token`, `Authorization`, `?token=`) is removed, so a page
//     never holds a privileged token; or, with `--pass-through-token`, each user's own `X-Consul-Token`
//     is forwarded instead (trade-off: the page holds a token, and the proxy only narrows what it may do).
//     Without either, requests go to Consul without a token (its anonymous token).
//   - Read-only by default: GET/HEAD under /v1/catalog and /v1/health only; other prefixes and writes
//     must be allowed (`--allow-read`, `--allow-write`, `--allow-txn`, `--allow-root-recurse`,
//     `--datacenter`). Paths are canonicalised and matched on whole segments (policy.mjs). Consul's
//     redirects are never followed nor passed on. Open blocking queries are limited per client address.
//   - CORS headers for the configured origins only (default: the proxy's own origins on localhost), with
//     the `X-Consul-*` response headers exposed (the SDK reads indexes and tells Consul's "missing" apart
//     by them); never `*` together with credentials.
//   - TLS and mTLS to the agent (`--ca-file`, `--client-cert`, `--client-key`, `--tls-server-name`).
//   - Logs carry method, canonical path (never the query), status and time: never a token.
//   - Serves the static files of one directory (`--root`, e.g. the dashboard example) for other paths.
//
//   node examples/cors-proxy/server.mjs --help
//
// A page then uses `new Consul({ address: 'https://proxy.example', pathPrefix: '/consul' })`.
// This proxy is not authentication: whoever can reach it can do what its allowlist and token allow.
// Put it behind TLS and your own login before exposing it beyond localhost.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { Agent as HttpAgent, createServer, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { canonicalPrefix, decide, Refusal } from './policy.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** The response header saying how the proxy handles tokens (`server`, `pass-through`, `anonymous`), so a page can tell its user what to do. */
export const TOKEN_MODE_HEADER = 'X-Proxy-Token-Mode';

/** Response headers a cross-origin page may read (consulate's query metadata, and the token mode). */
const EXPOSED = [
  'X-Consul-Index', 'X-Consul-KnownLeader', 'X-Consul-LastContact', 'X-Consul-Effective-Consistency',
  'X-Consul-Default-ACL-Policy', 'X-Consul-Results-Filtered-By-ACLs', 'X-Consul-Translate-Addresses',
  'X-Consul-ContentHash', 'X-Consul-Reason', 'X-Cache', 'Age', 'Retry-After', TOKEN_MODE_HEADER,
].join(', ');

/** Request headers a page may send (the SDK sends the first three). */
const ALLOWED_HEADERS = ['content-type', 'x-consul-token', 'cache-control', 'x-consul-namespace'];

/** Request headers never forwarded to the agent: hop-by-hop, browser-only, credentials of the proxy's own users. */
const DROP = new Set([
  'host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer',
  'origin', 'referer', 'cookie', 'authorization', 'proxy-authorization', 'x-consul-token',
  'sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-dest', 'sec-fetch-user',
  'access-control-request-method', 'access-control-request-headers', 'access-control-request-private-network',
]);

/** Response headers of the agent that are not passed back (hop-by-hop; a redirect's target). */
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'location']);

/** What to do about a TLS failure towards the agent, by Node's error code. */
const TLS_HINTS = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'trust the CA that signed the agent\'s certificate: --ca-file (CONSUL_CACERT)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'trust the CA that signed the agent\'s certificate: --ca-file (CONSUL_CACERT)',
  SELF_SIGNED_CERT_IN_CHAIN: 'trust the CA that signed the agent\'s certificate: --ca-file (CONSUL_CACERT)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'trust the agent\'s self-signed certificate: --ca-file (CONSUL_CACERT)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate names another host: --tls-server-name (CONSUL_TLS_SERVER_NAME)',
  CERT_HAS_EXPIRED: 'the agent\'s certificate has expired',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'the agent wants a client certificate: --client-cert and --client-key',
  // what Consul (Go) answers to a missing client certificate, and to one it does not trust
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'the agent wants a client certificate signed by its CA: --client-cert and --client-key',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'the agent does not know the CA of the client certificate',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the agent does not speak TLS on this port: use http://, or its HTTPS port',
};

/**
 * @typedef {object} CorsProxyOptions
 * @property {string} target the agent: `http(s)://host:port` (a path is kept as a base, e.g. behind another proxy)
 * @property {{ ca?: string | Buffer, cert?: string | Buffer, key?: string | Buffer, caFile?: string, certFile?: string, keyFile?: string, serverName?: string }} [tls]
 *   TLS towards an `https://` target: the CA to trust, a client certificate and key for mTLS, the name to check
 * @property {string} [token] the proxy's own token, added to every request; the page's tokens are removed
 * @property {boolean} [passThroughToken] forward the page's `X-Consul-Token` instead (not with `token`)
 * @property {string[]} [allowRead] path prefixes where GET/HEAD are allowed (default `/v1/catalog`, `/v1/health`)
 * @property {string[]} [allowWrite] path prefixes where PUT/POST/DELETE/PATCH are allowed (default none)
 * @property {boolean} [allowTxn] allow `/v1/txn` (default false)
 * @property {boolean} [allowRootRecurse] allow a recursive read or delete of the whole KV store (default false)
 * @property {string[]} [datacenters] `?dc=` values allowed (default none: a request naming a datacenter is refused)
 * @property {number} [maxBlockingPerClient] open blocking queries per client address (default 8); more get 429
 * @property {number} [timeout] milliseconds: the deadline of a plain request, and what a blocking one gets
 *   on top of its wait (default 30 000); after the response headers, the longest silence in a stream
 * @property {string[] | '*'} [allowOrigins] origins that get CORS headers (default: the proxy's own on localhost and 127.0.0.1)
 * @property {boolean} [credentials] send `Access-Control-Allow-Credentials: true` (cookies or HTTP auth in front of the proxy); not with `*`
 * @property {string} [root] a directory served for paths outside the prefix
 * @property {number} [port] default 0 (a free port)
 * @property {string} [host] default 127.0.0.1
 * @property {string} [prefix] default `/consul`
 * @property {(line: string) => void} [log] one line per request (method, canonical path, status, time; never the query)
 */

/**
 * Starts the proxy.
 * @param {CorsProxyOptions} options
 * @returns {Promise<{ url: string, port: number, tokenMode: 'server' | 'pass-through' | 'anonymous', openBlocking(): number, close(): Promise<void> }>}
 * @throws {Error} on a contradictory or malformed configuration (named in the message)
 */
export async function startCorsProxy(options) {
  const target = new URL(options.target);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`target must be an http(s) URL, got ${options.target}`);
  if (options.token !== undefined && options.passThroughToken) throw new Error('choose one: a server-side token (token) or passing the page\'s token through (passThroughToken)');
  if (options.token !== undefined && !/^[\x21-\x7e]+$/.test(options.token)) throw new Error('the token is empty or holds characters a header cannot carry');
  if (options.allowOrigins === '*' && options.credentials) throw new Error('allowOrigins "*" cannot be combined with credentials (browsers refuse it, and it would let any site act as your users)');
  if (options.tls && target.protocol !== 'https:') throw new Error('tls options need an https:// target');
  const tokenMode = options.token !== undefined ? 'server' : options.passThroughToken ? 'pass-through' : 'anonymous';
  const policy = {
    allowRead: (options.allowRead ?? ['/v1/catalog', '/v1/health']).map(canonicalPrefix),
    allowWrite: (options.allowWrite ?? []).map(canonicalPrefix),
    allowTxn: options.allowTxn ?? false,
    allowRootRecurse: options.allowRootRecurse ?? false,
    datacenters: options.datacenters ?? [],
    serverToken: tokenMode === 'server',
  };
  const maxBlocking = options.maxBlockingPerClient ?? 8;
  const timeout = options.timeout ?? 30_000;
  const prefix = `/${(options.prefix ?? '/consul').replace(/^\/+|\/+$/g, '')}`;
  const root = options.root ? resolve(options.root) : undefined;
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const basePath = target.pathname.replace(/\/+$/, '');
  const tls = options.tls ?? {};
  const read = (text, file) => text ?? (file ? readFileSync(file) : undefined);
  const upstreamAgent = target.protocol === 'https:'
    ? new HttpsAgent({ keepAlive: true, ca: read(tls.ca, tls.caFile), cert: read(tls.cert, tls.certFile), key: read(tls.key, tls.keyFile), servername: tls.serverName })
    : new HttpAgent({ keepAlive: true });
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const blockingByClient = new Map();
  let origins; // filled once the port is known

  /** CORS headers for an allowed origin; false for a refused one. */
  const cors = (req, headers) => {
    headers['Vary'] = 'Origin';
    const origin = req.headers.origin;
    if (!origin) {
      // no Origin: same-origin GET or not a browser. A browser's cross-site request without Origin is refused.
      const site = req.headers['sec-fetch-site'];
      return site === undefined || site === 'same-origin' || site === 'none';
    }
    const allowed = options.allowOrigins === '*' || origins.has(origin);
    if (!allowed) return false;
    headers['Access-Control-Allow-Origin'] = options.allowOrigins === '*' ? '*' : origin;
    headers['Access-Control-Expose-Headers'] = EXPOSED;
    if (options.credentials) headers['Access-Control-Allow-Credentials'] = 'true';
    return true;
  };

  const proxy = (req, res, url, headers, done) => {
    const q = url.indexOf('?');
    let decision;
    try {
      decision = decide({ method: req.method ?? 'GET', path: url.slice(prefix.length, q === -1 ? undefined : q), query: q === -1 ? '' : url.slice(q + 1) }, policy);
      if (decision.hadQueryToken && tokenMode === 'pass-through') {
        throw new Refusal(400, 'send the token in the X-Consul-Token header, not in ?token= (URLs end up in logs and histories)');
      }
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      res.writeHead(error.status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(`cors proxy: ${error.message}\n`);
      return done(error.status, `refused: ${error.message}`);
    }
    // logged: the re-encoded canonical path (a decoded key could hold a newline), never the query
    const logged = prefix + decision.forward.split('?')[0];
    const client = req.socket.remoteAddress ?? '?';
    if (decision.blocking) {
      const open = blockingByClient.get(client) ?? 0;
      if (open >= maxBlocking) {
        res.writeHead(429, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '2' })
          .end(`cors proxy: too many open blocking queries from this client (limit ${maxBlocking})\n`);
        return done(429, 'blocking limit', logged);
      }
      blockingByClient.set(client, open + 1);
      res.once('close', () => {
        const now = (blockingByClient.get(client) ?? 1) - 1;
        if (now > 0) blockingByClient.set(client, now);
        else blockingByClient.delete(client);
      });
    }

    const forward = {};
    for (const [name, value] of Object.entries(req.headers)) if (!DROP.has(name)) forward[name] = value;
    if (tokenMode === 'server') forward['x-consul-token'] = options.token;
    else if (tokenMode === 'pass-through' && req.headers['x-consul-token']) forward['x-consul-token'] = req.headers['x-consul-token'];

    const limit = (decision.blockingMs ?? 0) + timeout;
    let timer;
    const upstream = send({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: basePath + decision.forward,
      headers: { ...forward, host: target.host },
      agent: upstreamAgent,
    }, (up) => {
      const status = up.statusCode ?? 502;
      if (status >= 300 && status < 400) {
        // Consul redirects unclean paths; canonical paths should never get one. Never follow nor pass it on.
        up.resume();
        res.writeHead(502, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(`cors proxy: the agent answered a redirect (${status}), which is not followed\n`);
        clearTimeout(timer);
        return done(502, 'redirect from the agent', logged);
      }
      const back = { ...headers, 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no', [TOKEN_MODE_HEADER]: tokenMode };
      for (const [name, value] of Object.entries(up.headers)) if (!DROP_RESPONSE.has(name)) back[name] = value;
      res.writeHead(status, back);
      res.flushHeaders();
      // after the headers: the deadline is on progress (a stream may go on as long as it moves)
      const idle = () => { clearTimeout(timer); timer = setTimeout(() => up.destroy(new Error('stalled')), timeout); };
      idle();
      up.on('data', idle);
      up.pipe(res);
      up.on('end', () => { clearTimeout(timer); done(status, undefined, logged); });
      up.on('error', () => { clearTimeout(timer); res.destroy(); });
    });
    timer = setTimeout(() => upstream.destroy(Object.assign(new Error('deadline'), { code: 'DEADLINE' })), limit);
    upstream.on('error', (error) => {
      clearTimeout(timer);
      if (res.headersSent) { res.destroy(); return; }
      const code = error.code ?? error.message;
      const status = code === 'DEADLINE' ? 504 : 502;
      const why = code === 'DEADLINE' ? `the agent did not answer within ${+(limit / 1000).toFixed(1)} s` : `consul agent unreachable: ${code}${TLS_HINTS[code] ? ` (${TLS_HINTS[code]})` : ''}`;
      res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', [TOKEN_MODE_HEADER]: tokenMode }).end(`cors proxy: ${why}\n`);
      done(status, why, logged);
    });
    // the page gave up (an aborted watch, a closed tab): stop the blocking query upstream too
    res.on('close', () => { clearTimeout(timer); if (!res.writableFinished) upstream.destroy(); });
    req.pipe(upstream);
  };

  const serveFile = (req, res, pathname, done) => {
    if (!root || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return done(404);
    }
    let file;
    try {
      file = join(root, decodeURIComponent(pathname));
    } catch {
      res.writeHead(400).end();
      return done(400);
    }
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return done(403);
    }
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      const { size } = statSync(file);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Length': size,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
      done(200);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      done(404);
    }
  };

  const server = createServer((req, res) => {
    const started = Date.now();
    const url = req.url ?? '/';
    const pathname = url.split('?')[0];
    // logs: the canonical path once known (never the query string, which may hold a ?token=)
    const done = (status, note, path = pathname) => log(`${req.method} ${path} ${status} ${Date.now() - started}ms${note ? ` (${note.replace(/[\x00-\x1f\x7f]/g, '?')})` : ''}`);
    if (pathname !== prefix && !pathname.startsWith(`${prefix}/`)) return serveFile(req, res, pathname, done);
    const headers = {};
    if (!cors(req, headers)) {
      res.writeHead(403, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('cors proxy: origin not allowed\n');
      return done(403, `origin ${req.headers.origin ?? '(none, cross-site)'} not allowed`);
    }
    if (req.method === 'OPTIONS') {
      const wanted = String(req.headers['access-control-request-headers'] ?? '')
        .split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
      const refused = wanted.filter((h) => !ALLOWED_HEADERS.includes(h));
      if (refused.length) {
        res.writeHead(403, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(`cors proxy: headers not allowed: ${refused.join(', ')}\n`);
        return done(403);
      }
      const writes = policy.allowWrite.length > 0 || policy.allowTxn;
      res.writeHead(204, {
        ...headers,
        'Access-Control-Allow-Methods': writes ? 'GET, HEAD, PUT, POST, DELETE, PATCH' : 'GET, HEAD',
        'Access-Control-Allow-Headers': ALLOWED_HEADERS.join(', '),
        'Access-Control-Max-Age': '600',
      }).end();
      return done(204);
    }
    proxy(req, res, url, headers, done);
  });
  // blocking queries last up to 10 minutes (+ jitter): each exchange has its own deadline instead
  server.requestTimeout = 0;
  server.timeout = 0;
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, ok);
  });
  const { port } = server.address();
  origins = new Set([`http://localhost:${port}`, `http://127.0.0.1:${port}`, ...(Array.isArray(options.allowOrigins) ? options.allowOrigins : [])]);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    tokenMode,
    openBlocking: () => [...blockingByClient.values()].reduce((a, b) => a + b, 0),
    close: () => new Promise((ok) => {
      server.close(() => ok());
      server.closeAllConnections();
      upstreamAgent.destroy();
    }),
  };
}

export const USAGE = `Usage: node examples/cors-proxy/server.mjs [options]

A CORS proxy in front of a Consul agent, for browser pages using consulate: /consul/* is forwarded to
the agent, other paths serve --root. Read-only by default (GET/HEAD under /v1/catalog and /v1/health).

Agent:
  --target URL            the agent (default: CONSUL_HTTP_ADDR, then http://127.0.0.1:8500)
  --ca-file FILE          CA to trust for an https:// target (CONSUL_CACERT)
  --client-cert FILE      client certificate for mTLS (CONSUL_CLIENT_CERT)
  --client-key FILE       its key (CONSUL_CLIENT_KEY)
  --tls-server-name NAME  name to check in the agent's certificate (CONSUL_TLS_SERVER_NAME)
Token (CONSUL_HTTP_TOKEN is deliberately not read: give the proxy its own, least-privileged token):
  --token-file FILE       the proxy's own token (or CONSUL_PROXY_TOKEN_FILE, CONSUL_PROXY_TOKEN); the page's are removed
  --pass-through-token    forward the page's X-Consul-Token instead (each user brings a token)
                          without either: no token (Consul's anonymous token)
What the page may do:
  --allow-read PREFIX     allow GET/HEAD under PREFIX (repeatable; replaces the default), e.g. /v1/kv/public
  --allow-write PREFIX    allow PUT/POST/DELETE/PATCH under PREFIX (repeatable; default none)
  --allow-txn             allow /v1/txn (a transaction can touch any key)
  --allow-root-recurse    allow a recursive read/delete of the whole KV store
  --datacenter DC         allow ?dc=DC (repeatable; default: any ?dc= is refused)
  --max-blocking N        open blocking queries per client address (default 8)
  --timeout SECONDS       deadline of a request, added to a blocking query's wait (default 30)
CORS:
  --allow-origin ORIGIN   an origin allowed to call the proxy (repeatable; '*' for any, not with --credentials;
                          default: the proxy's own origins on localhost and 127.0.0.1)
  --credentials           send Access-Control-Allow-Credentials (cookies or HTTP auth in front of the proxy)
Server:
  --port N                default 8080
  --host ADDR             default 127.0.0.1
  --prefix PATH           default /consul
  --root DIR              serve the files of DIR for paths outside the prefix
  -h, --help              this text
`;

/**
 * Proxy options from command-line arguments and the environment.
 * @param {string[]} argv arguments after the script
 * @param {Record<string, string | undefined>} env
 * @returns {{ help: true } | { help: false, options: CorsProxyOptions }}
 * @throws {Error} on an unknown option or a missing value (Node's parseArgs message)
 */
export function parseProxyArgs(argv, env) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      target: { type: 'string' }, 'ca-file': { type: 'string' }, 'client-cert': { type: 'string' }, 'client-key': { type: 'string' },
      'tls-server-name': { type: 'string' }, 'token-file': { type: 'string' }, 'pass-through-token': { type: 'boolean' },
      'allow-read': { type: 'string', multiple: true }, 'allow-write': { type: 'string', multiple: true },
      'allow-txn': { type: 'boolean' }, 'allow-root-recurse': { type: 'boolean' }, datacenter: { type: 'string', multiple: true },
      'max-blocking': { type: 'string' }, timeout: { type: 'string' }, 'allow-origin': { type: 'string', multiple: true },
      credentials: { type: 'boolean' }, port: { type: 'string' }, host: { type: 'string' }, prefix: { type: 'string' },
      root: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { help: true };
  const number = (name, text) => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number, got ${JSON.stringify(text)}`);
    return n;
  };
  const addr = values.target ?? env.CONSUL_HTTP_ADDR ?? 'http://127.0.0.1:8500';
  const target = /^https?:\/\//.test(addr) ? addr : `${env.CONSUL_HTTP_SSL === 'true' ? 'https' : 'http'}://${addr}`;
  const tokenFile = values['token-file'] ?? env.CONSUL_PROXY_TOKEN_FILE;
  const token = tokenFile ? readFileSync(tokenFile, 'utf8').trim() : env.CONSUL_PROXY_TOKEN || undefined;
  const caFile = values['ca-file'] ?? env.CONSUL_CACERT;
  const certFile = values['client-cert'] ?? env.CONSUL_CLIENT_CERT;
  const keyFile = values['client-key'] ?? env.CONSUL_CLIENT_KEY;
  const serverName = values['tls-server-name'] ?? env.CONSUL_TLS_SERVER_NAME;
  const tls = Object.fromEntries(Object.entries({ caFile, certFile, keyFile, serverName }).filter(([, v]) => v));
  const origins = values['allow-origin'] ?? [];
  /** @type {CorsProxyOptions} */
  const options = {
    target,
    ...(target.startsWith('https:') && Object.keys(tls).length ? { tls } : {}),
    ...(token !== undefined ? { token } : {}),
    passThroughToken: values['pass-through-token'] ?? false,
    ...(values['allow-read'] ? { allowRead: values['allow-read'] } : {}),
    allowWrite: values['allow-write'] ?? [],
    allowTxn: values['allow-txn'] ?? false,
    allowRootRecurse: values['allow-root-recurse'] ?? false,
    datacenters: values.datacenter ?? [],
    ...(values['max-blocking'] !== undefined ? { maxBlockingPerClient: number('max-blocking', values['max-blocking']) } : {}),
    ...(values.timeout !== undefined ? { timeout: number('timeout', values.timeout) * 1000 } : {}),
    allowOrigins: origins.includes('*') ? '*' : origins,
    credentials: values.credentials ?? false,
    port: number('port', values.port) ?? 8080,
    host: values.host ?? '127.0.0.1',
    ...(values.prefix ? { prefix: values.prefix } : {}),
    ...(values.root ? { root: values.root } : {}),
  };
  return { help: false, options };
}

/** One line describing a started proxy (no token). */
export function describeProxy(proxy, options) {
  const read = (options.allowRead ?? ['/v1/catalog', '/v1/health']).join(', ');
  const write = (options.allowWrite ?? []).join(', ') || 'none';
  return `cors proxy on ${proxy.url}: ${proxy.url}${options.prefix ?? '/consul'}/* → ${options.target} (token: ${proxy.tokenMode}; reads: ${read}; writes: ${write}${options.allowTxn ? '; txn' : ''})`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let parsed;
  try {
    parsed = parseProxyArgs(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const proxy = await startCorsProxy({ ...parsed.options, log: (line) => console.log(line) }).catch((error) => {
    console.error(`cors proxy: ${error.message}`);
    process.exit(2);
  });
  console.log(describeProxy(proxy, parsed.options));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => proxy.close().then(() => process.exit(0)));
}
