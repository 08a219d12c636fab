// A counting TCP proxy for HTTP/1.1, for tests that must know what a client put on the wire: which
// requests, how many, on how many connections — whatever transport the client uses (the global fetch,
// undici's dispatcher, node:http), and including any retry a transport makes on its own. It listens on
// 127.0.0.1:0, forwards every connection byte for byte to `target`, and reads the client's side of
// each connection as a stream of HTTP/1.1 requests (keep-alive, several requests per connection,
// pipelined ones too; bodies by Content-Length or chunked) to record each request's method and path.
// Written on node:net and independent of the code under test.
//
//   import { startCountingProxy } from '../support/counting-proxy.mjs';
//   const proxy = await startCountingProxy(agent.address);   // 'http://127.0.0.24:8500' or { host, port }
//   const client = createClient({ address: proxy.address });
//   …
//   proxy.count({ method: 'PUT', path: '/v1/kv/a' });          // requests with that method and path
//   await proxy.close();
//
// A request is counted when its head (request line and headers) has arrived, before it is forwarded:
// by the time the client has an answer, the request is counted. A connection the target refuses (the
// agent is down) is held until the client's first request has arrived and been counted (at most
// `refusedGraceMs`, 1 s by default), then reset: a request the client sends to a dead agent counts too.
// Bytes that are not HTTP/1.x requests stop the parsing of that connection and are reported in
// `errors` (forwarding goes on), so a test can check that its counts are complete.
import { connect, createServer } from 'node:net';

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD = 64 * 1024;

/** `target` as { host, port }: a URL (`http://h:p`), `h:p`, or { host, port }. */
function parseTarget(target) {
  if (typeof target !== 'string') return { host: target.host, port: Number(target.port) };
  const url = new URL(target.includes('://') ? target : `tcp://${target}`);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

/**
 * A push parser for the client side of one connection: `push(chunk)` and it calls `onRequest` with
 * every request head that completes. Throws on bytes that are not an HTTP/1.x request stream.
 */
function requestParser(onRequest) {
  let buffer = Buffer.alloc(0);
  let state = 'head'; // head | body | chunk-size | chunk-data | chunk-crlf | trailers
  let remaining = 0; // bytes left of the body or of the current chunk (+ its CRLF)

  const line = () => {
    const at = buffer.indexOf(CRLF);
    if (at === -1) return undefined;
    const text = buffer.subarray(0, at).toString('latin1');
    buffer = buffer.subarray(at + 2);
    return text;
  };

  function head() {
    // RFC 9112 §2.2: empty lines before a request line are ignored
    while (buffer.length >= 2 && buffer[0] === 0x0d && buffer[1] === 0x0a) buffer = buffer.subarray(2);
    const end = buffer.indexOf(HEAD_END);
    if (end === -1) {
      if (buffer.length > MAX_HEAD) throw new Error(`no end of request head in ${buffer.length} bytes`);
      return false;
    }
    const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
    buffer = buffer.subarray(end + 4);
    const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.[01]$/.exec(lines[0]);
    if (!match) throw new Error(`not an HTTP/1.x request line: ${JSON.stringify(lines[0].slice(0, 120))}`);
    const headers = {};
    for (const header of lines.slice(1)) {
      const colon = header.indexOf(':');
      if (colon <= 0) throw new Error(`malformed header line: ${JSON.stringify(header.slice(0, 120))}`);
      const name = header.slice(0, colon).trim().toLowerCase();
      const value = header.slice(colon + 1).trim();
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }
    const [method, target] = [match[1], match[2]];
    const query = target.indexOf('?');
    onRequest({ method, path: target, pathname: query === -1 ? target : target.slice(0, query), headers });
    const encoding = headers['transfer-encoding'];
    if (encoding !== undefined && /(^|,)\s*chunked\s*$/i.test(encoding)) {
      state = 'chunk-size';
    } else if (encoding !== undefined) {
      throw new Error(`request body with transfer-encoding ${encoding} cannot be delimited`);
    } else if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (!Number.isSafeInteger(length) || length < 0) throw new Error(`bad content-length ${headers['content-length']}`);
      remaining = length;
      state = remaining > 0 ? 'body' : 'head';
    }
    return true;
  }

  function step() {
    switch (state) {
      case 'head':
        return head();
      case 'body':
      case 'chunk-data': {
        if (buffer.length === 0) return false;
        const n = Math.min(remaining, buffer.length);
        buffer = buffer.subarray(n);
        remaining -= n;
        if (remaining === 0) state = state === 'body' ? 'head' : 'chunk-crlf';
        return true;
      }
      case 'chunk-crlf': {
        if (buffer.length < 2) return false;
        if (buffer[0] !== 0x0d || buffer[1] !== 0x0a) throw new Error('no CRLF after a chunk');
        buffer = buffer.subarray(2);
        state = 'chunk-size';
        return true;
      }
      case 'chunk-size': {
        const text = line();
        if (text === undefined) {
          if (buffer.length > MAX_HEAD) throw new Error('chunk size line too long');
          return false;
        }
        const size = /^([0-9a-fA-F]+)\s*(;.*)?$/.exec(text);
        if (!size) throw new Error(`bad chunk size line ${JSON.stringify(text.slice(0, 120))}`);
        remaining = Number.parseInt(size[1], 16);
        state = remaining === 0 ? 'trailers' : 'chunk-data';
        return true;
      }
      case 'trailers': {
        const text = line();
        if (text === undefined) return false;
        if (text === '') state = 'head';
        return true;
      }
    }
    throw new Error(`parser state ${state}`);
  }

  return {
    push(chunk) {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      while (step());
    },
  };
}

