/** A scope (`resource.action`): what a token may be used for. */
import { Construct, IConstruct } from 'constructs';
import { Risk, Scope as ScopeModel } from '../model';
import { Authorization, AuthorizationEntry, IAuthorizationMember } from './authorization';
import { ImportedObject } from './imported';
import { ProcurementScopeResource } from './l1/scope-resource';
import { addressByKey } from './l1/natural-address';
import { compareStrings } from './order';
import { normalizedProps } from './props-check';

/** How much damage a scope can do in the wrong hands. */
export const ScopeRisk = {
  LOW: 'low',
  MEDIUM: 'medium',
  HIGH: 'high',
  CRITICAL: 'critical',
} as const satisfies Record<string, Risk>;
export type ScopeRisk = Risk;

/** A scope this code owns (Scope) or references (Scope.fromName). */
export interface IScope extends IConstruct {
  /** The literal scope name, e.g. `catalog.read`. */
  readonly scopeName: string;
  /** What other resources put in their attributes: a Terraform reference for owned scopes, the name otherwise. */
  readonly scopeNameRef: string;
}

export interface ScopeProps {
  /** `resource.action` in lower case, e.g. `payment.approve`. Changing it replaces the scope. */
  readonly name: string;
  /** What the scope lets a client do, in one sentence. */
  readonly description: string;
  /** How much damage the scope can do in the wrong hands (`ScopeRisk.LOW` ... `ScopeRisk.CRITICAL`): high and critical grants must expire and carry a justification. */
  readonly risk: ScopeRisk;
  /**
   * May be granted to external (supplier, partner) clients.
   * @default false
   */
  readonly external?: boolean;
  /**
   * Narrower scopes this one includes (`ticket.write` implies `ticket.comment`).
   * @default none
   */
  readonly implies?: readonly IScope[];
}

export class Scope extends Construct implements IScope, IAuthorizationMember {
  /** References a scope that exists on the server but is not owned by this code. */
  static fromName(scope: Construct, id: string, name: string): IScope {
    return new ImportedScope(scope, id, name);
  }

  readonly scopeName: string;
  readonly scopeNameRef: string;
  readonly resource: ProcurementScopeResource;
  private readonly value: ScopeModel;

  constructor(scope: Construct, id: string, props: ScopeProps) {
    super(scope, id);
    const authorization = Authorization.of(this);
    const implies = uniqueByName(props.implies ?? []);
    const value = normalizedProps(authorization.validator, 'scopes', {
      name: props.name,
      description: props.description,
      risk: props.risk,
      external: props.external,
      implies: implies.map(s => s.scopeName),
    } as ScopeModel);
    this.value = value;
    this.scopeName = props.name;
    this.resource = new ProcurementScopeResource(this, 'Resource', {
      name: value.name,
      description: value.description,
      risk: value.risk,
      external: value.external,
      implies: implies.map(s => s.scopeNameRef),
      provider: authorization.provider,
    });
    addressByKey(this.resource, props.name);
    this.scopeNameRef = this.resource.nameRef;
    authorization.register(this);
  }

  /** The risk level declared for this scope. */
  get risk(): Risk {
    return this.value.risk;
  }

  authorizationEntry(): AuthorizationEntry {
    return { resource: this.resource };
  }
}

class ImportedScope extends ImportedObject implements IScope {
  readonly scopeName = this.key;
  readonly scopeNameRef = this.key;

  constructor(scope: Construct, id: string, name: string) {
    super(scope, id, 'scopes', name);
  }
}

/** Sorted by name, each name once: sets never make a diff through their order. */
export function uniqueByName<T extends IScope>(scopes: readonly T[]): T[] {
  const byName = new Map(scopes.map(s => [s.scopeName, s]));
  return [...byName.values()].sort((a, b) => compareStrings(a.scopeName, b.scopeName));
}
