/**
 * Agent failover, above every transport: a client whose `address` is a list sends each request to its
 * current address and, when that one fails, to the next, under one deadline for the whole request.
 * The transports only send to the base URL they are given ({@link Outgoing.apiUrl}) and say why they
 * failed; this module decides whether another address may be tried:
 *
 * - a connection failure before anything was sent (refused, unreachable, host not found, connect
 *   timeout, TLS handshake) moves any request on, writes included;
 * - a failure after the request may have been sent (a reset or hang-up, a garbled answer, a timeout
 *   that left time on the deadline, or a failure whose reason the runtime does not give — a browser's
 *   `fetch`) moves on only a request that may be replayed: idempotent, no stream body, and never a
 *   `?cas=`/`?acquire=` write.
 *
 * - a read answered 500 (an agent that cannot reach the servers, or is shutting down) asks the next
 *   address; the last address's answer is returned whatever it is.
 *
 * The address that answered becomes the client's current one (it sticks until it fails), so the next
 * request — a watch's next blocking read too — starts there. Internal: not a subpath export.
 * @module
 */
import { sleep } from './async.ts';
import type { ResolvedConfig } from './config.ts';
import { isNetworkError, isTimeoutError, NetworkError, TimeoutError } from './errors.ts';
import type { Outgoing, Transport } from './http.ts';
import { redact } from './redact.ts';
import { backoff, BACKOFF } from './retry.ts';

/**
 * `ETIMEDOUT` is a failure to connect only from the `connect` system call: Node raises `read ETIMEDOUT`
 * on an established (kept-alive) connection too, after which the request may have been sent.
 */
const CONNECT_ONLY = 'ETIMEDOUT';

/**
 * The fetch standard's local refusal of a blocked port (`127.0.0.1:1`, `:25`…): undici says it with this
 * message and no code; nothing was sent.
 */
const BAD_PORT = 'bad port';

/**
 * Codes of failures to connect: nothing of the request reached the server, so any request may go
 * elsewhere (Node's and undici's codes, Bun's `ConnectionRefused`, OpenSSL's handshake failures).
 */
const NOT_SENT = new Set([
  'ECONNREFUSED', 'ConnectionRefused', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT', 'ERR_CONSULATE_CONNECT_TIMEOUT', 'ENOENT', 'EADDRNOTAVAIL',
  CONNECT_ONLY, // (as the codes() below give it: from `connect` only)
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER', BAD_PORT,
]);

/**
 * Codes that say another attempt anywhere would fail the same way: a closed consulate/node client, and
 * a request Node refuses to send (a header name or value, or a path, with characters HTTP does not allow).
 */
const FINAL = new Set([
  'ERR_CONSULATE_CLIENT_CLOSED', 'UND_ERR_DESTROYED', 'UND_ERR_CLOSED',
  'ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN', 'ERR_UNESCAPED_CHARACTERS',
]);

/** How a failed attempt failed, as far as failover is concerned. */
export type AttemptFailure = 'not-sent' | 'maybe-sent' | 'timeout' | 'final';


/** The codes along an error's `cause` chain (and an AggregateError's first error), outermost first. */
function codes(error: unknown): string[] {
  const found: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const { code, cause, errors, message, syscall } = current as { code?: unknown; cause?: unknown; errors?: unknown; message?: unknown; syscall?: unknown };
    if (code === CONNECT_ONLY) found.push(syscall === 'connect' ? code : `${code} (${String(syscall)})`);
    else if (typeof code === 'string' && code !== '') found.push(code);
    else if (message === BAD_PORT) found.push(BAD_PORT);
    current = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return found;
}

/**
 * Classifies a transport's failure: `not-sent` (a connection failure: nothing reached the server),
 * `maybe-sent` (the request may have been sent: a reset or hang-up, an answer that is not HTTP, or a
 * failure without a code — what a browser's `fetch` gives for everything), `timeout`, or `final`
 * (anything else: an abort, a closed client, a programming error — not retried anywhere).
 */
export function classifyFailure(error: unknown): AttemptFailure {
  if (isTimeoutError(error)) return 'timeout';
  if (!isNetworkError(error)) return 'final';
  return classifyCauses((error as { cause?: unknown }).cause);
}

/** {@link classifyFailure} of a raw `fetch` failure (a `TypeError` whose `cause` chain has the codes), not a transport's `NetworkError`. */
export function classifyFetchFailure(error: unknown): Exclude<AttemptFailure, 'timeout'> {
  return classifyCauses(error);
}

function classifyCauses(error: unknown): Exclude<AttemptFailure, 'timeout'> {
  const found = codes(error);
  if (found.some((code) => FINAL.has(code))) return 'final';
  return found.some((code) => NOT_SENT.has(code)) ? 'not-sent' : 'maybe-sent';
}

/** Per client (per resolved address list, shared by `withConfig` copies): the index of the current address. */
const currentAddress = new WeakMap<readonly string[], { at: number }>();

/** The failover state of a client's address list. */
function stateOf(apiUrls: readonly string[]): { at: number } {
  let state = currentAddress.get(apiUrls);
  if (state === undefined) currentAddress.set(apiUrls, (state = { at: 0 }));
  return state;
}

