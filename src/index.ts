/**
 * consulate: an isomorphic client for HashiCorp Consul.
 *
 * - `createClient(config)` gives the immutable client every endpoint function takes first;
 *   the functions live in per-group modules (`consulate/kv`, …).
 * - `new Consul(config)` binds them all (`consul.kv.get(key)`).
 * @example
 * ```ts
 * import { Consul } from 'consulate';
 * const consul = new Consul();
 * await consul.kv.set('greeting', 'hello');
 * ```
 * @module
 */
export type { Client } from './core/client.ts';
export { createClient, withConfig } from './core/client.ts';
export type { ClientConfig, FetchLike, ResolvedConfig, RetryOptions } from './core/config.ts';
export type { QueryMeta } from './core/meta.ts';
export type { ReadOptions, WriteOptions } from './core/query.ts';
export type { Result } from './core/request.ts';
export type { Duration } from './core/encoding.ts';
export type { Bound } from './core/bind.ts';
export type { ConsulErrorKind, ErrorContext, TransactionOpError, ValidationIssue } from './core/errors.ts';
export {
  BadRequestError,
  ConfigError,
  ConflictError,
  ConsulError,
  ForbiddenError,
  HttpError,
  InputError,
  NetworkError,
  NotFoundError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
  TooManyRequestsError,
  TransactionError,
  isBadRequestError,
  isConfigError,
  isConflictError,
  isConsulError,
  isForbiddenError,
  isHttpError,
  isInputError,
  isNetworkError,
  isNotFoundError,
  isResponseValidationError,
  isServerError,
  isTimeoutError,
  isTooManyRequestsError,
  isTransactionError,
} from './core/errors.ts';
export type { KVApi } from './consul.ts';
export { Consul } from './consul.ts';
export type { KVPair, KVValue, SetOptions, DeleteOptions, KeysOptions, LockOptions } from './endpoints/kv.ts';
