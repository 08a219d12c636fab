/** The marker before the README's API map. */
export const START: string;
/** The marker after the README's API map. */
export const END: string;
/** One row of the map: a facade path, the functions it binds, their subpath and the endpoints they call. */
export interface ApiMapRow {
  path: string;
  names: string[];
  subpath: string | undefined;
  endpoints: string[];
  kind: 'bound' | 'unbound' | 'recipe';
}
/** The public subpaths (jsr.json's exports without `.` and `./node`): subpath → absolute source. */
export function publicSubpaths(): Record<string, string>;
/** Every path of a facade description, with its function and kind. */
export function facadeEntries(description: object, prefix?: string): { path: string; fn: unknown; kind: ApiMapRow['kind'] }[];
/** The endpoints an exported function of `file` calls, following calls into files matching `followed`. */
export function endpointsOfExport(file: string, name: string, followed?: RegExp): string[];
/** The rows of the map, in the facade's order. */
export function apiMapRows(): Promise<ApiMapRow[]>;
/** The map as a Markdown table. */
export function renderApiMap(rows: readonly ApiMapRow[]): string;
/** `readme` with the text between the markers replaced by `table`. */
export function withApiMap(readme: string, table: string): string;
