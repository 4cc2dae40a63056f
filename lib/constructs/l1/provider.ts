/**
 * The typed L1 of the `procurement` provider block. Only connection settings
 * that are not secret can be set here: the admin token is deliberately absent,
 * because anything set in code lands in the synthesized JSON (and in version
 * control). The provider reads it from PROCUREMENT_ADMIN_TOKEN instead.
 */
import { TerraformProvider } from '../cdk';
import { Construct } from 'constructs';
import { PROVIDER_VERSION_CONSTRAINT } from '../../version';

/** Terraform source address of the provider (no registry needed: it is installed into a filesystem mirror). */
export const PROVIDER_SOURCE = 'procurement-scopes/procurement';

export { PROVIDER_VERSION_CONSTRAINT };

export interface ProcurementProviderConfig {
  /**
   * Base URL of the authorization server's admin API.
   * @default the provider reads PROCUREMENT_URL, else http://127.0.0.1:8787
   */
  readonly url?: string;
  /**
   * Timeout of one admin API request, in seconds.
   * @default the provider's own default
   */
  readonly timeoutSeconds?: number;
  /**
   * Directory where the provider writes the secret of each client it creates (one 0600 file per client).
   * @default the provider reads PROCUREMENT_SECRETS_DIR
   */
  readonly secretsDir?: string;
  /**
   * Shell command that receives the secret of each client the provider creates, as one JSON line on stdin
   * (`{"client_id":...,"client_secret":...}`) with PROCUREMENT_CLIENT_ID in its environment, so that the secret reaches
   * its owner's secret manager (e.g. `vault kv put "secret/procurement/$PROCUREMENT_CLIENT_ID" -`). A failed command
   * fails the apply. The command is code, not a secret: it may be committed.
   * @default the provider reads PROCUREMENT_SECRETS_COMMAND; without it (and without a secrets dir) secrets are not kept
   */
  readonly secretsCommand?: string;
  /**
   * Provider alias, needed when one stack talks to two authorization servers.
   * @default no alias (the stack's default `procurement` provider)
   */
  readonly alias?: string;
}

export class ProcurementProvider extends TerraformProvider {
  private readonly config: ProcurementProviderConfig;

  constructor(scope: Construct, id: string, config: ProcurementProviderConfig = {}) {
    super(scope, id, {
      terraformResourceType: 'procurement',
      terraformGeneratorMetadata: { providerName: 'procurement', providerVersionConstraint: PROVIDER_VERSION_CONSTRAINT },
      terraformProviderSource: PROVIDER_SOURCE,
    });
    this.config = config;
  }

  get alias(): string | undefined {
    return this.config.alias;
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return {
      url: this.config.url,
      timeout_seconds: this.config.timeoutSeconds,
      secrets_dir: this.config.secretsDir,
      secrets_command: this.config.secretsCommand,
    };
  }
}
