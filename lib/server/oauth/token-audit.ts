/**
 * Audit of the token endpoint: every token issued (and, for it, the usage
 * record of each scope) and every request refused, with the client, the
 * scopes asked for and granted, and the reason.
 */
import { Store } from '../store/store';

export class TokenAudit {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date,
  ) {}

  async granted(clientId: string, requested: string[], granted: string[]): Promise<void> {
    const at = this.now().toISOString();
    await this.store.transaction(async tx => {
      await tx.appendAudit(this.entry(at, 'token.grant', clientId, requested, granted, null));
      await tx.recordUsage(clientId, granted, at);
    });
  }

  denied(clientId: string | null, requested: string[], reason: string): Promise<void> {
    return this.store.appendAudit(this.entry(this.now().toISOString(), 'token.deny', clientId, requested, [], reason));
  }

  private entry(at: string, action: string, clientId: string | null, requested: string[], granted: string[], reason: string | null) {
    return {
      at,
      actor: clientId ?? 'unknown',
      action,
      kind: null,
      key: null,
      before: null,
      after: null,
      clientId,
      requestedScopes: requested,
      grantedScopes: granted,
      reason,
    };
  }
}
