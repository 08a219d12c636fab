/// <reference types="node" />
/**
 * How the listing commands modelled on Consul's CLI (`members`, `catalog`, `event list`, `kv get
 * --detailed`, `snapshot inspect`) print: aligned columns like `consul`'s (columnize: two spaces
 * between columns, the last one unpadded), "label  value" blocks like its tabwriter output, and
 * indented JSON with exact uint64 numbers for `--json`.
 * @module
 */

/** Rows (the header first) as aligned columns, two spaces apart, without trailing spaces; one line each, newline-terminated. */
export function columns(rows: readonly (readonly string[])[]): string {
  const count = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: count }, (_, i) => Math.max(0, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]): string =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return rows.map((row) => `${line(row)}\n`).join('');
}

/**
 * "Label value" lines as Consul's CLI prints one record (`consul kv get -detailed`, `consul snapshot
 * inspect`: Go's tabwriter with a padding of 6): every value starts 6 columns after the longest label.
 */
export function fields(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...pairs.map(([label]) => label.length)) + 6;
  return pairs.map(([label, value]) => `${label.padEnd(width)}${value}\n`).join('');
}

/** `key=value` pairs sorted by key and joined (Consul's `mapToKV`: node meta, tagged addresses, member tags). */
export function keyValues(map: Readonly<Record<string, string>> | null | undefined, joiner: string): string {
  return Object.keys(map ?? {})
    .sort()
    .map((key) => `${key}=${map![key]}`)
    .join(joiner);
}

/** JSON indented by 2 with a final newline; `bigint` values (uint64 indexes, flags) are written as exact integers. */
export function jsonText(value: unknown): string {
  // as core's stringifyJson does (which cannot indent): a marked string for each bigint, unquoted afterwards
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `\u0000u64:${v}` : v), 2);
  return `${text.replace(/"\\u0000u64:(\d+)"/g, '$1')}\n`;
}
