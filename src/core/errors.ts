/**
 * Errors thrown by consulate. Every error extends {@link ConsulError}; each failure case has its own
 * class and a type guard (`isNotFoundError(e)` …) that also works across realms (iframes, workers,
 * duplicated copies of the package), because it checks a `Symbol.for` brand instead of `instanceof`.
 *
 * The ACL token is never part of an error: paths are redacted and headers are not kept.
 *
 * The Python consulate's exceptions map onto these: `ConsulateException` → {@link ConsulError},
 * `RequestError` → {@link NetworkError} (or {@link TimeoutError}), `ClientError` (400) →
 * {@link BadRequestError}, `ACLDisabled` (401) → {@link ACLDisabledError}, `Forbidden` (403) →
 * {@link ForbiddenError}, `NotFound` (404) → {@link NotFoundError}, `ServerError` (500) → {@link ServerError}
 * (any 5xx), `ACLFormatError` → {@link InputError}, `LockFailure` → {@link LockHeldError} (or
 * {@link LockTimeoutError}, {@link LockConflictError}).
 * @module
 */

import { redact } from './redact.ts';

const BRAND = Symbol.for('consulate.error');

/**
 * The kinds of error consulate throws, one per class: `error.kind` holds one of them.
 */
export type ConsulErrorKind =
  | 'ConsulError'
  | 'ConfigError'
  | 'InputError'
  | 'HttpError'
  | 'BadRequestError'
  | 'ACLDisabledError'
  | 'ForbiddenError'
  | 'NotFoundError'
  | 'ConflictError'
  | 'TooManyRequestsError'
  | 'ServerError'
  | 'TimeoutError'
  | 'NetworkError'
  | 'ResponseValidationError'
  | 'TransactionError'
  | 'LockHeldError'
  | 'LockTimeoutError'
  | 'LockConflictError'
  | 'LockLostError'
  | 'NoInstancesError';

/**
 * The class each kind extends, for the kinds that extend another than {@link ConsulError} (every
 * branded error is a `ConsulError`): a guard accepts its kind and every kind below it. Kept to these
 * few entries so that a bundle with one guard stays small; test/core/errors.test.ts checks the guards
 * against the class hierarchy.
 */
const PARENT: { readonly [K in ConsulErrorKind]?: ConsulErrorKind } = {
  BadRequestError: 'HttpError',
  ACLDisabledError: 'HttpError',
  ForbiddenError: 'HttpError',
  NotFoundError: 'HttpError',
  ConflictError: 'HttpError',
  TooManyRequestsError: 'HttpError',
  ServerError: 'HttpError',
  TransactionError: 'ConflictError',
};

/** Facts about the request that failed (never the token). */
export interface ErrorContext {
  /** HTTP method, e.g. `GET`. */
  method?: string;
  /** Request path and query, with any `token` parameter redacted. */
  path?: string;
  /** HTTP status, when a response arrived. */
  status?: number;
  /**
   * Consul's own error text from the response body, when there was one: the whole text up to 64 KiB
   * (an HTML page becomes its title); `message` shows at most 500 characters of it.
   */
  consulMessage?: string;
  /** The underlying cause. */
  cause?: unknown;
}

/** Base class of every error consulate throws (the Python consulate's `ConsulateException`). */
export class ConsulError extends Error {
  /** Which kind of error this is; stable across realms and minification. */
  readonly kind: ConsulErrorKind;
  /** HTTP method of the failed request, when there was one. */
  readonly method: string | undefined;
  /** Path of the failed request (token redacted), when there was one. */
  readonly path: string | undefined;
  /** HTTP status, when a response arrived. */
  readonly status: number | undefined;
  /** Consul's error text, when the response carried one: whole up to 64 KiB, where `message` shows 500 characters. */
  readonly consulMessage: string | undefined;

  /**
   * Creates an error; the path in `context` is stored with any token redacted.
   * @param message - what went wrong.
   * @param context - facts about the request (method, path, status, Consul's message, cause).
   * @param kind - the error's {@link ConsulErrorKind} (subclasses pass their own).
   */
  constructor(message: string, context: ErrorContext = {}, kind: ConsulErrorKind = 'ConsulError') {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = kind;
    this.kind = kind;
    this.method = context.method;
    this.path = context.path === undefined ? undefined : redact(context.path);
    this.status = context.status;
    this.consulMessage = context.consulMessage;
    Object.defineProperty(this, BRAND, { value: kind });
  }
}

/** Invalid client configuration (bad URL, port out of range, unknown scheme…), thrown by `createClient`. */
export class ConfigError extends ConsulError {
  /**
   * Creates a configuration error.
   * @param message - what is wrong with the configuration.
   * @param context - facts about the request, if any.
   */
  constructor(message: string, context?: ErrorContext) {
    super(message, context, 'ConfigError');
  }
}

