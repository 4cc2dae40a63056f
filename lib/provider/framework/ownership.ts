/**
 * The manager id of a resource instance (see lib/model/ownership.ts) lives in
 * the instance's PRIVATE state (the protocol's opaque `private` bytes), not in
 * an attribute. Terraform keeps private state with the instance object
 * itself, so it follows the object through `moved` blocks and
 * `terraform state mv`, `state pull/push` and `-refresh-only`; import
 * returns it (`ImportedResource.private`). A computed attribute would do the
 * same but show in every plan as "(known after apply)", in `terraform show`,
 * in the review and in the constructs' bindings, for a value nobody should
 * set or read. State written before ownership has no private state: its
 * manager id is null, which matches the objects written before (no manager).
 */
import { randomBytes } from 'node:crypto';

export interface PrivateState {
  manager: string | null;
}

export function readPrivate(bytes: Buffer | Uint8Array | undefined | null): PrivateState {
  if (!bytes || bytes.length === 0) return { manager: null };
  try {
    const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as { manager?: unknown };
    return { manager: typeof parsed.manager === 'string' ? parsed.manager : null };
  } catch {
    return { manager: null }; // not ours (never written by this provider): as if written before ownership
  }
}

export function writePrivate(state: PrivateState): Buffer {
  return state.manager === null ? Buffer.alloc(0) : Buffer.from(JSON.stringify({ manager: state.manager }));
}

/** 128 random bits, base64url: matches the server's MANAGER_ID_PATTERN. */
export function newManagerId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Where this provider's resources live, for the people who meet it in a
 * refusal elsewhere: the Terraform working directory (the provider's cwd; for
 * cdktf, `cdktf.out/stacks/<stack>`) and the host. HTTP headers carry
 * printable ASCII only, so anything else becomes `?`.
 */
export function managerLabel(cwd: string, host: string): string {
  const text = `terraform in ${cwd} on ${host}`.replace(/[^\x20-\x7e]/g, '?');
  return text.length <= 200 ? text : `...${text.slice(-197)}`;
}
