/**
 * valibot schemas for the ACL API's responses (tokens, policies, roles, auth methods, binding
 * rules, replication, and the legacy API). Structs are loose: Consul adds fields between versions
 * (namespaces, partitions, templated policies…) and they are kept.
 * @module
 */
import * as v from 'valibot';
import { shape, uint } from './common.ts';


/** A link to a policy or role, as Consul returns it. */
export interface ACLLink {
  ID: string;
  Name: string;
}

/** A service identity: the synthetic policy for one service (and its sidecar proxy). */
export interface ACLServiceIdentity {
  ServiceName: string;
  /** Datacenters where it applies (all when absent). */
  Datacenters?: string[] | null | undefined;
}

/** A node identity: the synthetic policy for one node in one datacenter. */
export interface ACLNodeIdentity {
  NodeName: string;
  Datacenter: string;
}

/** A token as `/v1/acl/tokens` lists it (without `SecretID` on 1.8.7). */
export interface ACLTokenListEntry {
  AccessorID: string;
  /** Present in newer versions' listings; 1.8.7 leaves it out. */
  SecretID?: string | undefined;
  Description: string;
  Policies?: ACLLink[] | null | undefined;
  Roles?: ACLLink[] | null | undefined;
  ServiceIdentities?: ACLServiceIdentity[] | null | undefined;
  NodeIdentities?: ACLNodeIdentity[] | null | undefined;
  /** Whether the token is local to its datacenter (not replicated). */
  Local: boolean;
  /** The auth method that created it through `login`. */
  AuthMethod?: string | undefined;
  /** RFC 3339 time after which the token is deleted. */
  ExpirationTime?: string | undefined;
  /** RFC 3339 creation time (`0001-01-01T00:00:00Z` for legacy tokens). */
  CreateTime: string;
  Hash: string;
  /** True for tokens made through the legacy API. */
  Legacy?: boolean | undefined;
  CreateIndex: number;
  ModifyIndex: number;
}

/**
 * A token. `SecretID` is the credential; a caller with only `acl = "read"` sees `"<hidden>"`.
 * `bootstrap` answers also carry the legacy `ID` (equal to `SecretID`).
 */
export interface ACLToken extends ACLTokenListEntry {
  SecretID: string;
  /** Legacy rules (legacy tokens only). */
  Rules?: string | undefined;
  /** Only on `bootstrap` answers: the secret, under its legacy name. */
  ID?: string | undefined;
}

