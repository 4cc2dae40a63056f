/**
 * Lookups over one policy model, computed on first use and shared by every
 * rule of one evaluation, so that 1,000 clients do not each scan every binding.
 */
import { Grant, implicationsOf, isExpired } from '../model/effective-scopes';
import { Scope } from '../model/types';
import { isDeclared, PolicyModel } from './policy-model';

export class ModelIndex {
  private grants?: Map<string, Grant[]>;
  private declared?: Map<string, Scope>;
  private implied?: (names: Iterable<string>) => Set<string>;
  private readonly impliedByScope = new Map<string, ReadonlySet<string>>();

  constructor(private readonly model: PolicyModel, private readonly now: Date) {}

  /**
   * The grants of every client before implications (the meaning of the
   * model's `grantsOf`, indexed by client). Expired subjects grant nothing.
   */
  grantsByClient(): ReadonlyMap<string, readonly Grant[]> {
    if (this.grants) return this.grants;
    const roleScopes = new Map(this.model.roles.map(r => [r.name, isDeclared(r) ? r.scopes : []]));
    const byClient = new Map<string, Grant[]>();
    for (const binding of this.model.roleBindings) {
      for (const subject of binding.subjects) {
        if (isExpired(subject.expiresAt, this.now)) continue;
        const list = byClient.get(subject.clientId) ?? [];
        for (const scope of roleScopes.get(binding.role) ?? []) {
          list.push({ scope, role: binding.role, binding: binding.name, expiresAt: subject.expiresAt });
        }
        byClient.set(subject.clientId, list);
      }
    }
    return (this.grants = byClient);
  }

  /** Declared scopes by name (referenced ones are not here: nothing is known of them but the name). */
  scopes(): ReadonlyMap<string, Scope> {
    return (this.declared ??= new Map(this.model.scopes.filter(isDeclared).map(s => [s.name, s])));
  }

  /** The scopes and everything they imply, transitively (a fresh set: callers may change it). */
  withImplied(scopes: Iterable<string>): Set<string> {
    this.implied ??= implicationsOf([...this.scopes().values()]);
    const out = new Set<string>();
    for (const scope of scopes) {
      let closure = this.impliedByScope.get(scope);
      if (!closure) this.impliedByScope.set(scope, (closure = this.implied([scope])));
      for (const s of closure) out.add(s);
    }
    return out;
  }
}
