/**
 * Named admin tokens, each with a role (`read`, `write`, `admin`). The token
 * is 256 random bits, shown once when it is created; the store keeps only its
 * SHA-256 digest.
 *
 * Why a plain SHA-256 and not a salted slow KDF (as for client secrets): a
 * slow KDF protects guessable passwords, and nobody can guess 256 random
 * bits, so a salt or a work factor adds nothing but cost; a copy of the store
 * still yields no usable token. Every admin request authenticates, so the
 * check must be cheap. Authentication compares the presented token's digest
 * with the digest of EVERY active token with `timingSafeEqual` and never stops
 * early, so neither which token matched nor how much of it matched shows in
 * the time taken; MAX_ACTIVE_ADMIN_TOKENS bounds that loop.
 *
 * The server's configured token (PROCUREMENT_ADMIN_TOKEN, or the generated
 * `<data>/admin-token`) is the `bootstrap` token with the `admin` role, so a
 * fresh server can be set up and existing set-ups keep working. It is listed
 * and revocable like any other; configuring a different value replaces it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AdminRole, AdminTokenInfo, CreatedAdminToken } from '../model/admin-api';
import { ServerError, badRequest, notFound } from './errors';
import { AuditLog, Store, StoredAdminToken } from './store/store';

export const BOOTSTRAP_TOKEN_NAME = 'bootstrap';
/** Active tokens at most: authentication compares against each of them. */
export const MAX_ACTIVE_ADMIN_TOKENS = 100;
export const ADMIN_TOKEN_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** Who an authenticated admin request comes from. */
export interface AdminIdentity {
  name: string;
  role: AdminRole;
}

export class AdminTokens {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date,
  ) {}

  /**
   * Makes the configured token the `bootstrap` admin token. Answers what happened, for the start-up message:
   * a bootstrap token that was revoked stays revoked until a different value is configured.
   */
  registerBootstrap(token: string): Promise<'registered' | 'unchanged' | 'replaced' | 'revoked'> {
    const hash = digest(token);
    const at = this.now().toISOString();
    return this.store.transaction(async tx => {
      const current = await tx.adminToken(BOOTSTRAP_TOKEN_NAME);
      if (current && sameDigest(current.hash, hash)) return current.revokedAt ? 'revoked' : 'unchanged';
      if (!current) {
        // A fresh server's first token is its configuration, not a change: the audit log starts empty.
        await tx.insertAdminToken({ name: BOOTSTRAP_TOKEN_NAME, role: 'admin', hash, createdAt: at, createdBy: null, revokedAt: null });
        return 'registered';
      }
      await tx.replaceAdminToken(BOOTSTRAP_TOKEN_NAME, hash, 'admin', at);
      await this.audit(tx, at, 'server configuration', 'replace-admin-token', BOOTSTRAP_TOKEN_NAME, 'admin');
      return 'replaced';
    });
  }

  /** The identity of an active token, or null. Constant time in the presented token (see the header). */
  async authenticate(presented: string): Promise<AdminIdentity | null> {
    const hash = Buffer.from(digest(presented), 'hex');
    let found: StoredAdminToken | null = null;
    for (const token of await this.store.activeAdminTokens()) {
      if (timingSafeEqual(hash, Buffer.from(token.hash, 'hex')) && found === null) found = token;
    }
    return found && { name: found.name, role: found.role };
  }

  async create(name: string, role: AdminRole, createdBy: string, actorNote: string | null): Promise<CreatedAdminToken> {
    if (!ADMIN_TOKEN_NAME_PATTERN.test(name)) {
      throw badRequest(`admin token name must be 1 to 63 lower case letters, digits, dots, dashes or underscores, starting with a letter or digit; got '${name.slice(0, 80)}'`, { field: 'name' });
    }
    const token = randomBytes(32).toString('base64url');
    const at = this.now().toISOString();
    const stored: StoredAdminToken = { name, role, hash: digest(token), createdAt: at, createdBy, revokedAt: null };
    await this.store.transaction(async tx => {
      const existing = await tx.adminToken(name);
      if (existing) {
        throw new ServerError(
          409,
          'conflict',
          existing.revokedAt
            ? `an admin token named '${name}' was revoked at ${existing.revokedAt}; names are never reused (the audit log names them): pick another name`
            : `an admin token named '${name}' already exists: pick another name, or revoke it first`,
          { field: 'name' },
        );
      }
      if ((await tx.activeAdminTokens()).length >= MAX_ACTIVE_ADMIN_TOKENS) {
        throw new ServerError(409, 'too_many_tokens', `there are already ${MAX_ACTIVE_ADMIN_TOKENS} active admin tokens, the most a server keeps: revoke unused ones first`);
      }
      await tx.insertAdminToken(stored);
      await this.audit(tx, at, createdBy, 'create-admin-token', name, role, actorNote);
    });
    return { ...infoOf(stored), token };
  }

  async list(): Promise<AdminTokenInfo[]> {
    return (await this.store.allAdminTokens()).map(infoOf);
  }

  /** Revokes at once (the next request with it gets 401); refuses to revoke the last active admin token. */
  async revoke(name: string, revokedBy: string, actorNote: string | null): Promise<void> {
    const at = this.now().toISOString();
    await this.store.transaction(async tx => {
      const token = await tx.adminToken(name);
      if (!token || token.revokedAt) throw notFound(`no active admin token named '${name}'`);
      const admins = (await tx.activeAdminTokens()).filter(t => t.role === 'admin');
      if (token.role === 'admin' && admins.length === 1) {
        throw new ServerError(409, 'conflict', `'${name}' is the last active admin token: create another admin token before revoking it, or nobody could manage tokens`);
      }
      await tx.revokeAdminToken(name, at);
      await this.audit(tx, at, revokedBy, 'revoke-admin-token', name, token.role, actorNote);
    });
  }

  private audit(tx: AuditLog, at: string, actor: string, action: string, name: string, role: AdminRole, actorNote: string | null = null): Promise<void> {
    return tx.appendAudit({
      at,
      actor,
      actorNote,
      action,
      kind: null,
      key: name,
      before: null,
      after: action === 'revoke-admin-token' ? null : { name, role },
      clientId: null,
      requestedScopes: null,
      grantedScopes: null,
      reason: null,
    });
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function sameDigest(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

function infoOf({ name, role, createdAt, createdBy, revokedAt }: StoredAdminToken): AdminTokenInfo {
  return { name, role, createdAt, createdBy, revokedAt };
}