/**
 * A bad argument, found before anything was sent (value too large, bad flags, bad duration, a policy link
 * without `ID` or `Name` — the Python consulate's `ACLFormatError` —…).
 */
export class InputError extends ConsulError {
  /**
   * Creates an input error.
   * @param message - which argument is wrong and why.
   * @param context - facts about the request, if any.
   */
  constructor(message: string, context?: ErrorContext) {
    super(message, context, 'InputError');
  }
}

/** Consul answered with an error status. Subclasses narrow the common statuses. */
export class HttpError extends ConsulError {
  /**
   * Creates an error for a response with an error status.
   * @param message - what went wrong.
   * @param context - facts about the request and its response.
   * @param kind - the subclass's {@link ConsulErrorKind}.
   */
  constructor(message: string, context: ErrorContext, kind: ConsulErrorKind = 'HttpError') {
    super(message, context, kind);
  }
}

/** 400: Consul rejected the request as malformed (the Python consulate's `ClientError`). */
export class BadRequestError extends HttpError {
  /**
   * Creates an error for a 400 response.
   * @param message - what went wrong.
   * @param context - facts about the request and its response.
   */
  constructor(message: string, context: ErrorContext) {
    super(message, context, 'BadRequestError');
  }
}

/**
 * 401 `ACL support disabled`: an ACL endpoint (or the agent's token endpoint) on a Consul whose ACL
 * system is not enabled (consulate's `ACLDisabled`).
 */
export class ACLDisabledError extends HttpError {
  /**
   * Creates an error for Consul's 401 `ACL support disabled`.
   * @param message - what went wrong.
   * @param context - facts about the request and its response.
   */
  constructor(message: string, context: ErrorContext) {
    super(message, context, 'ACLDisabledError');
  }
}

/** 403: permission denied, or an unknown ACL token (Consul's "ACL not found"); the Python consulate's `Forbidden`. */
export class ForbiddenError extends HttpError {
  /**
   * Creates an error for a 403 response.
   * @param message - what went wrong.
   * @param context - facts about the request and its response.
   */
  constructor(message: string, context: ErrorContext) {
    super(message, context, 'ForbiddenError');
  }
}

/** 404 where the endpoint does not treat "missing" as data (the Python consulate's `NotFound`). */
export class NotFoundError extends HttpError {
  /**
   * Creates an error for a 404 response.
   * @param message - what went wrong.
   * @param context - facts about the request and its response.
   */
  constructor(message: string, context: ErrorContext) {
    super(message, context, 'NotFoundError');
  }
}

/** 409: a conflict (a failed transaction throws the more specific {@link TransactionError}). */
export class ConflictError extends HttpError {
  /**
   * Creates an error for a 409 response.
   * @param message - what went wrong.
   * @param context - facts about the request and its response.
   * @param kind - the subclass's {@link ConsulErrorKind}.
   */
  constructor(message: string, context: ErrorContext, kind: ConsulErrorKind = 'ConflictError') {
    super(message, context, kind);
  }
}

/** 429: rate limited (after the configured retries, which honour `Retry-After`). */
export class TooManyRequestsError extends HttpError {
  /**
   * Creates an error for a 429 response.
   * @param message - what went wrong.
   * @param context - facts about the request and its response.
   */
  constructor(message: string, context: ErrorContext) {
    super(message, context, 'TooManyRequestsError');
  }
}

/** 5xx: Consul (or a proxy) failed; Consul also reports many validation failures as 500 (the Python consulate's `ServerError`, 500 only). */
export class ServerError extends HttpError {
  /**
   * Creates an error for a 5xx response.
   * @param message - what went wrong.
   * @param context - facts about the request and its response.
   */
  constructor(message: string, context: ErrorContext) {
    super(message, context, 'ServerError');
  }
}

/**
 * The request did not complete within its timeout: no response headers within `timeout` (blocking
 * reads add their `wait` and wait/16 to it), or, once they arrived, a body that sent nothing for
 * `timeout` ms (reading it, or a streamed body such as a snapshot, fails with this error).
 */
export class TimeoutError extends ConsulError {
  /**
   * Creates a timeout error.
   * @param message - what timed out and after how long.
   * @param context - facts about the request.
   */
  constructor(message: string, context?: ErrorContext) {
    super(message, context, 'TimeoutError');
  }
}

/**
 * The request could not be sent or its response not received; the message names the URL (token
 * redacted) and the reason (`ECONNREFUSED`, a TLS code such as `DEPTH_ZERO_SELF_SIGNED_CERT`, or, in a
 * browser that gives none, a likely CORS or network failure); `cause` holds the original error. The
 * Python consulate's `RequestError`.
 */
