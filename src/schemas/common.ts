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
