/**
 * The one KV folder rule: which keys a prefix covers. A prefix names a folder: `app` covers the key
 * `app` itself and every key under `app/`, but not `apple` or `app-old/x`. A prefix that already ends in
 * `/` (`app/`) covers the keys that start with it (including the folder key `app/`). The empty prefix
 * covers the whole store. The `consulate/kv-sync` recipe and the CLI's kv commands (backup, restore and
 * its `--prune`, `ls`, `get -r`, `rm -r`) all follow it. Internal: not a subpath export.
 * @module
 */
import { normalizeKey } from './encoding.ts';

/** The set of keys a prefix covers. */
export interface KVScope {
  /** The prefix as given (one leading `/` dropped). */
  readonly prefix: string;
  /** The folder the keys live under (`prefix/`, or the prefix itself when it ends in `/` or is empty). */
  readonly folder: string;
  /** The key that is covered exactly besides the folder (`prefix` when it does not end in `/`). */
  readonly exact: string | undefined;
  /** Whether a key is covered. */
  contains(key: string): boolean;
}

/**
 * Builds the {@link KVScope} of a prefix (see the module documentation for the rule).
 * @internal
 */
export function kvScope(prefix: string): KVScope {
  const p = normalizeKey(prefix);
  if (p === '' || p.endsWith('/')) {
    return { prefix: p, folder: p, exact: undefined, contains: (key) => key.startsWith(p) };
  }
  const folder = `${p}/`;
  return { prefix: p, folder, exact: p, contains: (key) => key === p || key.startsWith(folder) };
}
