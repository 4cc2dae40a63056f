/**
 * The policy document's validator, compiled with ajv at first use. Like the
 * model's (lib/model/compiled-validators.ts), the provider's bundle replaces
 * this module with the same validator compiled at build time into standalone
 * code (scripts/bundle-provider.js): compiling it cost about 110 ms in each
 * provider process that reads or validates a procurement_policy.
 */
import type { ValidateFunction } from 'ajv';
import { createAjv } from '../model/ajv-setup';
import { policySchema } from './policy-schema';

export function policyValidator(): ValidateFunction {
  return createAjv().compile(policySchema);
}
