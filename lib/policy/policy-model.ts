/**
 * What the rules judge: scopes, roles, clients and role bindings as lib/model
 * types. An object may be known only by its key (`referenced`): it exists on
 * the server but this input does not declare it (a stack's `Scope.fromName`, a
 * Terraform reference to an object outside the change). Rules count such an
 * object as existing and judge nothing else about it.
 */
import { Client, Role, RoleBinding, Scope } from '../model/types';

export interface KeyOnly {
  readonly referenced: true;
}

export type ScopeEntry = Scope | (Pick<Scope, 'name'> & KeyOnly);
export type RoleEntry = Role | (Pick<Role, 'name'> & KeyOnly);
export type ClientEntry = Client | (Pick<Client, 'clientId'> & KeyOnly);

export interface PolicyModel {
  readonly scopes: readonly ScopeEntry[];
  readonly roles: readonly RoleEntry[];
  readonly clients: readonly ClientEntry[];
  /** Bindings are always declared: a binding only matters through the grants it makes. */
  readonly roleBindings: readonly RoleBinding[];
}

/** Whether an entry declares the whole object (not only its key). */
export function isDeclared<E extends object>(entry: E): entry is Exclude<E, KeyOnly> {
  return (entry as Partial<KeyOnly>).referenced !== true;
}

/** A model holding only declared objects, e.g. a server snapshot. */
export function modelOf(objects: { scopes?: readonly Scope[]; roles?: readonly Role[]; clients?: readonly Client[]; roleBindings?: readonly RoleBinding[] }): PolicyModel {
  return { scopes: objects.scopes ?? [], roles: objects.roles ?? [], clients: objects.clients ?? [], roleBindings: objects.roleBindings ?? [] };
}
