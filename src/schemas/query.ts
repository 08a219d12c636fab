/**
 * valibot schemas for prepared queries (`/v1/query`).
 * @module
 */
import * as v from 'valibot';
import { uint } from './common.ts';

/** The service part of a prepared query, as Consul returns it. */
export interface PreparedQueryServiceSpec {
  /** The service name (`${name.full}`, `${match(1)}`… in templates). */
  Service: string;
  /** Other datacenters to try when no healthy instance is local. */
  Failover?: { NearestN?: number | undefined; Datacenters?: string[] | null | undefined; [field: string]: unknown } | undefined;
  /** Leave out instances with warning checks too (critical ones are always left out). */
  OnlyPassing?: boolean | undefined;
  /** Check ids to ignore when filtering on health. */
  IgnoreCheckIDs?: string[] | null | undefined;
  /** Sort by round-trip time from this node (`_agent` for the answering agent, `_ip` for the caller). */
  Near?: string | undefined;
  /** Required tags; `!tag` excludes instances with the tag. */
  Tags?: string[] | null | undefined;
  /** Only nodes with this metadata. */
  NodeMeta?: Record<string, string> | null | undefined;
  /** Only instances with this service metadata. */
  ServiceMeta?: Record<string, string> | null | undefined;
  /** Only Connect-capable instances (proxies and native). */
  Connect?: boolean | undefined;
  [field: string]: unknown;
}

/** A stored prepared query. */
export interface PreparedQuery {
  ID: string;
  Name: string;
  Session: string;
  /** The token stored with the query (Consul redacts it unless the reader may see it). */
  Token: string;
  Service: PreparedQueryServiceSpec;
  DNS: { TTL: string; [field: string]: unknown };
  Template: { Type: string; Regexp: string; RemoveEmptyTags?: boolean | undefined; [field: string]: unknown };
  CreateIndex: number;
  ModifyIndex: number;
  [field: string]: unknown;
}

const ServiceSpec = v.looseObject({
  Service: v.string(),
  Failover: v.optional(v.looseObject({ NearestN: v.optional(v.number()), Datacenters: v.optional(v.nullable(v.array(v.string()))) })),
  OnlyPassing: v.optional(v.boolean()),
  IgnoreCheckIDs: v.optional(v.nullable(v.array(v.string()))),
  Near: v.optional(v.string()),
  Tags: v.optional(v.nullable(v.array(v.string()))),
  NodeMeta: v.optional(v.nullable(v.record(v.string(), v.string()))),
  ServiceMeta: v.optional(v.nullable(v.record(v.string(), v.string()))),
  Connect: v.optional(v.boolean()),
});

/** A stored prepared query. */
export const PreparedQuery: v.GenericSchema<unknown, PreparedQuery> = v.looseObject({
  ID: v.string(),
  Name: v.string(),
  Session: v.string(),
  Token: v.string(),
  Service: ServiceSpec,
  DNS: v.looseObject({ TTL: v.string() }),
  Template: v.looseObject({ Type: v.string(), Regexp: v.string(), RemoveEmptyTags: v.optional(v.boolean()) }),
  CreateIndex: uint,
  ModifyIndex: uint,
});

/** `GET /v1/query` and `GET /v1/query/:id` answer with a list. */
export const PreparedQueryList: v.GenericSchema<unknown, PreparedQuery[]> = v.array(PreparedQuery);

/** `{ "ID": "…" }`, the answer to a create. */
export const IdResponse: v.GenericSchema<unknown, { ID: string }> = v.object({ ID: v.string() });

/** One healthy instance in an execute answer (Consul's `ServiceEntry`). */
export interface PreparedQueryNode {
  Node: { ID: string; Node: string; Address: string; Datacenter: string; [field: string]: unknown };
  Service: { ID: string; Service: string; Tags: string[] | null; Address: string; Port: number; [field: string]: unknown };
  Checks: { CheckID: string; Status: string; [field: string]: unknown }[];
  [field: string]: unknown;
}

/** The answer to executing a prepared query. */
export interface PreparedQueryExecuteResult {
  /** The service that was queried. */
  Service: string;
  /** The healthy instances, shuffled or sorted by `near`, at most `limit`. */
  Nodes: PreparedQueryNode[];
  DNS: { TTL: string; [field: string]: unknown };
  /** The datacenter that answered (after failover). */
  Datacenter: string;
  /** How many datacenters were tried before this one. */
  Failovers: number;
  [field: string]: unknown;
}

/** The answer to executing a prepared query. */
export const PreparedQueryExecuteResult: v.GenericSchema<unknown, PreparedQueryExecuteResult> = v.looseObject({
  Service: v.string(),
  Nodes: v.array(
    v.looseObject({
      Node: v.looseObject({ ID: v.string(), Node: v.string(), Address: v.string(), Datacenter: v.string() }),
      Service: v.looseObject({
        ID: v.string(),
        Service: v.string(),
        Tags: v.nullable(v.array(v.string())),
        Address: v.string(),
        Port: v.number(),
      }),
      Checks: v.array(v.looseObject({ CheckID: v.string(), Status: v.string() })),
    }),
  ),
  DNS: v.looseObject({ TTL: v.string() }),
  Datacenter: v.string(),
  Failovers: v.number(),
});

/** The answer to explaining a prepared query: the query after template rendering. */
export interface PreparedQueryExplain {
  Query: PreparedQuery;
  [field: string]: unknown;
}

/** The answer to explaining a prepared query. */
export const PreparedQueryExplain: v.GenericSchema<unknown, PreparedQueryExplain> = v.looseObject({ Query: PreparedQuery });
