/**
 * What every group's schemas and inputs share: a non-negative integer, and the tag-list rule of the
 * `tag` filters (catalog and health). Internal: not a subpath export.
 * @module
 */
import * as v from 'valibot';
import { InputError } from '../core/errors.ts';

/** A non-negative integer. */
export const uint: v.GenericSchema<number> = v.pipe(v.number(), v.integer(), v.minValue(0));

/**
 * Checks a `tag` filter: one non-empty string or an array of them (sent as repeated `?tag=`).
 * @returns the tags as a new array (empty when `tag` is undefined).
 * @throws {InputError} for an empty tag or a value that is not a string or an array of strings.
 * @internal
 */
export function tagList(tag: string | readonly string[] | undefined): string[] {
  if (tag === undefined) return [];
  const tags = typeof tag === 'string' ? [tag] : tag;
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string' && t !== '')) {
    throw new InputError('tag must be a non-empty string or an array of non-empty strings');
  }
  return [...tags];
}

/**
 * The schema of a Consul struct, checked in proportion: `checked` names the fields the client relies
 * on — the ones it decodes or normalises (uint64 indexes and flags, base64 values, `null` lists made
 * `[]`), the identities it keys by (IDs, names, statuses) and the containers it walks into — and every
 * other field passes as Consul sent it, typed as `T` says (Consul's documented shape). Unknown and new
 * fields from newer Consul versions are kept. Checking every descriptive field of every struct cost
 * more (bundle bytes and CPU per response) than the failures it could catch.
 * @internal
 */
/* @__NO_SIDE_EFFECTS__ */
export function shape<T>(checked: v.ObjectEntries): v.GenericSchema<unknown, T> {
  return v.looseObject(checked) as unknown as v.GenericSchema<unknown, T>;
}
