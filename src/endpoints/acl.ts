/**
 * The ACL API: tokens, policies, roles, auth methods, binding rules, login/logout, bootstrap,
 * replication and rules translation, plus consulate's legacy calls (`legacyCreate`, `legacyUpdate`,
 * `legacyDelete`, `legacyRead`, `legacyClone`, `legacyList`), as pure functions taking a {@link Client} first.
 *
 * How "missing" is reported differs per object on Consul 1.8.7, and these functions smooth it over:
 * a missing token or policy (403 `ACL not found`), role, auth method or binding rule (404) or legacy
 * token (`[]`) is `data: undefined`. A real denial (403 `Permission denied`) and an unknown *caller*
 * token (also 403 `ACL not found`) still throw {@link ForbiddenError}; see {@link tokenRead}.
 * A 404 that is not Consul's (an HTML page from a proxy) throws a `NotFoundError` instead.
 *
 * Consul 1.8.7 ignores `?dc=` on every ACL write (they go to the agent's datacenter and on to the
 * primary; a local token stays in the agent's datacenter) and on the legacy `legacyRead`/`legacyList` reads:
 * there an explicit `datacenter` option is an {@link InputError}. The other reads and `login`/`logout` honour `datacenter`.
 *
 * Inputs use Consul's field names, as its docs write them (`Description`, `Policies: [{ Name }]`,
 * `ExpirationTTL`…), like the returned data (`AccessorID`, `SecretID`…): a sample payload from
 * Consul's docs, or an object read back, can be passed as is. Fields consulate does not know are
 * sent unchanged; the checks before sending (a link without `ID`/`Name`, a bad duration, a missing
 * `Name`…) name the offending field.
 * The caller's token only ever travels in `X-Consul-Token`. The legacy API puts the *target*
 * token's secret in the URL path (Consul's design): errors of those calls redact it.
 *
 * The functions live in one file per sub-area, like the facade's nesting: `acl/tokens.ts`,
 * `acl/policies.ts`, `acl/roles.ts`, `acl/auth-methods.ts` (with login/logout), `acl/binding-rules.ts`,
 * `acl/rules.ts`, `acl/templated-policies.ts`, `acl/legacy.ts`, `acl/system.ts` (bootstrap, replication) and what they share
 * (`acl/shared.ts`); this module re-exports them and describes how they nest on the facade.
 * @see https://developer.hashicorp.com/consul/api-docs/acl
 * @module
 */
import type { Client } from '../core/client.ts';
import type { ForbiddenError, InputError } from '../core/errors.ts';
import { bootstrap, replication } from './acl/system.ts';
import { tokenCreate, tokenRead, tokenReadSelf, tokenUpdate, tokenClone, tokenDelete, tokenList } from './acl/tokens.ts';
import { policyCreate, policyRead, policyReadByName, policyUpdate, policyDelete, policyList } from './acl/policies.ts';
import { roleCreate, roleRead, roleReadByName, roleUpdate, roleDelete, roleList } from './acl/roles.ts';
import { authMethodCreate, authMethodRead, authMethodUpdate, authMethodDelete, authMethodList, login, logout } from './acl/auth-methods.ts';
import { bindingRuleCreate, bindingRuleRead, bindingRuleUpdate, bindingRuleDelete, bindingRuleList } from './acl/binding-rules.ts';
import { rulesTranslate, rulesTranslateToken } from './acl/rules.ts';
import { templatedPolicyList, templatedPolicyReadByName, templatedPolicyPreview } from './acl/templated-policies.ts';
import { legacyCreate, legacyUpdate, legacyDelete, legacyRead, legacyClone, legacyList } from './acl/legacy.ts';

export type {
  ACLAuthMethod,
  ACLAuthMethodListEntry,
  ACLBindingRule,
  ACLIDResult,
  ACLLink,
  ACLNodeIdentity,
  ACLPolicy,
  ACLPolicyListEntry,
  ACLReplicationStatus,
  ACLRole,
  ACLServiceIdentity,
  ACLToken,
  ACLTokenListEntry,
  LegacyACL,
} from '../schemas/acl.ts';
export type { ACLLinkInput, ACLNodeIdentityInput, ACLServiceIdentityInput } from './acl/shared.ts';
export type { ACLTokenCloneInput, ACLTokenExpanded, ACLTokenInput, ACLTokenListOptions, ACLTokenReadOptions } from './acl/tokens.ts';
export type { ACLBootstrapOptions } from './acl/system.ts';
export type { ACLTemplatedPolicy, ACLTemplatedPolicyVariables } from './acl/templated-policies.ts';
export type { ACLPolicyInput } from './acl/policies.ts';
export type { ACLRoleInput, ACLRoleListOptions } from './acl/roles.ts';
export type { ACLAuthMethodInput, ACLLoginInput } from './acl/auth-methods.ts';
export type { ACLBindingRuleInput, ACLBindingRuleListOptions } from './acl/binding-rules.ts';
export type { LegacyACLInput } from './acl/legacy.ts';