/** The index of the address a client's next request goes to (0 until one fails). @internal */
export function currentAddressIndex(config: Pick<ResolvedConfig, 'apiUrls'>): number {
  return stateOf(config.apiUrls).at;
}

/** Query parameters that make a write conditional: such a write is never replayed after a possible send. */
const CONDITIONAL = ['cas', 'acquire'];

/** Bodies that can be sent again as they are (a stream is consumed by the first attempt). */
function replayableBody(body: Outgoing['body']): boolean {
  return body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer ||
    (typeof Blob !== 'undefined' && body instanceof Blob) || body instanceof URLSearchParams ||
    (typeof FormData !== 'undefined' && body instanceof FormData);
}

/** What a failed attempt says about an address, for the final error's message. */
function reasonOf(error: unknown, request: Outgoing): string {
  const message = error instanceof Error ? error.message : String(error);
  // the transports' messages start with the request ("GET /v1/kv/x failed: "); the address follows
  const head = `${request.method} /v1/${request.path} `;
  return message.startsWith(head) ? message.slice(head.length).replace(/^failed: /, '') : message;
}

/**
 * Sends `request` to the client's current address and fails over along `config.apiUrls` as
 * `ClientConfig.address` describes, within one deadline (`request.timeout`).
 * @param replayable - whether the request may be sent again after it may have reached an agent (an idempotent read).
 * @throws {NetworkError} when no address could take the request; the message lists each address tried and why.
 * @throws {TimeoutError} when the deadline passed; the message lists the addresses tried.
 * @internal
 */
export async function sendWithFailover(
  transport: Transport,
  config: Pick<ResolvedConfig, 'apiUrls' | 'retry'>,
  request: Outgoing,
  replayable: boolean,
): Promise<Response> {
  const { apiUrls } = config;
  const state = stateOf(apiUrls);
  const start = state.at;
  const deadline = request.timeout === false ? Number.POSITIVE_INFINITY : Date.now() + request.timeout;
  const again = replayable && replayableBody(request.body) && !CONDITIONAL.some((name) => request.query.has(name));
  // reads get the retry policy's rounds over the list, writes one (as with one address)
  const rounds = 1 + (replayable ? config.retry.limit : 0);
  const tried: string[] = [];
  const where = { method: request.method, path: `/v1/${request.path}` };
  let last: unknown;
  let stop: string | undefined;
  let timedOut = false;
  outer: for (let round = 0; round < rounds; round++) {
    if (round > 0) {
      const delay = backoff(round, BACKOFF.request(config.retry));
      if (Date.now() + delay >= deadline) break;
      await sleep(delay, request.signal);
      request.signal?.throwIfAborted();
    }
    for (let step = 0; step < apiUrls.length; step++) {
      const at = (start + step) % apiUrls.length;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        timedOut = true;
        break outer;
      }
      const apiUrl = apiUrls[at]!;
      try {
        const response = await transport.send({
          ...request,
          apiUrl,
          timeout: request.timeout === false ? false : Math.ceil(remaining),
          // a connection failure goes to the next address at once, not to the same one after a backoff
          networkRetries: false,
        });
        if (response.status === 500 && again && step < apiUrls.length - 1 && !request.accept?.includes(500)) {
          // an agent that cannot reach the servers (one shutting down answers "rpc error making call: EOF"):
          // a read may ask another agent; the last address's answer is returned whatever it is
          tried.push(`${redact(apiUrl)} (answered 500)`);
          await response.arrayBuffer().catch(() => undefined);
          if (state.at === at) state.at = (at + 1) % apiUrls.length;
          continue;
        }
        state.at = at; // the address that answered sticks
        return response;
      } catch (error) {
        request.signal?.throwIfAborted();
        const kind = classifyFailure(error);
        if (kind === 'final') throw error;
        last = error;
        tried.push(`${redact(apiUrl)} (${kind === 'timeout' ? `no answer before the deadline: ${reasonOf(error, request)}` : reasonOf(error, request)})`);
        // this address failed: the client's next request starts at the next one (unless another request moved it already)
        if (state.at === at) state.at = (at + 1) % apiUrls.length;
        if (kind === 'timeout') timedOut = true;
        if (kind !== 'not-sent' && !again) {
          stop = !replayable
            ? `${request.method} is not idempotent, so it was not sent again after a possible send`
            : !replayableBody(request.body)
              ? 'its stream body cannot be sent twice'
              : 'a ?cas=/?acquire= write is never replayed after a possible send';
          break outer;
        }
      }
    }
  }
  const list = tried.length === 0 ? 'no address was tried' : `tried ${tried.join('; ')}`;
  if (timedOut || isTimeoutError(last)) {
    throw new TimeoutError(`${request.method} /v1/${request.path} timed out after ${request.timeout} ms (one deadline for every address): ${list}`, { ...where, cause: last });
  }
  throw new NetworkError(`${request.method} /v1/${request.path} failed on ${tried.length === 1 ? 'its address' : `${tried.length} attempts`}: ${list}${stop ? `; ${stop}` : ''}`, {
    ...where,
    cause: last,
  });
}
