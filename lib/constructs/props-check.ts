/**
 * Props are normalized with the model's own JSON Schemas (ModelValidator):
 * defaults filled and sets sorted, so the synthesized values are the ones the
 * server would store. Invalid props go out as given and are reported at synth
 * by the Authorization, which validates every resource's synthesized values
 * (L2 and L1 alike) with the same schemas.
 */
import { Kind, KindObject, ModelValidator } from '../model';

/** The normalized value when valid, else the input as given. */
export function normalizedProps<K extends Kind>(validator: ModelValidator, kind: K, input: KindObject[K]): KindObject[K] {
  const result = validator.validate(kind, input);
  return result.ok ? result.value : input;
}
