/** What `role.grantTo(...)` and `binding.addSubject(...)` answer: exactly what was granted, to whom, until when. */
import type { IProcurementClient } from './procurement-client';
import type { IRole } from './role';
import type { RoleBinding } from './role-binding';

export interface GrantOptions {
  /**
   * When the grant ends: the binding then grants this client nothing. Required
   * (within the policy window) for roles that carry high or critical scopes.
   * @default never expires
   */
  readonly expiresAt?: Date | string;
  /**
   * Why the grant exists, e.g. the change ticket `CHG-1234`. Required for roles that carry high or critical scopes.
   * @default none
   */
  readonly justification?: string;
}

export class Grant {
  constructor(
    readonly role: IRole,
    readonly client: IProcurementClient,
    readonly binding: RoleBinding,
    /** RFC 3339, or null for no expiry. */
    readonly expiresAt: string | null,
    readonly justification: string | null,
  ) {}

  /** The scopes the grant carries, as the role names them now (undefined for a role referenced with fromName). */
  get scopes(): readonly string[] | undefined {
    return this.role.scopeNames;
  }

  toString(): string {
    const until = this.expiresAt === null ? 'without expiry' : `until ${this.expiresAt}`;
    return `role ${this.role.roleName} to client ${this.client.clientId} via binding ${this.binding.bindingName} ${until}`;
  }
}

/** Kept here for the constructs' public API; the one implementation is the model's. */
export { toRfc3339 } from '../model/timestamp';
