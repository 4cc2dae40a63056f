/**
 * Ownership: which Terraform resource manages a server object. The provider
 * gives each resource a random manager id when it creates or imports an
 * object and keeps it in the resource's state; the server records it with
 * the object and refuses writes that do not carry it (see
 * lib/server/admin/ownership.ts). So a renamed or duplicated resource, or a
 * second workspace, can neither take an object over nor delete it.
 *
 * The id is a credential of the workspace whose state holds it: the server
 * keeps only its digest and answers nothing but the digest (which cannot be
 * sent back as an id), so a reader of the server cannot write as a manager.
 *
 * On the wire (admin API), these headers; here, low in the layers, so that the
 * server that reads them and the client that sends them share one spelling.
 */
import { createHash } from 'node:crypto';
import { Kind } from './types';

/** The caller's manager id on PUT and DELETE: must equal the object's (or both absent). */
export const MANAGER_HEADER = 'x-manager';
/** Where the manager lives, for people (e.g. the Terraform working directory); shown in refusals. */
export const MANAGER_LABEL_HEADER = 'x-manager-label';
/** Lets a caller without the manager id change a managed object anyway: a written reason, kept in the audit log. */
export const OWNERSHIP_OVERRIDE_HEADER = 'x-ownership-override';

/** Random, URL-safe and long enough not to be guessed or collide: 22 base64url characters are 128 bits. */
export const MANAGER_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
export const MANAGER_LABEL_MAX_LENGTH = 200;
export const OVERRIDE_REASON_MAX_LENGTH = 200;

export interface Manager {
  /** The manager id's digest (managerDigest): what the server keeps and answers, never the id. */
  digest: string;
  /** Where the manager lives, for people: e.g. `terraform in /ci/stacks/prod`. Answered to admin tokens only. */
  label?: string;
  /** RFC 3339: when this manager took the object (create or import). */
  since: string;
}

/** The managers of the objects that have one, by kind and key (objects without one are absent). */
export type ManagerIndex = { [K in Kind]: Record<string, Manager> };

/** Error codes of the admin API's ownership refusals (409). */
export const OWNERSHIP_CONFLICT = {
  /** The object exists and the caller is not its manager: import it to take it over. */
  notManager: 'not_manager',
} as const;

/**
 * What the server keeps of a manager id: SHA-256, base64url. The ids are random (128 bits from the provider),
 * so a plain digest cannot be reversed; a salt would only stop the provider comparing digests at plan time.
 */
export function managerDigest(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('base64url');
}

/** A manager in a message: `terraform in /ci/stacks/prod on ci-3 (since 2026-11-29T10:00:00.000Z)`. */
export function describeManager(manager: Manager): string {
  return `${manager.label || 'a Terraform resource'} (since ${manager.since})`;
}

/** A manager label is shown to people: printable, one line, bounded. */
export function isValidManagerLabel(label: string): boolean {
  return label.length <= MANAGER_LABEL_MAX_LENGTH && /^[^\p{Cc}]*$/u.test(label);
}
