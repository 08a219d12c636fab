/**
 * valibot schemas for Connect: CA roots, CA configuration and intentions.
 * @module
 */
import * as v from 'valibot';
import { shape, uint } from './common.ts';

/** One CA root certificate. */
export interface CARoot {
  /** Fingerprint of the root certificate. */
  ID: string;
  Name: string;
  /** Serial number (uint64). */
  SerialNumber: number | bigint;
  SigningKeyID: string;
  ExternalTrustDomain: string;
  /** RFC 3339 times. */
  NotBefore: string;
  NotAfter: string;
  /** PEM of the root certificate. */
  RootCert: string;
  /** PEMs of intermediates, if any. */
  IntermediateCerts: string[] | null;
  /** Whether this root signs new certificates. */
  Active: boolean;
  PrivateKeyType: string;
  PrivateKeyBits: number;
  CreateIndex: number;
  ModifyIndex: number;
  [field: string]: unknown;
}

/** The CA roots and the trust domain. */
export interface CARoots {
  ActiveRootID: string;
  /** SPIFFE trust domain, `<cluster id>.consul`. */
  TrustDomain: string;
  Roots: CARoot[];
  [field: string]: unknown;
}

/** The CA roots. */
export const CARoots: v.GenericSchema<unknown, CARoots> = v.looseObject({
  ActiveRootID: v.string(),
  TrustDomain: v.string(),
  Roots: v.array(
    v.looseObject({
      ID: v.string(),
      Name: v.string(),
      SerialNumber: v.union([uint, v.bigint()]),
      SigningKeyID: v.string(),
      ExternalTrustDomain: v.string(),
      NotBefore: v.string(),
      NotAfter: v.string(),
      RootCert: v.string(),
      IntermediateCerts: v.nullable(v.array(v.string())),
      Active: v.boolean(),
      PrivateKeyType: v.string(),
      PrivateKeyBits: v.number(),
      CreateIndex: uint,
      ModifyIndex: uint,
    }),
  ),
});

/** The CA provider and its configuration. */
export interface CAConfiguration {
  /** `consul`, `vault` or `aws-pca`. */
  Provider: string;
  /** Provider-specific settings (e.g. `LeafCertTTL`, `RotationPeriod`). */
  Config: Record<string, unknown>;
  State?: Record<string, string> | null | undefined;
  ForceWithoutCrossSigning?: boolean | undefined;
  CreateIndex: number;
  ModifyIndex: number;
  [field: string]: unknown;
}

/** The CA configuration. */
export const CAConfiguration: v.GenericSchema<unknown, CAConfiguration> = v.looseObject({
  Provider: v.string(),
  Config: v.record(v.string(), v.unknown()),
  State: v.optional(v.nullable(v.record(v.string(), v.string()))),
  ForceWithoutCrossSigning: v.optional(v.boolean()),
  CreateIndex: uint,
  ModifyIndex: uint,
});

/** A stored intention (Consul 1.8's intentions API). */
export interface Intention {
  ID: string;
  Description: string;
  SourceNS: string;
  SourceName: string;
  DestinationNS: string;
  DestinationName: string;
  SourceType: string;
  /** `allow` or `deny`. */
  Action: string;
  Meta: Record<string, string> | null;
  /** Higher matches first. */
  Precedence: number;
  CreatedAt: string;
  UpdatedAt: string;
  Hash?: string | undefined;
  CreateIndex: number;
  ModifyIndex: number;
  [field: string]: unknown;
}

/** One intention. */
export const Intention: v.GenericSchema<unknown, Intention> = v.looseObject({
  ID: v.string(),
  Description: v.string(),
  SourceNS: v.string(),
  SourceName: v.string(),
  DestinationNS: v.string(),
  DestinationName: v.string(),
  SourceType: v.string(),
  Action: v.string(),
  Meta: v.nullable(v.record(v.string(), v.string())),
  Precedence: v.number(),
  CreatedAt: v.string(),
  UpdatedAt: v.string(),
  Hash: v.optional(v.string()),
  CreateIndex: uint,
  ModifyIndex: uint,
});

/** A list of intentions. */
export const IntentionList: v.GenericSchema<unknown, Intention[]> = v.array(Intention);

/** `GET /v1/connect/intentions/match`: name → matching intentions, by precedence. */
export const IntentionMatch: v.GenericSchema<unknown, Record<string, Intention[]>> = v.record(v.string(), IntentionList);

/** `GET /v1/connect/intentions/check`. */
export const IntentionCheck: v.GenericSchema<unknown, { Allowed: boolean }> = v.looseObject({ Allowed: v.boolean() });

/** `{ "ID": "…" }`. */
export const IdResponse: v.GenericSchema<unknown, { ID: string }> = v.looseObject({ ID: v.string() });

/** A Connect leaf certificate the local agent issued for a service (`/v1/agent/connect/ca/leaf/:service`). */
export interface LeafCert {
  /** Serial number as colon-free hex text (e.g. `"08"`). */
  SerialNumber: string;
  /** PEM of the certificate. */
  CertPEM: string;
  /** PEM of the private key (keep it secret). */
  PrivateKeyPEM: string;
  /** The service the certificate is for. */
  Service: string;
  /** SPIFFE id, `spiffe://<trust domain>/ns/<ns>/dc/<dc>/svc/<service>`. */
  ServiceURI: string;
  /** RFC 3339 time from which the certificate is valid. */
  ValidAfter: string;
  /** RFC 3339 time until which the certificate is valid. */
  ValidBefore: string;
  CreateIndex: number;
  ModifyIndex: number;
  [field: string]: unknown;
}

/** A leaf certificate. */
export const LeafCert: v.GenericSchema<unknown, LeafCert> = shape({
  SerialNumber: v.string(),
  CertPEM: v.string(),
  PrivateKeyPEM: v.string(),
  Service: v.string(),
  ServiceURI: v.string(),
  ValidAfter: v.string(),
  ValidBefore: v.string(),
});

/** The answer of `/v1/agent/connect/authorize`. */
export interface ConnectAuthorization {
  /** Whether the connection is allowed. */
  Authorized: boolean;
  /** Why (e.g. `ACLs disabled, access is allowed by default`, or the matching intention). */
  Reason: string;
  [field: string]: unknown;
}

/** The authorize answer. */
export const ConnectAuthorization: v.GenericSchema<unknown, ConnectAuthorization> = shape({
  Authorized: v.boolean(),
  Reason: v.string(),
});
