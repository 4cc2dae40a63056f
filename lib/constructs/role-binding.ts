/**
 * A role binding: one role, granted to a set of clients (subjects), each with
 * an optional expiry and justification. Synthesized as ONE
 * `procurement_role_binding` resource however many subjects it has, and it owns
 * its whole subject set.
 */
import { Construct } from 'constructs';
import { Authorization, AuthorizationEntry, IAuthorizationMember } from './authorization';
import { Grant, GrantOptions, toRfc3339 } from './grant';
import { ProcurementRoleBindingResource } from './l1/role-binding-resource';
import { addressByKey } from './l1/natural-address';
import { IProcurementClient } from './procurement-client';
import { compareStrings } from './order';
import type { IRole } from './role';

export interface SubjectProps extends GrantOptions {
  readonly client: IProcurementClient;
}

export interface RoleBindingProps {
  /** Lower case letters, digits and dashes, e.g. `approvers`. Changing it replaces the binding. */
  readonly name: string;
  readonly role: IRole;
  /**
   * The clients the role is granted to.
   * @default none; add them with addSubject or role.grantTo
   */
  readonly subjects?: readonly SubjectProps[];
}

/** Marks RoleBindings across copies of this library: `instanceof` would miss a second copy. */
const ROLE_BINDING_SYMBOL = Symbol.for('procurement-scopes/RoleBinding');

export class RoleBinding extends Construct implements IAuthorizationMember {
  /** True when `x` is a RoleBinding, from this or any other loaded copy of procurement-scopes. */
  static isRoleBinding(x: unknown): x is RoleBinding {
    return x !== null && typeof x === 'object' && ROLE_BINDING_SYMBOL in x;
  }

  readonly bindingName: string;
  readonly role: IRole;
  readonly resource: ProcurementRoleBindingResource;
  private readonly authorization: Authorization;
  private readonly grants: Grant[] = [];

  constructor(scope: Construct, id: string, props: RoleBindingProps) {
    super(scope, id);
    Object.defineProperty(this, ROLE_BINDING_SYMBOL, { value: true });
    this.authorization = Authorization.of(this);
    this.bindingName = props.name;
    this.role = props.role;
    this.resource = new ProcurementRoleBindingResource(this, 'Resource', {
      name: props.name,
      role: props.role.roleNameRef,
      subjects: () =>
        [...this.grants]
          .sort((a, b) => compareStrings(a.client.clientId, b.client.clientId))
          .map(g => ({ clientId: g.client.clientIdRef, expiresAt: g.expiresAt, justification: g.justification })),
      provider: this.authorization.provider,
    });
    addressByKey(this.resource, props.name);
    for (const { client, ...options } of props.subjects ?? []) this.addSubject(client, options);
    this.authorization.register(this);
  }

  /** Adds `client` as a subject of this binding and answers what it was granted. */
  addSubject(client: IProcurementClient, options: GrantOptions = {}): Grant {
    const grant = new Grant(this.role, client, this, toRfc3339(options.expiresAt), options.justification ?? null);
    this.grants.push(grant);
    return grant;
  }

  /** Everything granted through this binding, in the order it was granted. */
  get subjects(): readonly Grant[] {
    return [...this.grants];
  }

  authorizationEntry(): AuthorizationEntry {
    return { resource: this.resource };
  }
}
