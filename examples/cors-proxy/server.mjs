#!/usr/bin/env node
// A small CORS proxy for using consulate from a browser page. Consul's HTTP API sends no CORS headers,
// so a page on another origin cannot call it directly. This server (plain node:http, no framework):
//   - proxies `/consul/*` to the agent (`/consul/v1/kv/x` → `<target>/v1/kv/x`), streaming both ways,
//     so blocking queries (long polls) and watches work; a request the browser drops is dropped upstream;
//   - adds CORS headers for the allowed origins (and exposes the X-Consul-* headers the SDK reads),
//     and answers preflight (OPTIONS) requests itself;
//   - forwards the `X-Consul-Token` header and never logs it (logs carry method, path without the
//     query string, status and time only);
//   - serves the static files of one directory (an example page) for everything else.
//
//   node examples/cors-proxy/server.mjs --root examples/dashboard --target http://127.0.0.1:8500 --port 8080
//
// The page then uses `createClient({ address: 'http://127.0.0.1:8080', pathPrefix: '/consul' })`.
// Put it behind TLS and real authentication before exposing it beyond localhost: whoever can reach it
// can use the agent with whatever token they send (or the agent's default token).
import { createReadStream, statSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** Response headers of Consul that a cross-origin page may read (consulate's query metadata). */
const EXPOSED = [
  'X-Consul-Index', 'X-Consul-KnownLeader', 'X-Consul-LastContact', 'X-Consul-Effective-Consistency',
  'X-Consul-Default-ACL-Policy', 'X-Consul-Results-Filtered-By-ACLs', 'X-Consul-Translate-Addresses',
  'X-Consul-ContentHash', 'X-Consul-Reason', 'X-Cache', 'Age', 'Location',
].join(', ');

/** Request headers a page may send (the SDK sends the first three). */
const ALLOWED_HEADERS = ['content-type', 'x-consul-token', 'cache-control', 'x-consul-namespace', 'authorization'];

/** Request headers that are never forwarded to the agent (hop-by-hop, browser-only, or cookies). */
const DROP = new Set([
  'host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer',
  'origin', 'referer', 'cookie', 'sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-dest', 'sec-fetch-user',
  'access-control-request-method', 'access-control-request-headers', 'access-control-request-private-network',
]);

/** Response headers of the agent that are not passed back (hop-by-hop). */
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection']);

/** A path for logs: the query string can hold a `?token=` from some client; it is never printed. */
function logPath(url) {
  return url.split('?')[0];
}

/**
 * Starts the proxy.
 * @param {{ target: string, root?: string, port?: number, host?: string, prefix?: string,
 *   allowOrigins?: string[] | '*', log?: (line: string) => void }} options
 *   `allowOrigins`: origins that get CORS headers (default: the proxy's own origins on localhost and 127.0.0.1);
 *   `log`: where to write one line per request (default: none).
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 */
export async function startCorsProxy(options) {
  const target = new URL(options.target);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('target must be an http(s) URL');
  const prefix = `/${(options.prefix ?? '/consul').replace(/^\/+|\/+$/g, '')}`;
  const root = options.root ? resolve(options.root) : undefined;
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const basePath = target.pathname.replace(/\/+$/, '');
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  let origins; // filled once the port is known

  const cors = (req, headers) => {
    const origin = req.headers.origin;
    if (!origin) return true; // same-origin or not a browser
    const allowed = options.allowOrigins === '*' || origins.has(origin);
    if (!allowed) return false;
    headers['Access-Control-Allow-Origin'] = options.allowOrigins === '*' ? '*' : origin;
    headers['Access-Control-Expose-Headers'] = EXPOSED;
    headers['Vary'] = 'Origin';
    return true;
  };

  const server = createServer((req, res) => {
    const started = Date.now();
    const url = req.url ?? '/';
    const done = (status) => log(`${req.method} ${logPath(url)} ${status} ${Date.now() - started}ms`);
    const pathname = url.split('?')[0];
    if (pathname === prefix || pathname.startsWith(`${prefix}/`)) {
      const headers = {};
      if (!cors(req, headers)) {
        res.writeHead(403, { 'Content-Type': 'text/plain' }).end('origin not allowed\n');
        return done(403);
      }
      if (req.method === 'OPTIONS') {
        const wanted = String(req.headers['access-control-request-headers'] ?? '')
          .split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
        const refused = wanted.filter((h) => !ALLOWED_HEADERS.includes(h));
        if (refused.length) {
          res.writeHead(403, { ...headers, 'Content-Type': 'text/plain' }).end(`headers not allowed: ${refused.join(', ')}\n`);
          return done(403);
        }
        res.writeHead(204, {
          ...headers,
          'Access-Control-Allow-Methods': 'GET, HEAD, PUT, POST, DELETE',
          'Access-Control-Allow-Headers': ALLOWED_HEADERS.join(', '),
          'Access-Control-Max-Age': '600',
        }).end();
        return done(204);
      }
      const forward = {};
      for (const [name, value] of Object.entries(req.headers)) if (!DROP.has(name)) forward[name] = value;
      const upstream = send({
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: basePath + url.slice(prefix.length),
        headers: { ...forward, host: target.host },
      }, (up) => {
        const back = { ...headers };
        for (const [name, value] of Object.entries(up.headers)) if (!DROP_RESPONSE.has(name)) back[name] = value;
        res.writeHead(up.statusCode ?? 502, back);
        up.pipe(res);
        up.on('end', () => done(up.statusCode));
      });
      upstream.on('error', (error) => {
        if (res.headersSent) { res.destroy(); return; }
        res.writeHead(502, { ...headers, 'Content-Type': 'text/plain' }).end(`consul agent unreachable: ${error.code ?? error.message}\n`);
        done(502);
      });
      // the page gave up (an aborted watch, a closed tab): stop the blocking query upstream too
      res.on('close', () => { if (!res.writableFinished) upstream.destroy(); });
      req.pipe(upstream);
      return;
    }
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
  });
  // blocking queries last up to 10 minutes (+ jitter): no socket or request time limits here
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
    close: () => new Promise((ok) => { server.close(() => ok()); server.closeAllConnections(); }),
  };
}

// Command line: node examples/cors-proxy/server.mjs [--root DIR] [--target URL] [--port N] [--allow-origin ORIGIN]…
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name) => {
    const at = args.indexOf(`--${name}`);
    return at === -1 ? undefined : args[at + 1];
  };
  const allow = args.flatMap((a, i) => (a === '--allow-origin' ? [args[i + 1]] : []));
  const proxy = await startCorsProxy({
    target: opt('target') ?? process.env.CONSUL_HTTP_ADDR?.replace(/^(?!https?:\/\/)/, 'http://') ?? 'http://127.0.0.1:8500',
    root: opt('root'),
    port: Number(opt('port') ?? 8080),
    allowOrigins: allow.includes('*') ? '*' : allow,
    log: (line) => console.log(line),
  });
  console.log(`consulate cors proxy on ${proxy.url} (page) → ${proxy.url}/consul/* → agent`);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => proxy.close().then(() => process.exit(0)));
}
