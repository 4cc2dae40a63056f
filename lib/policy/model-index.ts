/**
 * Lookups over one policy model, computed on first use and shared by every
 * rule of one evaluation, so that 1,000 clients do not each scan every binding.
 */
import { Grant, grantsByClient, implicationsOf } from '../model/effective-scopes';
import { Scope } from '../model/types';
import { isDeclared, PolicyModel } from './policy-model';

export class ModelIndex {
  private grants?: Map<string, Grant[]>;
  private declared?: Map<string, Scope>;
  private implied?: (names: Iterable<string>) => Set<string>;
  private readonly impliedByScope = new Map<string, ReadonlySet<string>>();

  constructor(private readonly model: PolicyModel, private readonly now: Date) {}

  /** The model's `grantsByClient` at this evaluation's `now`. */
  grantsByClient(): ReadonlyMap<string, readonly Grant[]> {
    return (this.grants ??= grantsByClient(this.model, this.now));
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
