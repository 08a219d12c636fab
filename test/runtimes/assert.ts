// A tiny assertion helper for the runtime matrix: web APIs only, so the same suite runs under Deno,
// Bun, Node and in a browser page (no vitest there).

/** Thrown by a failed assertion. */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

/** Formats a value for a failure message (bigints, bytes, nested objects). */
export function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `Uint8Array[${value.length}](${[...value.slice(0, 16)].join(',')}${value.length > 16 ? ',…' : ''})`;
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? show(v) : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Structural equality: primitives (Object.is), bigints, Uint8Arrays, arrays and plain objects. */
export function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return equal(ka, kb) && ka.every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/** Fails unless `actual` structurally equals `expected`. */
export function eq(actual: unknown, expected: unknown, what = 'value'): void {
  if (!equal(actual, expected)) throw new AssertionError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

/** Fails unless `condition` is truthy. */
export function ok(condition: unknown, what: string): asserts condition {
  if (!condition) throw new AssertionError(`${what}: expected a truthy value, got ${show(condition)}`);
}

/** Fails unless `promise` rejects with an error accepted by `guard` (and matching `pattern`, if given); returns the error. */
export async function rejects(
  promise: Promise<unknown> | (() => Promise<unknown>),
  guard: (error: unknown) => boolean,
  what: string,
  pattern?: RegExp,
): Promise<unknown> {
  let error: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new AssertionError(`${what}: expected a rejection, but it resolved`);
  if (!guard(error)) throw new AssertionError(`${what}: rejected with the wrong error: ${describe(error)}`);
  if (pattern && !pattern.test(String((error as { message?: unknown }).message ?? error))) {
    throw new AssertionError(`${what}: error message ${show(String((error as Error).message))} does not match ${pattern}`);
  }
  return error;
}

/** One line describing an error (name, kind, message). */
export function describe(error: unknown): string {
  if (error instanceof Error) {
    const kind = (error as { kind?: unknown }).kind;
    return `${error.name}${kind && kind !== error.name ? ` (${String(kind)})` : ''}: ${error.message}`;
  }
  return show(error);
}
