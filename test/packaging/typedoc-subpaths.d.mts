/** Absolute source path → import path (`consulate`, `consulate/kv`…), from package.json's exports. */
export function subpathNames(): Map<string, string>;
/** Loads the plugin into a TypeDoc application. */
export function load(app: unknown): void;