export {
  bootstrap,
  replication,
  tokenCreate,
  tokenRead,
  tokenReadSelf,
  tokenUpdate,
  tokenClone,
  tokenDelete,
  tokenList,
  policyCreate,
  policyRead,
  policyReadByName,
  policyUpdate,
  policyDelete,
  policyList,
  templatedPolicyList,
  templatedPolicyReadByName,
  templatedPolicyPreview,
  roleCreate,
  roleRead,
  roleReadByName,
  roleUpdate,
  roleDelete,
  roleList,
  authMethodCreate,
  authMethodRead,
  authMethodUpdate,
  authMethodDelete,
  authMethodList,
  login,
  logout,
  bindingRuleCreate,
  bindingRuleRead,
  bindingRuleUpdate,
  bindingRuleDelete,
  bindingRuleList,
  rulesTranslate,
  rulesTranslateToken,
  legacyCreate,
  legacyUpdate,
  legacyDelete,
  legacyRead,
  legacyClone,
  legacyList,
};

/**
 * How these functions nest on the `Consul` facade: `consul.acl.token.create(…)`, `consul.acl.policy.read(id)`,
 * `consul.acl.rules.translate(…)`, `consul.acl.legacy.create(…)`…
 * Each entry is written `fn as typeof fn` so that its type needs no inference (`isolatedDeclarations`).
 */
export const aclFacade = {
  bootstrap: bootstrap as typeof bootstrap,
  replication: replication as typeof replication,
  login: login as typeof login,
  logout: logout as typeof logout,
  token: {
    create: tokenCreate as typeof tokenCreate,
    read: tokenRead as typeof tokenRead,
    readSelf: tokenReadSelf as typeof tokenReadSelf,
    update: tokenUpdate as typeof tokenUpdate,
    clone: tokenClone as typeof tokenClone,
    delete: tokenDelete as typeof tokenDelete,
    list: tokenList as typeof tokenList,
  },
  policy: {
    create: policyCreate as typeof policyCreate,
    read: policyRead as typeof policyRead,
    readByName: policyReadByName as typeof policyReadByName,
    update: policyUpdate as typeof policyUpdate,
    delete: policyDelete as typeof policyDelete,
    list: policyList as typeof policyList,
  },
  templatedPolicy: {
    list: templatedPolicyList as typeof templatedPolicyList,
    readByName: templatedPolicyReadByName as typeof templatedPolicyReadByName,
    preview: templatedPolicyPreview as typeof templatedPolicyPreview,
  },
  role: {
    create: roleCreate as typeof roleCreate,
    read: roleRead as typeof roleRead,
    readByName: roleReadByName as typeof roleReadByName,
    update: roleUpdate as typeof roleUpdate,
    delete: roleDelete as typeof roleDelete,
    list: roleList as typeof roleList,
  },
  authMethod: {
    create: authMethodCreate as typeof authMethodCreate,
    read: authMethodRead as typeof authMethodRead,
    update: authMethodUpdate as typeof authMethodUpdate,
    delete: authMethodDelete as typeof authMethodDelete,
    list: authMethodList as typeof authMethodList,
  },
  bindingRule: {
    create: bindingRuleCreate as typeof bindingRuleCreate,
    read: bindingRuleRead as typeof bindingRuleRead,
    update: bindingRuleUpdate as typeof bindingRuleUpdate,
    delete: bindingRuleDelete as typeof bindingRuleDelete,
    list: bindingRuleList as typeof bindingRuleList,
  },
  rules: {
    translate: rulesTranslate as typeof rulesTranslate,
    translateToken: rulesTranslateToken as typeof rulesTranslateToken,
  },
  /** The legacy ACL API (Consul < 1.4, consulate's `acl.create`…). */
  legacy: {
    create: legacyCreate as typeof legacyCreate,
    update: legacyUpdate as typeof legacyUpdate,
    delete: legacyDelete as typeof legacyDelete,
    read: legacyRead as typeof legacyRead,
    clone: legacyClone as typeof legacyClone,
    list: legacyList as typeof legacyList,
  },
};
