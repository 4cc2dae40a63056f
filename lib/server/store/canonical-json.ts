/** The store compares objects in the model's canonical JSON (lib/model/canonical-json.ts). */
export { canonicalJson } from '../../model/canonical-json';
