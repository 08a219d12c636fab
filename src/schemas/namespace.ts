/**
 * valibot schemas for Enterprise namespaces (`/v1/namespace`, Consul Enterprise 1.7+).
 * @module
 */
import * as v from 'valibot';
import { uint } from './common.ts';

/** A link to an ACL policy or role, by id and/or name. */
export interface NamespaceACLLink {
  ID?: string | undefined;
  Name?: string | undefined;
}

/** A namespace. */
export interface Namespace {
  Name: string;
  Description?: string | undefined;
  /** Default policies and roles for tokens in the namespace. */
  ACLs?: { PolicyDefaults?: NamespaceACLLink[] | undefined; RoleDefaults?: NamespaceACLLink[] | undefined } | undefined;
  Meta?: Record<string, string> | undefined;
  /** Enterprise admin partition (1.11+). */
  Partition?: string | undefined;
  /** Set once the namespace is marked for deletion (RFC 3339). */
  DeletedAt?: string | undefined;
  CreateIndex: number;
  ModifyIndex: number;
  [field: string]: unknown;
}

/** A namespace. */
export const Namespace: v.GenericSchema<unknown, Namespace> = v.looseObject({
  Name: v.string(),
  Description: v.optional(v.string()),
  DeletedAt: v.optional(v.string()),
  CreateIndex: uint,
  ModifyIndex: uint,
});

/** A list of namespaces. */
export const NamespaceList: v.GenericSchema<unknown, Namespace[]> = v.array(Namespace);