export class NetworkError extends ConsulError {
  /**
   * Creates a network error.
   * @param message - what failed.
   * @param context - facts about the request; `cause` is the original error.
   */
  constructor(message: string, context?: ErrorContext) {
    super(message, context, 'NetworkError');
  }
}

/** One problem found while checking a response, with the path to the offending field. */
export interface ValidationIssue {
  /** Dotted path to the field, e.g. `0.Flags`. */
  path: string;
  /** What was wrong. */
  message: string;
}

/** A response did not have the shape consulate expects (or a value could not be decoded). */
export class ResponseValidationError extends ConsulError {
  /** The problems found, from valibot. */
  readonly issues: readonly ValidationIssue[];
  /**
   * Creates a response validation error.
   * @param message - what did not match.
   * @param issues - the problems found.
   * @param context - facts about the request and its response.
   */
  constructor(message: string, issues: readonly ValidationIssue[], context?: ErrorContext) {
    super(message, context, 'ResponseValidationError');
    this.issues = issues;
  }
}

/** One operation's failure inside a rolled-back transaction. */
export interface TransactionOpError {
  /** Index of the failed operation in the submitted list. */
  OpIndex: number;
  /** Consul's explanation. */
  What: string;
}

/** 409 from `/v1/txn`: the whole transaction was rolled back; `errors` says which operations failed. */
export class TransactionError extends ConflictError {
  /** Per-operation errors as Consul reported them: every one (the `message` summarizes the first few). */
  readonly errors: readonly TransactionOpError[];
  /**
   * Creates an error for a rolled-back transaction.
   * @param message - what went wrong.
   * @param errors - the per-operation errors Consul reported.
   * @param context - facts about the request and its response.
   */
  constructor(message: string, errors: readonly TransactionOpError[], context: ErrorContext) {
    super(message, context, 'TransactionError');
    this.errors = errors;
  }
}

/** Facts about a lock or semaphore failure. */
export interface LockErrorContext extends ErrorContext {
  /** The lock key, or the semaphore's prefix. */
  key: string;
  /** The session holding the lock, when known. */
  holder?: string | undefined;
}

/**
 * A lock or semaphore is held by someone else and the caller asked not to wait (`tryOnce`), or a
 * lock-delay is in effect. `holder` is the holding session when known. The Python consulate's `LockFailure`
 * (its locks never wait).
 */
export class LockHeldError extends ConsulError {
  /** The lock key (or semaphore prefix). */
  readonly key: string;
  /** The session holding the lock, when known. */
  readonly holder: string | undefined;
  /**
   * Creates a lock-held error.
   * @param message - what went wrong.
   * @param context - the key and, when known, the holding session.
   */
  constructor(message: string, context: LockErrorContext) {
    super(message, context, 'LockHeldError');
    this.key = context.key;
    this.holder = context.holder;
  }
}

/** A lock or semaphore could not be acquired within the `wait` the caller gave. */
export class LockTimeoutError extends ConsulError {
  /** The lock key (or semaphore prefix). */
  readonly key: string;
  /**
   * Creates a lock timeout error.
   * @param message - what went wrong.
   * @param context - the key.
   */
  constructor(message: string, context: LockErrorContext) {
    super(message, context, 'LockTimeoutError');
    this.key = context.key;
  }
}

/**
 * The key is not a lock of this kind: it has other flags (a plain key, a semaphore where a lock
 * was expected or the reverse), or a semaphore's limit disagrees with the caller's.
 */
export class LockConflictError extends ConsulError {
  /** The lock key (or semaphore prefix). */
  readonly key: string;
  /**
   * Creates a lock conflict error.
   * @param message - what went wrong.
   * @param context - the key.
   */
  constructor(message: string, context: LockErrorContext) {
    super(message, context, 'LockConflictError');
    this.key = context.key;
  }
}

/**
 * A held lock or semaphore slot was lost (session invalidated or expired, key taken or deleted,
 * Consul unreachable): the reason of a held lock's `signal`.
 */
export class LockLostError extends ConsulError {
  /** The lock key (or semaphore prefix). */
  readonly key: string;
  /**
   * Creates a lock-lost error.
   * @param message - what went wrong.
   * @param context - the key.
   */
  constructor(message: string, context: LockErrorContext) {
    super(message, context, 'LockLostError');
    this.key = context.key;
  }
}

/** Facts about a service discovery failure. */
export interface NoInstancesErrorContext extends ErrorContext {
  /** The service that has no instance to send to. */
  service?: string | undefined;
}

/**
 * Service discovery has no instance to offer: the last known set of the service's (healthy) instances
 * is empty, or no set is known yet (the first health read has not answered). The message says which.
 */
