/**
 * valibot schemas for cluster peering (`/v1/peering`, Consul 1.13+).
 * @module
 */
import * as v from 'valibot';
import { uint } from './common.ts';

/** The state of a peering. */
export type PeeringState =
  | 'UNDEFINED'
  | 'PENDING'
  | 'ESTABLISHING'
  | 'ACTIVE'
  | 'FAILING'
  | 'DELETING'
  | 'TERMINATED'
  | (string & {});

/** A peering with another cluster. */
export interface Peering {
  ID: string;
  /** The local name of the peer. */
  Name: string;
  Partition?: string | undefined;
  State: PeeringState;
  /** The id the peer assigned to this peering. */
  PeerID?: string | undefined;
  PeerCAPems?: string[] | undefined;
  PeerServerName?: string | undefined;
  PeerServerAddresses?: string[] | undefined;
  Meta?: Record<string, string> | undefined;
  /** Imported/exported services and stream timestamps (Consul 1.14+). */
  StreamStatus?: Record<string, unknown> | undefined;
  /** The remote cluster's partition and datacenter (Consul 1.14+). */
  Remote?: Record<string, unknown> | undefined;
  /** Set once the peering is marked for deletion (RFC 3339). */
  DeletedAt?: string | undefined;
  CreateIndex: number;
  ModifyIndex: number;
  [field: string]: unknown;
}

/** A peering. */
export const Peering: v.GenericSchema<unknown, Peering> = v.looseObject({
  ID: v.string(),
  Name: v.string(),
  State: v.string(),
  CreateIndex: uint,
  ModifyIndex: uint,
});

/** A list of peerings. */
export const PeeringList: v.GenericSchema<unknown, Peering[]> = v.array(Peering);

/** The answer to generating a peering token. */
export const PeeringTokenResponse: v.GenericSchema<unknown, { PeeringToken: string }> = v.looseObject({ PeeringToken: v.string() });
