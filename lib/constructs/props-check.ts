/**
 * Props are checked with the model's own JSON Schemas (ModelValidator), so a
 * construct accepts exactly what the server accepts. Problems are collected,
 * not thrown: they are reported at synth together with every guardrail
 * finding. Values that are unresolved tokens are not judged as literals.
 */
import { Token } from './cdk';
import { Kind, KindObject, ModelValidator, Problem } from '../model';

export interface PropsCheck<T> {
  /** The normalized value (defaults filled, sets sorted) when valid, else the input as given. */
  readonly value: T;
  readonly problems: readonly Problem[];
}

export function checkProps<K extends Kind>(validator: ModelValidator, kind: K, input: KindObject[K]): PropsCheck<KindObject[K]> {
  const result = validator.validate(kind, input);
  if (result.ok) return { value: result.value, problems: [] };
  const problems = result.problems.filter(p => !Token.isUnresolved(valueAt(input, p.path)));
  // Invalid props fail synth; when only token-valued fields "failed", the input goes out as given
  // (defaults of fields left out are then the provider's).
  return { value: input, problems };
}

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), input);
}
