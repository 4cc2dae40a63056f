/**
 * Audit of the token endpoint: every token issued (and, for it, the usage
 * record of each scope), with the client and the scopes asked for and
 * granted. Refused requests are counted, not audited (refusal-counter.ts):
 * a row per refusal would let anyone grow the store and write its actor.
 */
import { MetricsSink } from '../metrics/server-metrics';
import { GrantBatcher } from './grant-batch';

export class TokenAudit {
  constructor(
    private readonly now: () => Date,
    private readonly grants: GrantBatcher,
    private readonly metrics: MetricsSink,
  ) {}

  /**
   * Resolves once the grant's audit entry and usage are durable (group commit, grant-batch.ts): answer the token after.
   * The entry's `key` is the token's `jti`, so a token can be traced to its grant.
   */
  async granted(clientId: string, requested: string[], granted: string[], jti: string): Promise<void> {
    await this.grants.record({ ...this.entry(this.now().toISOString(), 'token.grant', clientId, requested, granted, null), key: jti });
    // Counted once durable: a token whose grant failed to commit is never answered, so never counted.
    this.metrics.tokenIssued(clientId, granted);
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
