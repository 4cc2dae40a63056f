/**
 * Audit of the token endpoint: every token issued (and, for it, the usage
 * record of each scope), with the client and the scopes asked for and
 * granted. Refused requests are counted, not audited (refusal-counter.ts):
 * a row per refusal would let anyone grow the store and write its actor.
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
