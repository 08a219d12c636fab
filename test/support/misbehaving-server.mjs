// A scripted HTTP server that misbehaves on demand, for what a real agent or cluster can't do when
// asked: accept a connection and never answer, answer bytes that are not HTTP, send the status and
// headers and then stall mid-body, answer like a proxy with a wrong path prefix (an HTML 404), send a
// 409 with a long transaction body… Written on node:net so every byte is under the script's control.
//
//   import { startMisbehavingServer } from '../support/misbehaving-server.mjs';
//   const server = await startMisbehavingServer('stall-body');            // every request stalls mid-body
//   const client = new Consul({ address: server.address, timeout: 1000 });
//   …
//   await server.close();
//
// The script is a mode name, a mode object with options (`{ mode: 'stall-body', contentLength: 100 }`),
// or a function `(request, n) => mode | object` called for every request (n counts from 0), e.g.
// `(req, n) => n === 0 ? 'never-answer' : { mode: 'respond', body: '[]' }` for a first attempt that
// hangs and a retry that works. `server.requests` lists what was received (method, path, headers, body).
//
// Modes:
//   'never-answer'  reads the request, sends nothing, keeps the connection open.
//   'garbage'       answers bytes that are not HTTP, then closes (`close: false` keeps it open).
//   'stall-body'    status + headers (Content-Length: `contentLength`, default 100; or `chunked: true`),
//                   then `body` (default 8 bytes, `[{"Key":`) and nothing more, connection kept open.
//   'drip'          status + headers, then `chunk` (default ' ') every `interval` ms (default 100),
//                   `count` times (default 20), then completes: a slow body that keeps coming.
//   'foreign-404'   an nginx-style HTML 404 page, no X-Consul-* headers.
//   'txn-409'       409 application/json {"Results":null,"Errors":[…]} with `errors` entries (default 20).
//   'respond'       a complete answer: `status` (200), `headers`, `body` ('' by default).
//   'reset'         closes the connection at once without answering.
// Options common to the answering modes: `status`, `statusText`, `headers` (added to or replacing the
// defaults). `startMisbehavingServer(script, { tls: { key, cert } })` serves HTTPS instead.
import { createServer as createNetServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

const STATUS_TEXT = { 200: 'OK', 404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error' };

/** The body of an nginx 404, what a proxy answers for a path it does not route. */
export const FOREIGN_404_BODY =
  '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n';

/** A 409 transaction body as Consul 1.8.7 sends it, with `count` failed `cas` ops. */
export function txnConflictBody(count = 20) {
  const errors = Array.from({ length: count }, (_, i) => ({
    OpIndex: i,
    What: `failed to set key "test/txn/key-${i}", index is stale`,
  }));
  return JSON.stringify({ Results: null, Errors: errors });
}

function head(status, statusText, headers) {
  const lines = [`HTTP/1.1 ${status} ${statusText ?? STATUS_TEXT[status] ?? 'Unknown'}`];
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && value !== null) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

const consulHeaders = { 'Content-Type': 'application/json', 'X-Consul-Index': '7', 'X-Consul-Knownleader': 'true', 'X-Consul-Lastcontact': '0' };

/** Carries out one step of the script on a socket; returns whether the connection can take another request. */
function act(socket, step) {
  const spec = typeof step === 'string' ? { mode: step } : step;
  const { mode } = spec;
  const extra = spec.headers ?? {};
  const date = new Date().toUTCString();
  switch (mode) {
    case 'never-answer':
      return false;
    case 'reset':
      socket.destroy();
      return false;
    case 'garbage':
      socket.write('SSH-2.0-OpenSSH_8.4p1 Debian-5\r\n\x00\x01\x02 this is not HTTP\r\n');
      if (spec.close !== false) socket.end();
      return false;
    case 'stall-body': {
      const body = Buffer.from(spec.body ?? '[{"Key":');
      const headers = spec.chunked
        ? { ...consulHeaders, Date: date, 'Transfer-Encoding': 'chunked', ...extra }
        : { ...consulHeaders, Date: date, 'Content-Length': String(spec.contentLength ?? 100), ...extra };
      socket.write(head(spec.status ?? 200, spec.statusText, headers));
      if (spec.chunked) socket.write(`${body.length.toString(16)}\r\n${body}\r\n`);
      else socket.write(body);
      return false;
    }
    case 'drip': {
      const chunk = Buffer.from(spec.chunk ?? ' ');
      const count = spec.count ?? 20;
      socket.write(head(spec.status ?? 200, spec.statusText, { ...consulHeaders, 'Content-Type': 'text/plain', Date: date, 'Content-Length': String(chunk.length * count), ...extra }));
      let sent = 0;
      const timer = setInterval(() => {
        if (socket.destroyed) return clearInterval(timer);
        socket.write(chunk);
        if (++sent === count) clearInterval(timer);
      }, spec.interval ?? 100);
      socket.once('close', () => clearInterval(timer));
      return false;
    }
    case 'foreign-404':
      return answer(socket, { status: 404, headers: { Server: 'nginx/1.18.0', 'Content-Type': 'text/html', ...extra }, body: spec.body ?? FOREIGN_404_BODY });
    case 'txn-409':
      return answer(socket, { status: 409, headers: { ...consulHeaders, ...extra }, body: spec.body ?? txnConflictBody(spec.errors ?? 20) });
    case 'respond':
      return answer(socket, { status: spec.status ?? 200, statusText: spec.statusText, headers: { ...consulHeaders, ...extra }, body: spec.body ?? '' });
    default:
      throw new Error(`misbehaving server: unknown mode ${JSON.stringify(mode)}`);
  }
}

function answer(socket, { status, statusText, headers, body }) {
  const bytes = Buffer.from(body);
  socket.write(head(status, statusText, { Date: new Date().toUTCString(), ...headers, 'Content-Length': String(bytes.length) }));
  socket.write(bytes);
  return true;
}

/**
 * Starts a misbehaving server on a free port of 127.0.0.1.
 * @param {string | object | ((request: object, n: number) => string | object)} script
 * @param {{ tls?: { key: string | Buffer, cert: string | Buffer } }} [options]
 */
export async function startMisbehavingServer(script, options = {}) {
  const sockets = new Set();
  const requests = [];
  const onConnection = (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    let busy = false; // a request was answered with a mode that owns the connection from now on
    socket.on('data', (data) => {
      if (busy) return;
      buffer = Buffer.concat([buffer, data]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
        const [method, path] = lines[0].split(' ');
        const headers = {};
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        let rest = buffer.subarray(end + 4);
        let body;
        if (headers['transfer-encoding']?.includes('chunked')) {
          const last = rest.indexOf('0\r\n\r\n');
          if (last === -1) return; // wait for the whole chunked body
          body = rest.subarray(0, last + 5);
          rest = rest.subarray(last + 5);
        } else {
          const length = Number(headers['content-length'] ?? 0);
          if (rest.length < length) return;
          body = rest.subarray(0, length);
          rest = rest.subarray(length);
        }
        buffer = rest;
        const request = { method, path, headers, body: body.toString('utf8') };
        const n = requests.length;
        requests.push(request);
        const step = typeof script === 'function' ? script(request, n) : script;
        if (!act(socket, step)) {
          busy = true;
          return;
        }
      }
    });
  };
  const server = options.tls ? createTlsServer(options.tls, onConnection) : createNetServer(onConnection);
  server.on('tlsClientError', () => {});
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const address = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  let closing;
  return {
    address,
    port,
    requests,
    /** Connections currently open. */
    get connections() {
      return sockets.size;
    },
    close() {
      closing ??= new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closing;
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
}
