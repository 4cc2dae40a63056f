/** A role: a named bundle of scopes (buyer, approver, AP clerk), granted to clients through role bindings. */
import { Construct, IConstruct } from 'constructs';
import { Authorization, AuthorizationEntry, IAuthorizationMember } from './authorization';
import { Grant, GrantOptions } from './grant';
import { ImportedObject } from './imported';
import { ProcurementRoleResource } from './l1/role-resource';
import { addressByKey } from './l1/natural-address';
import { IProcurementClient } from './procurement-client';
import { RoleBinding } from './role-binding';
import { IScope, uniqueByName } from './scope';

/** A role this code owns (Role) or references (Role.fromName). */
export interface IRole extends IConstruct {
  /** The literal role name, e.g. `ap-clerk`. */
  readonly roleName: string;
  /** A Terraform reference for owned roles, the name otherwise. */
  readonly roleNameRef: string;
  /** The scope names the role carries; undefined when the role is referenced and its scopes are unknown here. */
  readonly scopeNames: readonly string[] | undefined;
}

export interface RoleProps {
  /** Lower case letters, digits and dashes, e.g. `ap-clerk`. Changing it replaces the role. */
  readonly name: string;
  /** What the role is for, in a sentence. */
  readonly description: string;
  /**
   * The scopes the role carries (a set).
   * @default none; add them with addScope
   */
  readonly scopes?: readonly IScope[];
}

export interface RoleGrantOptions extends GrantOptions {
  /**
   * The binding that receives the grant.
   * @default the role's own binding, named `<role>-grants` (construct id `Grants`), created on first use
   */
  readonly binding?: RoleBinding;
}

export class Role extends Construct implements IRole, IAuthorizationMember {
  /** References a role that exists on the server but is not owned by this code. */
  static fromName(scope: Construct, id: string, name: string): IRole {
    return new ImportedRole(scope, id, name);
  }

  readonly roleName: string;
  readonly roleNameRef: string;
  readonly description: string;
  readonly resource: ProcurementRoleResource;
  private readonly authorization: Authorization;
  private readonly scopes = new Map<string, IScope>();

  constructor(scope: Construct, id: string, props: RoleProps) {
    super(scope, id);
    this.authorization = Authorization.of(this);
    this.roleName = props.name;
    this.description = props.description;
    this.addScope(...(props.scopes ?? []));
    this.resource = new ProcurementRoleResource(this, 'Resource', {
      name: props.name,
      description: props.description,
      scopes: () => uniqueByName([...this.scopes.values()]).map(s => s.scopeNameRef),
      provider: this.authorization.provider,
    });
    addressByKey(this.resource, props.name);
    this.roleNameRef = this.resource.nameRef;
    this.authorization.register(this);
  }

  get scopeNames(): string[] {
    return [...this.scopes.keys()].sort();
  }

  /** Adds scopes to the role (a set: adding one twice changes nothing). */
  addScope(...scopes: IScope[]): this {
    for (const scope of scopes) this.scopes.set(scope.scopeName, scope);
    return this;
  }

  /**
   * Grants this role to `client`. Grants aggregate per role binding: every grant
   * of the role through its own binding becomes one subject of one resource.
   */
  grantTo(client: IProcurementClient, options: RoleGrantOptions = {}): Grant {
    const binding = options.binding ?? this.ownBinding();
    if (binding.role !== this) {
      throw new Error(`[${this.node.path}] cannot grant role '${this.roleName}' through binding '${binding.bindingName}' (${binding.node.path}), which binds role '${binding.role.roleName}'`);
    }
    return binding.addSubject(client, options);
  }

  authorizationEntry(): AuthorizationEntry {
    return { resource: this.resource };
  }

  private ownBinding(): RoleBinding {
    const existing = this.node.tryFindChild('Grants');
    return RoleBinding.isRoleBinding(existing) ? existing : new RoleBinding(this, 'Grants', { name: `${this.roleName}-grants`, role: this });
  }
}

class ImportedRole extends ImportedObject implements IRole {
  readonly roleName = this.key;
  readonly roleNameRef = this.key;
  readonly scopeNames = undefined;

  constructor(scope: Construct, id: string, name: string) {
    super(scope, id, 'roles', name);
  }
}
