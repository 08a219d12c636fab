/**
 * valibot schemas for the services a cluster shares with peers and partitions
 * (`/v1/exported-services`, `/v1/imported-services`).
 * @module
 */
import * as v from 'valibot';

/**
 * Who consumes an exported service.
 * @since Consul 1.17.3
 */
export interface ExportedServiceConsumers {
  /** Cluster peers that import it. */
  Peers?: string[] | null | undefined;
  /** Enterprise: admin partitions that import it. */
  Partitions?: string[] | null | undefined;
  [field: string]: unknown;
}

/**
 * One exported service and its consumers, with sameness groups and wildcards expanded.
 * @since Consul 1.17.3
 */
export interface ResolvedExportedService {
  /** The service name. */
  Service: string;
  /** Enterprise: its partition. */
  Partition?: string | undefined;
  /** Enterprise: its namespace. */
  Namespace?: string | undefined;
  Consumers: ExportedServiceConsumers;
  [field: string]: unknown;
}

/** The exported services. */
export const ResolvedExportedServiceList: v.GenericSchema<unknown, ResolvedExportedService[]> = v.pipe(
  v.nullable(v.array(v.looseObject({ Service: v.string(), Consumers: v.looseObject({}) }))),
  v.transform((list) => list ?? []),
) as v.GenericSchema<unknown, ResolvedExportedService[]>;

/** One service this cluster (or partition) imports, and where from. */
export interface ImportedService {
  /** The service name. */
  Service: string;
  /** Enterprise: the partition it is imported into. */
  Partition?: string | undefined;
  /** Enterprise: the namespace it is imported into. */
  Namespace?: string | undefined;
  /** The cluster peer it comes from (when imported from a peer). */
  SourcePeer?: string | undefined;
  /** Enterprise: the partition it comes from (when imported from a partition). */
  SourcePartition?: string | undefined;
  [field: string]: unknown;
}

/** The imported services. */
export const ImportedServiceList: v.GenericSchema<unknown, ImportedService[]> = v.pipe(
  v.nullable(v.array(v.looseObject({ Service: v.string() }))),
  v.transform((list) => list ?? []),
) as v.GenericSchema<unknown, ImportedService[]>;
