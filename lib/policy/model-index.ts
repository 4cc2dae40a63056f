/**
 * Lookups over one policy model, computed on first use and shared by every
 * rule of one evaluation, so that 1,000 clients do not each scan every binding.
 */
import { Grant, isExpired, withImplied } from '../model/effective-scopes';
import { Scope } from '../model/types';
import { isDeclared, PolicyModel } from './policy-model';

export class ModelIndex {
  private grants?: Map<string, Grant[]>;
  private declared?: Map<string, Scope>;
  private implies?: Pick<Scope, 'name' | 'implies'>[];
  private readonly closures = new Map<string, ReadonlySet<string>>();

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

  /**
   * `scope` and everything it implies, transitively (a new set, the caller's to change). Each scope's
   * closure is computed once per evaluation: rules ask for it per grant, and the model's `withImplied`
   * indexes every scope on each call (measured: 1.6 s of a 1,000-client evaluation, 5,000 grants).
   */
  withImplied(scopes: Iterable<string>): Set<string> {
    this.implies ??= [...this.scopes().values()].map(s => ({ name: s.name, implies: s.implies }));
    const out = new Set<string>();
    for (const scope of scopes) {
      let closure = this.closures.get(scope);
      if (!closure) this.closures.set(scope, (closure = withImplied([scope], this.implies)));
      closure.forEach(s => out.add(s));
    }
    return out;
  }
}
