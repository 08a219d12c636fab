/**
 * The one rule for a path argument (an id, a name, a node…): a non-empty string, escaped as one path
 * segment. An empty one would silently address another endpoint (`/v1/acl/token/` is the token list);
 * a `/` inside it must not start another segment. Internal: not a subpath export.
 * @module
 */
import { InputError } from './errors.ts';

/**
 * Checks that a path argument is a non-empty string and escapes it as one path segment.
 * @param value - the argument as the caller passed it.
 * @param what - how an error names it (`"service id"`, `"a namespace name"`).
 * @returns the escaped segment.
 * @throws {InputError} `<what> must be a non-empty string, got …` for an empty or non-string value.
 * @internal
 */
export function pathSegment(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new InputError(`${what} must be a non-empty string, got ${value === '' ? '""' : typeof value}`);
  }
  return encodeURIComponent(value);
}
