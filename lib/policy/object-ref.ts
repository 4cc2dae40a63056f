/**
 * How a finding names the objects it concerns: by kind and key, the domain's
 * own identity. Each gate maps them to its own place: the construct path at
 * synth, the attribute at plan, the 422 body at the server.
 */
import { Kind } from '../model/types';

export interface ObjectRef {
  readonly kind: Kind;
  /** Scope name, role name, client id or binding name. */
  readonly key: string;
  /**
   * Which declaration of the key, counted from 0 over the declarations (not
   * the key-only references) in the order the model lists them; only set (by
   * DUPLICATES) for the second and later declarations of a key.
   * @default 0
   */
  readonly occurrence?: number;
}

const NOUN: Record<Kind, string> = { scopes: 'scope', roles: 'role', clients: 'client', 'role-bindings': 'role binding' };

export function ref(kind: Kind, key: string): ObjectRef {
  return { kind, key };
}

/** `client 'supplier-portal'`, for messages. */
export function describeRef(object: ObjectRef): string {
  return `${NOUN[object.kind]} '${object.key}'`;
}

export function sameObject(a: ObjectRef, b: ObjectRef): boolean {
  return a.kind === b.kind && a.key === b.key;
}
