/**
 * What a rule judges at the token endpoint (and in introspection): one
 * client's grants at the moment of issue. A rule that can withhold a grant
 * declares it with a `token` facet, and the token gate (token-scopes.ts) asks
 * every rule that has one: a new rule joins the gate by declaring its facet,
 * never by being added to a list there.
 */
import { EffectiveScopeInput } from '../model/effective-scopes';
import { Client, Scope } from '../model/types';
import { ObjectRef } from './object-ref';
import { PolicyDocument } from './policy-document';

export interface TokenScopeInput extends EffectiveScopeInput {
  readonly scopes: readonly Pick<Scope, 'name' | 'implies' | 'risk' | 'external'>[];
  /** The client asking; null when the store does not know it. */
  readonly client: Pick<Client, 'clientId' | 'external'> | null;
}

export interface TokenContext {
  readonly clientId: string;
  readonly input: TokenScopeInput;
  readonly policy: PolicyDocument;
  readonly now: Date;
  /**
   * The scopes the client would receive, sorted: every effective scope for a rule that judges each scope alone;
   * for one that judges the set, what the scope-by-scope rules left.
   */
  readonly held: readonly string[];
  /** The input's scopes by name. */
  readonly scopes: ReadonlyMap<string, TokenScopeInput['scopes'][number]>;
  /** The scopes plus everything they imply, transitively. */
  readonly withImplied: (names: Iterable<string>) => Set<string>;
}

/** A held scope a rule forbids the client now. */
export interface Withholding {
  readonly scope: string;
  /** The object an exception of the rule names to accept it: the one admission would report the finding on. */
  readonly object: ObjectRef;
  /** For the audit log and the `invalid_scope` description: what is wrong and what to do. */
  readonly reason: string;
}

export interface TokenFacet {
  /**
   * `scope`: each held scope is judged alone. `set`: the scopes are judged together (a combination the client may
   * not hold), after every `scope` rule, so that a scope another rule withholds makes no combination.
   */
  readonly judges: 'scope' | 'set';
  readonly withhold: (context: TokenContext) => readonly Withholding[];
}
