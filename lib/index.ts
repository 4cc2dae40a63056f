/**
 * The public API: the construct library, the domain model it is built on, and
 * the policy layer (rules, policy document) under `policy`.
 * Model types whose names the constructs also use (Scope, Role, RoleBinding,
 * Grant, GrantType) are available under `model` and with a `Model` suffix.
 */
export * from './constructs';
export * as model from './model';
export * as policy from './policy';
export type {
  Scope as ScopeModel,
  Role as RoleModel,
  Client as ClientModel,
  RoleBinding as RoleBindingModel,
  Subject as SubjectModel,
  Risk,
  Kind,
  Snapshot,
} from './model';
export { ModelValidator, effectiveScopes, LIMITS } from './model';
