// Types of policy.mjs, for TypeScript callers (the tests).
export const READ_METHODS: Set<string>;
export const WRITE_METHODS: Set<string>;
export class Refusal extends Error {
  constructor(status: number, message: string);
  status: number;
}
export interface Policy {
  allowRead: string[];
  allowWrite: string[];
  allowTxn: boolean;
  allowRootRecurse: boolean;
  datacenters: string[];
  serverToken: boolean;
}
export interface Decision {
  path: string;
  forward: string;
  blocking: boolean;
  blockingMs: number | undefined;
  hadQueryToken: boolean;
}
export function canonicalPath(rawPath: string): { path: string; segments: string[]; encoded: string };
export function canonicalPrefix(prefix: string): string;
export function under(path: string, prefix: string): boolean;
export function queryParts(query: string): { name: string; value: string | undefined; raw: string }[];
export function goDurationMs(text: string | undefined): number | undefined;
export function blockingMs(wait: string | undefined): number;
export function decide(request: { method: string; path: string; query: string }, policy: Policy): Decision;
