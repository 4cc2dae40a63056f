/**
 * The model's validators, one per kind, compiled with ajv at first use.
 * The provider's bundle replaces this module with the same validators
 * compiled at build time into standalone code (scripts/bundle-provider.js):
 * a provider process then never loads ajv's compiler, which cost 100-130 ms
 * at every start (three starts per plan).
 */
import type { ValidateFunction } from 'ajv';
import { createAjv } from './ajv-setup';
import { SCHEMAS } from './schemas';
import { Kind } from './types';

export type ModelValidators = { [K in Kind]: ValidateFunction };

export function modelValidators(): ModelValidators {
  const ajv = createAjv();
  return {
    scopes: ajv.compile(SCHEMAS.scopes),
    roles: ajv.compile(SCHEMAS.roles),
    clients: ajv.compile(SCHEMAS.clients),
    'role-bindings': ajv.compile(SCHEMAS['role-bindings']),
  };
}
