/**
 * valibot schemas for network coordinates (Vivaldi, as in serf's `coordinate` package).
 * @module
 */
import * as v from 'valibot';

/** A network coordinate: a Euclidean vector plus a height, an adjustment and an error estimate. */
export interface Coord {
  /** The Euclidean part (8 dimensions in Consul), in seconds. */
  Vec: number[];
  /** How confident the algorithm is in this coordinate. */
  Error: number;
  /** A per-node offset, in seconds, added to distances when positive. */
  Adjustment: number;
  /** Distance from the node to the core of the network, in seconds. */
  Height: number;
  [key: string]: unknown;
}

/** One coordinate. */
export const Coord: v.GenericSchema<unknown, Coord> = v.looseObject({
  Vec: v.array(v.number()),
  Error: v.number(),
  Adjustment: v.number(),
  Height: v.number(),
});

/** A node's coordinate in one network segment. */
export interface CoordinateEntry {
  Node: string;
  /** Network segment (`""` for the default segment). */
  Segment?: string | undefined;
  Coord: Coord;
  /** Enterprise admin partition. */
  Partition?: string | undefined;
  [key: string]: unknown;
}

/** One node coordinate. */
export const CoordinateEntry: v.GenericSchema<unknown, CoordinateEntry> = v.looseObject({
  Node: v.string(),
  Segment: v.optional(v.string()),
  Coord,
  Partition: v.optional(v.string()),
});

/** A list of node coordinates (null becomes `[]`). */
export const CoordinateEntryList: v.GenericSchema<unknown, CoordinateEntry[]> = v.pipe(
  v.nullable(v.array(CoordinateEntry)),
  v.transform((list) => list ?? []),
);

/** The WAN coordinates of the servers of one datacenter. */
export interface CoordinateDatacenterMap {
  Datacenter: string;
  /** Network area (`wan` for the WAN pool). */
  AreaID: string;
  Coordinates: CoordinateEntry[];
  [key: string]: unknown;
}

/** `/v1/coordinate/datacenters` (null becomes `[]`). */
export const CoordinateDatacenterList: v.GenericSchema<unknown, CoordinateDatacenterMap[]> = v.pipe(
  v.nullable(
    v.array(
      v.looseObject({
        Datacenter: v.string(),
        AreaID: v.string(),
        Coordinates: CoordinateEntryList,
      }),
    ),
  ),
  v.transform((list) => list ?? []),
);