/**
 * Starts a counting proxy to `target` on a free port of 127.0.0.1.
 * @param {string | { host: string, port: number | string }} target
 * @param {{ refusedGraceMs?: number }} [options]
 */
export async function startCountingProxy(target, options = {}) {
  const { host, port } = parseTarget(target);
  const graceMs = options.refusedGraceMs ?? 1000;
  const requests = [];
  const errors = [];
  const sockets = new Set();
  let connections = 0;

  const server = createServer((client) => {
    const id = connections++;
    let counted = 0; // requests of this connection
    let doomed = false; // the target refused: reset the client once its first request is counted
    let graceTimer;
    const upstream = connect({ host, port });
    sockets.add(client);
    sockets.add(upstream);
    let parser = requestParser((request) => {
      counted++;
      requests.push({ ...request, connection: id, at: Date.now() });
      if (doomed) drop();
    });
    const drop = () => {
      clearTimeout(graceTimer);
      if (!client.destroyed) client.resetAndDestroy();
      upstream.destroy();
    };

    client.on('data', (chunk) => {
      if (parser) {
        try {
          parser.push(chunk);
        } catch (error) {
          errors.push(`connection ${id}: ${error.message}`);
          parser = undefined; // stop counting this connection, keep forwarding
        }
      }
      if (!doomed && !upstream.destroyed) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!client.destroyed) client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => {
      if (counted > 0 || client.destroyed) {
        // lost mid-connection (the agent died): reset the client as the agent's kernel would
        drop();
        return;
      }
      // refused (the agent is down): count what the client sends before resetting it
      doomed = true;
      graceTimer = setTimeout(drop, graceMs);
    });
    client.on('close', () => {
      sockets.delete(client);
      clearTimeout(graceTimer);
      upstream.destroy();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      if (!doomed) client.end();
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const listening = server.address().port;

  const matches = (request, filter) =>
    (filter.method === undefined || request.method === filter.method.toUpperCase()) &&
    (filter.path === undefined ||
      (typeof filter.path === 'string' ? request.pathname === filter.path : filter.path.test(request.pathname)));

  let closing;
  const close = () =>
    (closing ??= new Promise((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }));

  return {
    address: `http://127.0.0.1:${listening}`,
    port: listening,
    target: { host, port },
    requests,
    errors,
    get connections() {
      return connections;
    },
    count(filter = {}) {
      let n = 0;
      for (const request of requests) if (matches(request, filter)) n++;
      return n;
    },
    routes(filter = {}) {
      const counts = {};
      for (const request of requests) {
        if (!matches(request, filter)) continue;
        const route = `${request.method} ${request.pathname}`;
        counts[route] = (counts[route] ?? 0) + 1;
      }
      return counts;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
