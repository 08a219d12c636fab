/** Layers of src/, lowest first. */
export const LAYERS: readonly string[];
/** The layer of a file relative to the source root, or undefined. */
export function layerOf(file: string): string | undefined;
/** The endpoint group of a file below endpoints/ (`endpoints/acl-tokens.ts` → `acl`). */
export function groupOf(file: string): string | undefined;
/** Each source file's relative imports (files relative to `dir`). */
export function importGraph(dir: string): Map<string, string[]>;
/** Cycles found in a graph: files, the first repeated last. */
export function findCycles(graph: Map<string, string[]>): string[][];
/** The violations of the import rules below `dir`, minus those in `allow`. */
export function checkImports(dir: string, allow?: readonly string[]): string[];
