/**
 * valibot schemas for health responses (checks and service entries), shared with the agent endpoints.
 * @module
 */
import * as v from 'valibot';
import { shape, uint } from './common.ts';
import { AgentService, CatalogNode } from './catalog.ts';


/** A check's state. `maintenance` appears on the checks Consul adds for maintenance mode. */
export type HealthStatus = 'passing' | 'warning' | 'critical' | 'maintenance';

/** The statuses a check can be in. */
export const HEALTH_STATUSES: readonly HealthStatus[] = ['passing', 'warning', 'critical', 'maintenance'];

/** A health check as `/v1/agent/checks`, `/v1/health/*` and `/v1/catalog/*` return it. */
export interface HealthCheck {
  /** Node the check belongs to. */
  Node: string;
  CheckID: string;
  Name: string;
  Status: HealthStatus;
  Notes: string;
  /** The last output of the check (or the note of a TTL update). */
  Output: string;
  /** The service the check belongs to; `""` for a node check. */
  ServiceID: string;
  ServiceName: string;
  ServiceTags?: string[] | null | undefined;
  /** `ttl`, `http`, `tcp`, `grpc`, `script`, `docker`, `alias`, `maintenance`… (`""` for some). */
  Type?: string | undefined;
  /** The check's definition as Consul keeps it (durations as Go strings). */
  Definition?: Record<string, unknown> | null | undefined;
  Namespace?: string | undefined;
  CreateIndex: number;
  ModifyIndex: number;
  [key: string]: unknown;
}

/** One health check. */
export const HealthCheck: v.GenericSchema<unknown, HealthCheck> = shape({
  Node: v.string(),
  CheckID: v.string(),
  Status: v.picklist(HEALTH_STATUSES),
  ServiceID: v.string(),
  ServiceName: v.string(),
  CreateIndex: uint,
  ModifyIndex: uint,
});

/** A list of checks (null becomes `[]`). */
export const HealthCheckList: v.GenericSchema<unknown, HealthCheck[]> = v.pipe(
  v.nullable(v.array(HealthCheck)),
  v.transform((list) => list ?? []),
);

/** Checks by id (`/v1/agent/checks`). */
export const HealthCheckMap: v.GenericSchema<unknown, Record<string, HealthCheck>> = v.record(v.string(), HealthCheck);

/** One instance of a service with its node and all its checks (node checks included). */
export interface ServiceEntry {
  Node: CatalogNode;
  Service: AgentService;
  Checks: HealthCheck[];
  [key: string]: unknown;
}

/** `/v1/health/service|connect|ingress/:name` (null becomes `[]`). */
export const ServiceEntryList: v.GenericSchema<unknown, ServiceEntry[]> = v.pipe(
  v.nullable(
    v.array(
      shape<ServiceEntry>({
        Node: CatalogNode,
        Service: AgentService,
        Checks: HealthCheckList,
      }),
    ),
  ),
  v.transform((list) => list ?? []),
);