export class NoInstancesError extends ConsulError {
  /** The service, when known. */
  readonly service: string | undefined;
  /**
   * Creates a no-instances error.
   * @param message - why there is no instance (empty set, or none known yet).
   * @param context - the service.
   */
  constructor(message: string, context: NoInstancesErrorContext = {}) {
    super(message, context, 'NoInstancesError');
    this.service = context.service;
  }
}

/** The brand's kind: any string (another copy of the package may know kinds this one does not). */
function kindOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const kind = (error as Record<symbol, unknown>)[BRAND];
  return typeof kind === 'string' ? kind : undefined;
}

/** Whether `kind` is `family` or one of the kinds below it (every branded error is a `ConsulError`). */
function within(kind: string | undefined, family: ConsulErrorKind): boolean {
  if (kind === undefined) return false;
  if (family === 'ConsulError') return true;
  for (let k = kind as ConsulErrorKind | undefined; k !== undefined; k = Object.hasOwn(PARENT, k) ? PARENT[k] : undefined) {
    if (k === family) return true;
  }
  return false;
}

/** The guard of a kind: true for errors of that kind or a kind below it, from any realm. */
const guard =
  <E extends ConsulError>(family: ConsulErrorKind) =>
  (error: unknown): error is E =>
    within(kindOf(error), family);

/** True for any error thrown by consulate (from any realm or copy of the package). */
export const isConsulError: (error: unknown) => error is ConsulError = /* @__PURE__ */ guard('ConsulError');
/** True for {@link ConfigError}. */
export const isConfigError: (error: unknown) => error is ConfigError = /* @__PURE__ */ guard('ConfigError');
/** True for {@link InputError}. */
export const isInputError: (error: unknown) => error is InputError = /* @__PURE__ */ guard('InputError');
/** True for {@link HttpError} and all its subclasses. */
export const isHttpError: (error: unknown) => error is HttpError = /* @__PURE__ */ guard('HttpError');
/** True for {@link BadRequestError}. */
export const isBadRequestError: (error: unknown) => error is BadRequestError = /* @__PURE__ */ guard('BadRequestError');
/** True for {@link ACLDisabledError} (401 `ACL support disabled`). */
export const isACLDisabledError: (error: unknown) => error is ACLDisabledError = /* @__PURE__ */ guard('ACLDisabledError');
/** True for {@link ForbiddenError}. */
export const isForbiddenError: (error: unknown) => error is ForbiddenError = /* @__PURE__ */ guard('ForbiddenError');
/** True for {@link NotFoundError}. */
export const isNotFoundError: (error: unknown) => error is NotFoundError = /* @__PURE__ */ guard('NotFoundError');
/** True for {@link ConflictError} and {@link TransactionError}. */
export const isConflictError: (error: unknown) => error is ConflictError = /* @__PURE__ */ guard('ConflictError');
/** True for {@link TooManyRequestsError}. */
export const isTooManyRequestsError: (error: unknown) => error is TooManyRequestsError = /* @__PURE__ */ guard('TooManyRequestsError');
/** True for {@link ServerError}. */
export const isServerError: (error: unknown) => error is ServerError = /* @__PURE__ */ guard('ServerError');
/** True for {@link TimeoutError}. */
export const isTimeoutError: (error: unknown) => error is TimeoutError = /* @__PURE__ */ guard('TimeoutError');
/** True for {@link NetworkError}. */
export const isNetworkError: (error: unknown) => error is NetworkError = /* @__PURE__ */ guard('NetworkError');
/** True for {@link ResponseValidationError}. */
export const isResponseValidationError: (error: unknown) => error is ResponseValidationError = /* @__PURE__ */ guard('ResponseValidationError');
/** True for {@link TransactionError}. */
export const isTransactionError: (error: unknown) => error is TransactionError = /* @__PURE__ */ guard('TransactionError');
/** True for {@link LockHeldError}. */
export const isLockHeldError: (error: unknown) => error is LockHeldError = /* @__PURE__ */ guard('LockHeldError');
/** True for {@link LockTimeoutError}. */
export const isLockTimeoutError: (error: unknown) => error is LockTimeoutError = /* @__PURE__ */ guard('LockTimeoutError');
/** True for {@link LockConflictError}. */
export const isLockConflictError: (error: unknown) => error is LockConflictError = /* @__PURE__ */ guard('LockConflictError');
/** True for {@link LockLostError}. */
export const isLockLostError: (error: unknown) => error is LockLostError = /* @__PURE__ */ guard('LockLostError');
/** True for {@link NoInstancesError}. */
export const isNoInstancesError: (error: unknown) => error is NoInstancesError = /* @__PURE__ */ guard('NoInstancesError');