/** A policy as `/v1/acl/policies` lists it (without `Rules`). */
export interface ACLPolicyListEntry {
  ID: string;
  Name: string;
  Description: string;
  /** Datacenters where the policy applies (all when absent; listings on 1.8.7 send `null`). */
  Datacenters?: string[] | null | undefined;
  Hash: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/** A policy with its rules (HCL or JSON). */
export interface ACLPolicy extends ACLPolicyListEntry {
  Rules: string;
}

/** A role: a named set of policies and identities that tokens can link. */
export interface ACLRole {
  ID: string;
  Name: string;
  Description: string;
  Policies?: ACLLink[] | null | undefined;
  ServiceIdentities?: ACLServiceIdentity[] | null | undefined;
  NodeIdentities?: ACLNodeIdentity[] | null | undefined;
  Hash: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/** An auth method as `/v1/acl/auth-methods` lists it (without `Config`). */
export interface ACLAuthMethodListEntry {
  Name: string;
  /** `kubernetes`, `jwt`, `oidc` (Enterprise adds more). */
  Type: string;
  DisplayName?: string | undefined;
  Description?: string | undefined;
  /** Go duration, e.g. `1h0m0s`. */
  MaxTokenTTL?: string | undefined;
  /** `local` or `global`. */
  TokenLocality?: string | undefined;
  CreateIndex: number;
  ModifyIndex: number;
}

/** An auth method with its type-specific `Config` (field names as Consul spells them). */
export interface ACLAuthMethod extends ACLAuthMethodListEntry {
  Config?: Record<string, unknown> | undefined;
}

/** A binding rule: maps identities verified by an auth method to a service, node or role. */
export interface ACLBindingRule {
  ID: string;
  Description: string;
  AuthMethod: string;
  /** A filter expression on the verified claims (empty: every login). */
  Selector: string;
  /** `service`, `node` or `role`. */
  BindType: string;
  /** Name of the service/node/role; may use `${value.claim}` interpolation. */
  BindName: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/** ACL replication status of the answering datacenter. */
export interface ACLReplicationStatus {
  Enabled: boolean;
  Running: boolean;
  SourceDatacenter: string;
  /** `legacy`, `policies` or `tokens` (empty when disabled). */
  ReplicationType: string;
  ReplicatedIndex: number;
  ReplicatedRoleIndex?: number | undefined;
  ReplicatedTokenIndex: number;
  /** RFC 3339. */
  LastSuccess: string;
  /** RFC 3339. */
  LastError: string;
}

/** A token in the legacy API's shape (`/v1/acl/info`, `/v1/acl/list`); `ID` is the secret. */
export interface LegacyACL {
  ID: string;
  Name: string;
  /** `client` or `management`. */
  Type: string;
  Rules: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/** `{ "ID": … }`, the legacy API's write answer. */
export interface ACLIDResult {
  ID: string;
}

const strings = v.nullish(v.array(v.string()));

/** A policy or role link. */
export const ACLLink: v.GenericSchema<unknown, ACLLink> = v.looseObject({ ID: v.string(), Name: v.string() });

/** A service identity. */
export const ACLServiceIdentity: v.GenericSchema<unknown, ACLServiceIdentity> = v.looseObject({
  ServiceName: v.string(),
  Datacenters: strings,
});

/** A node identity. */
export const ACLNodeIdentity: v.GenericSchema<unknown, ACLNodeIdentity> = v.looseObject({
  NodeName: v.string(),
  Datacenter: v.string(),
});

const links = v.nullish(v.array(ACLLink));

const tokenEntries = {
  AccessorID: v.string(),
  SecretID: v.optional(v.string()),
  Policies: links,
  Roles: links,
  ServiceIdentities: v.nullish(v.array(ACLServiceIdentity)),
  NodeIdentities: v.nullish(v.array(ACLNodeIdentity)),
  CreateIndex: uint,
  ModifyIndex: uint,
};

/** A token as listed. */
export const ACLTokenListEntry: v.GenericSchema<unknown, ACLTokenListEntry> = shape(tokenEntries);

/** A list of tokens. */
export const ACLTokenList: v.GenericSchema<unknown, ACLTokenListEntry[]> = v.array(ACLTokenListEntry);

/** A token. */
export const ACLToken: v.GenericSchema<unknown, ACLToken> = shape({ ...tokenEntries, SecretID: v.string() });

const policyEntries = {
  ID: v.string(),
  Name: v.string(),
  CreateIndex: uint,
  ModifyIndex: uint,
};

/** A policy as listed. */
export const ACLPolicyListEntry: v.GenericSchema<unknown, ACLPolicyListEntry> = shape(policyEntries);

/** A list of policies. */
export const ACLPolicyList: v.GenericSchema<unknown, ACLPolicyListEntry[]> = v.array(ACLPolicyListEntry);

/** A policy. */
export const ACLPolicy: v.GenericSchema<unknown, ACLPolicy> = shape({ ...policyEntries, Rules: v.string() });

/** A role. */
export const ACLRole: v.GenericSchema<unknown, ACLRole> = shape({
  ID: v.string(),
  Name: v.string(),
  Policies: links,
  ServiceIdentities: v.nullish(v.array(ACLServiceIdentity)),
  NodeIdentities: v.nullish(v.array(ACLNodeIdentity)),
  CreateIndex: uint,
  ModifyIndex: uint,
});

/** A list of roles. */
export const ACLRoleList: v.GenericSchema<unknown, ACLRole[]> = v.array(ACLRole);

const authMethodEntries = {
  Name: v.string(),
  Type: v.string(),
  CreateIndex: uint,
  ModifyIndex: uint,
};

/** An auth method as listed. */
export const ACLAuthMethodListEntry: v.GenericSchema<unknown, ACLAuthMethodListEntry> = shape(authMethodEntries);

/** A list of auth methods. */
export const ACLAuthMethodList: v.GenericSchema<unknown, ACLAuthMethodListEntry[]> = v.array(ACLAuthMethodListEntry);

/** An auth method. */
export const ACLAuthMethod: v.GenericSchema<unknown, ACLAuthMethod> = shape(authMethodEntries);

/** A binding rule. */
export const ACLBindingRule: v.GenericSchema<unknown, ACLBindingRule> = shape({
  ID: v.string(),
  AuthMethod: v.string(),
  BindType: v.string(),
  BindName: v.string(),
  CreateIndex: uint,
  ModifyIndex: uint,
});

/** A list of binding rules. */
export const ACLBindingRuleList: v.GenericSchema<unknown, ACLBindingRule[]> = v.array(ACLBindingRule);

/** Replication status. */
export const ACLReplicationStatus: v.GenericSchema<unknown, ACLReplicationStatus> = shape({
  Enabled: v.boolean(),
  Running: v.boolean(),
  ReplicatedIndex: uint,
  ReplicatedTokenIndex: uint,
});

/** A legacy token. */
export const LegacyACL: v.GenericSchema<unknown, LegacyACL> = shape({
  ID: v.string(),
  Type: v.string(),
  CreateIndex: uint,
  ModifyIndex: uint,
});

/** A list of legacy tokens. */
export const LegacyACLList: v.GenericSchema<unknown, LegacyACL[]> = v.array(LegacyACL);

/** `{ "ID": … }`. */
export const ACLIDResult: v.GenericSchema<unknown, ACLIDResult> = v.looseObject({ ID: v.string() });

/** A `true`/`false` answer (deletes, logout). */
export const ACLBoolean: v.GenericSchema<unknown, boolean> = v.boolean();
