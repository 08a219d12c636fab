/**
 * Explanations of connection failures in words that say what to change: which TLS option to set, a
 * refused connection, a wrong port or socket path, a closed client. Node's and OpenSSL's error codes
 * (and undici's, for errors that came through it) are read along the error's `cause` chain.
 * @module
 */
import type { ResolvedTls } from './tls.ts';

/** The `code` of the error a request on a closed consulate/node client fails with. @internal */
export const CLIENT_CLOSED = 'ERR_CONSULATE_CLIENT_CLOSED';

/**
 * The `code` of a connection consulate/node's connect timeout gave up on (nothing was sent; not Node's
 * `ETIMEDOUT`, which a kept-alive connection's `read` also raises). @internal
 */
export const CONNECT_TIMEOUT = 'ERR_CONSULATE_CONNECT_TIMEOUT';

/** Codes of certificate-verification failures (the server's certificate is not trusted). */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** Finds the most specific `code` in an error's cause chain. */
function errorCode(error: unknown): { code: string | undefined; message: string } {
  let current: unknown = error;
  let found: { code: string | undefined; message: string } = { code: undefined, message: tidy((error as Error)?.message ?? error) };
  for (let depth = 0; current !== null && typeof current === 'object' && depth < 5; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && !code.startsWith('UND_ERR_')) return { code, message: tidy(message) };
    if (typeof code === 'string' && found.code === undefined) found = { code, message: tidy(message) };
    current = (current as { cause?: unknown }).cause;
  }
  return found;
}

/** First line of a message; OpenSSL's `…:error:0A00010B:SSL routines:fn:reason:file:line:` becomes its reason. */
function tidy(message: unknown): string {
  const line = String(message).split('\n')[0]!.trim();
  return /error:[0-9A-F]+:[^:]*:[^:]*:([^:]+)/.exec(line)?.[1] ?? line;
}

/**
 * Explains a connection failure in words that say what to change: an untrusted server certificate,
 * a missing client certificate, a wrong port or socket path…
 * @param error - the failure (its `code`, or one along its `cause` chain, picks the explanation).
 * @param origin - the URL's origin the request went to.
 * @param socketPath - the Unix socket, when the connection goes through one.
 * @param tls - the TLS settings in use, if any (whether a client certificate was given changes the hint).
 * @internal
 */
export function explain(error: unknown, origin: string, socketPath: string | undefined, tls: ResolvedTls | undefined): string {
  const { code, message } = errorCode(error);
  const where = socketPath === undefined ? origin : `unix socket ${socketPath}`;
  const https = origin.startsWith('https:');
  const detail = code === undefined ? message : `${code}: ${message}`;
  if (code !== undefined && UNTRUSTED.has(code)) {
    return `${where}: TLS handshake failed, the server's certificate is not signed by a trusted CA (${detail}); ` +
      'give the CA that signed it as tls.ca/caFile/caPath (CONSUL_CACERT, CONSUL_CAPATH), or set rejectUnauthorized: false (CONSUL_HTTP_SSL_VERIFY=false) to skip verification';
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `${where}: TLS handshake failed, the server's certificate is not valid for this host name (${detail}); ` +
      'connect by a name the certificate lists or set tls.servername (CONSUL_TLS_SERVER_NAME), e.g. server.dc1.consul';
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return `${where}: TLS handshake failed, the server's certificate is outside its validity period (${detail})`;
  }
  if (code !== undefined && /^ERR_SSL_.*ALERT/.test(code)) {
    // the same words as the hang-up below (undici saw TLS 1.3's late rejection as a reset, node:https as this alert)
    const hint = tls?.hasClientCert
      ? 'the server rejected our client certificate; check that the client certificate tls.cert/certFile (CONSUL_CLIENT_CERT) is signed by a CA the agent trusts'
      : 'the server requires a client certificate (verify_incoming); give a client certificate: tls.cert/certFile and tls.key/keyFile (CONSUL_CLIENT_CERT, CONSUL_CLIENT_KEY)';
    return `${where}: TLS handshake failed, ${hint} (${detail})`;
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(message)) {
    return `${where}: TLS handshake failed, the server does not speak TLS on this port — is it the plain HTTP port? (${detail})`;
  }
  if (https && (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE')) {
    // under TLS 1.3 the agent checks the client certificate after the handshake and just hangs up
    const hint = tls?.hasClientCert
      ? 'check that the client certificate tls.cert/certFile (CONSUL_CLIENT_CERT) is signed by a CA the agent trusts'
      : 'give a client certificate: tls.cert/certFile and tls.key/keyFile (CONSUL_CLIENT_CERT, CONSUL_CLIENT_KEY)';
    return `${where}: the server closed the TLS connection (${detail}); if it verifies clients (verify_incoming), ${hint}`;
  }
  if (code === 'ECONNREFUSED') return `${where}: connection refused — is the Consul agent running and listening there? (${detail})`;
  if (code === 'ENOENT' && socketPath !== undefined) return `${where} does not exist — is the agent listening on it? (${detail})`;
  if (code === 'EACCES' && socketPath !== undefined) return `${where}: permission denied (${detail})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `${where}: host name not found (${detail})`;
  if (code === CONNECT_TIMEOUT || code === 'UND_ERR_CONNECT_TIMEOUT') return `${where}: connection not established in time (${detail})`;
  if (code === 'ETIMEDOUT') return `${where}: connection timed out (${detail})`;
  if (code === 'ERR_INVALID_CHAR') return `${where}: a header value holds a character HTTP does not allow (a line break or other control character), so nothing was sent (${detail})`;
  if (code === 'ERR_INVALID_HTTP_TOKEN') return `${where}: a header name is not a valid HTTP token, so nothing was sent (${detail})`;
  if (code === 'ERR_UNESCAPED_CHARACTERS') return `${where}: the request path holds unescaped characters, so nothing was sent (${detail})`;
  if (code === CLIENT_CLOSED || code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED') return `${where}: this client was closed (${detail})`;
  return `${where}: ${detail}`;
}
