/**
 * Query metadata from Consul's `X-Consul-*` response headers.
 * @module
 */

/** Metadata returned with every response. */
export interface QueryMeta {
  /** `X-Consul-Index`: the raft index (or, for events, a hash) to block on; uint64, so a bigint. */
  index: bigint | undefined;
  /** `X-Consul-KnownLeader`: whether the answering server knew a leader. */
  knownLeader: boolean | undefined;
  /** `X-Consul-LastContact`: milliseconds since the answering server last heard from the leader. */
  lastContact: number | undefined;
  /** `X-Consul-Effective-Consistency` (catalog/health). */
  effectiveConsistency: string | undefined;
  /** `X-Consul-Default-ACL-Policy`: `allow` or `deny`. */
  defaultAclPolicy: string | undefined;
  /** `X-Consul-Results-Filtered-By-ACLs`. */
  resultsFilteredByAcls: boolean | undefined;
  /** `X-Consul-Translate-Addresses`. */
  translateAddresses: boolean | undefined;
  /** `X-Consul-ContentHash` (agent endpoints that block on `?hash=`). */
  contentHash: string | undefined;
  /** `X-Cache`: `HIT` or `MISS` for `cached` reads. */
  cache: string | undefined;
  /** `Age` in seconds for `cached` reads. */
  age: number | undefined;
  /**
   * `X-Consul-Query-Backend` (Consul 1.10+): how the server answered a blocking read, `blocking-query`
   * or `streaming` (with `use_streaming_backend`).
   */
  queryBackend: string | undefined;
  /**
   * Milliseconds from sending the request to its response headers, measured by the client (the Go
   * client's `RequestTime`); a blocking read's includes its wait. `undefined` for answers made up
   * without a request of their own.
   */
  requestTime: number | undefined;
  /** HTTP status of the response. */
  status: number;
}

function flag(value: string | null): boolean | undefined {
  return value === null ? undefined : value === 'true';
}

function num(value: string | null): number | undefined {
  return value === null || value === '' ? undefined : Number(value);
}

/**
 * Reads {@link QueryMeta} from a response.
 * @param requestTime - milliseconds the request took to its response headers, as measured by the caller.
 */
export function parseMeta(response: Response, requestTime?: number): QueryMeta {
  const h = response.headers;
  const index = h.get('x-consul-index');
  return {
    index: index !== null && /^\d+$/.test(index) ? BigInt(index) : undefined,
    knownLeader: flag(h.get('x-consul-knownleader')),
    lastContact: num(h.get('x-consul-lastcontact')),
    effectiveConsistency: h.get('x-consul-effective-consistency') ?? undefined,
    defaultAclPolicy: h.get('x-consul-default-acl-policy') ?? undefined,
    resultsFilteredByAcls: flag(h.get('x-consul-results-filtered-by-acls')),
    translateAddresses: flag(h.get('x-consul-translate-addresses')),
    contentHash: h.get('x-consul-contenthash') ?? undefined,
    cache: h.get('x-cache') ?? undefined,
    age: num(h.get('age')),
    queryBackend: h.get('x-consul-query-backend') ?? undefined,
    requestTime,
    status: response.status,
  };
}

/** Metadata with only a status, for answers that carried no headers worth reading. */
export function emptyMeta(status: number): QueryMeta {
  return {
    index: undefined, knownLeader: undefined, lastContact: undefined, effectiveConsistency: undefined,
    defaultAclPolicy: undefined, resultsFilteredByAcls: undefined, translateAddresses: undefined,
    contentHash: undefined, cache: undefined, age: undefined, queryBackend: undefined, requestTime: undefined, status,
  };
}
