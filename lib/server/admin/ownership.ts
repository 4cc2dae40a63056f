/**
 * Ownership checks of admin writes (see lib/model/ownership.ts). The rule, for
 * PUT and DELETE of an object that exists: the caller's `X-Manager` must equal
 * the object's manager, both absent counting as equal. So
 *
 * - a Terraform resource that creates an object sends a new manager id: an
 *   object that already exists (managed by another resource, or by no one) is
 *   refused with 409 and an import hint; nothing is overwritten;
 * - a resource updates and deletes only what it manages: one that lost the
 *   object (renamed without a `moved` block, or imported elsewhere) gets 409;
 * - direct admin users (no manager id) change unmanaged objects as before,
 *   and a managed one only with `X-Ownership-Override: <reason>`, which the
 *   audit entry keeps; the manager stays, so its next plan shows the drift.
 */
import { IncomingMessage } from 'node:http';
import { AdminRole } from '../../model/admin-api';
import { Kind } from '../../model/types';
import {
  describeManager,
  isValidManagerLabel,
  Manager,
  managerDigest,
  MANAGER_HEADER,
  MANAGER_ID_PATTERN,
  MANAGER_LABEL_HEADER,
  MANAGER_LABEL_MAX_LENGTH,
  OVERRIDE_REASON_MAX_LENGTH,
  OWNERSHIP_CONFLICT,
  OWNERSHIP_OVERRIDE_HEADER,
} from '../../model/ownership';
import { ServerError, badRequest } from '../errors';
import { OwnershipStore } from '../store/store';
import { NOUN } from './kinds';

export interface OwnershipClaim {
  /** The caller's manager id, or null (a direct admin user, or state written before ownership). */
  id: string | null;
  label: string;
  /** The written reason to change a managed object without its manager id. */
  overrideReason: string | null;
  /** Whether the caller may read managers' labels (an admin token). */
  admin: boolean;
}

/** A manager as answered to a token of `role`: the digest and since; the label to admins only. */
export function answeredManager(manager: Manager, role: AdminRole): Manager {
  return role === 'admin' ? manager : { digest: manager.digest, since: manager.since };
}

/** The ownership headers of a request, checked: a malformed one is a 400 naming the header. */
export function claimOf(req: IncomingMessage, role: AdminRole): OwnershipClaim {
  const id = singleHeader(req, MANAGER_HEADER);
  if (id !== null && !MANAGER_ID_PATTERN.test(id)) {
    throw badRequest(`${MANAGER_HEADER} must be 16 to 64 letters, digits, '-' or '_' (a manager id the provider issued)`, {
      field: MANAGER_HEADER,
    });
  }
  const label = singleHeader(req, MANAGER_LABEL_HEADER) ?? '';
  if (!isValidManagerLabel(label)) {
    throw badRequest(`${MANAGER_LABEL_HEADER} must be one line of at most ${MANAGER_LABEL_MAX_LENGTH} characters`, { field: MANAGER_LABEL_HEADER });
  }
  const overrideReason = singleHeader(req, OWNERSHIP_OVERRIDE_HEADER);
  if (overrideReason !== null && (overrideReason.trim() === '' || !isValidManagerLabel(overrideReason) || overrideReason.length > OVERRIDE_REASON_MAX_LENGTH)) {
    throw badRequest(`${OWNERSHIP_OVERRIDE_HEADER} must be a written reason of one line, at most ${OVERRIDE_REASON_MAX_LENGTH} characters`, {
      field: OWNERSHIP_OVERRIDE_HEADER,
    });
  }
  return { id, label, overrideReason, admin: role === 'admin' };
}

/** Throws 409 unless the caller may change the existing object `kind/key`; call inside the write's transaction. */
export async function checkManager(store: OwnershipStore, kind: Kind, key: string, claim: OwnershipClaim, verb: 'change' | 'delete'): Promise<void> {
  const manager = await store.managerOf(kind, key);
  if ((manager?.digest ?? null) === (claim.id === null ? null : managerDigest(claim.id))) return;
  if (claim.id === null && claim.overrideReason !== null) return;
  throw notManager(kind, key, manager, claim, verb);
}

/** The manager a create by `claim` records, or null when the caller has no manager id. */
export function managerFor(claim: OwnershipClaim, now: Date): Manager | null {
  return claim.id === null ? null : { digest: managerDigest(claim.id), label: claim.label, since: now.toISOString() };
}

function notManager(kind: Kind, key: string, manager: Manager | null, claim: OwnershipClaim, verb: 'change' | 'delete'): ServerError {
  // The label says where the manager lives (a host, a directory): for admins only, like every answer about managers.
  const held = manager ? `is managed by ${describeManager(claim.admin ? manager : answeredManager(manager, 'write'))}` : 'exists and no Terraform resource manages it';
  const remedy =
    claim.id === null
      ? `pass its manager id in ${MANAGER_HEADER}, or a written reason in ${OWNERSHIP_OVERRIDE_HEADER} (kept in the audit log)`
      : verb === 'delete'
        ? 'the deleting resource does not manage it (it was imported elsewhere): forget it there with `terraform state rm <address>`, ' +
          `or take it back with \`terraform import <address> ${key}\``
        : `to manage it from this resource, import it (\`terraform import <address> ${key}\`): the import takes it over; ` +
          'if this resource was renamed, add a `moved` block from its old address instead';
  return new ServerError(409, OWNERSHIP_CONFLICT.notManager, `${NOUN[kind]} '${key}' ${held}; ${remedy}`);
}

function singleHeader(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  if (value === undefined || value === '') return null;
  if (Array.isArray(value)) throw badRequest(`${name} must be given once`, { field: name });
  return value;
}
