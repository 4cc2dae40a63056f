/**
 * Terraform outputs that say what an authorization sets up, so that
 * `cdktf output` (and `terraform output -json` in the stack's directory) list
 * the client ids the code owns and the scopes each of them may ask for.
 */
import { Construct } from 'constructs';
import { effectiveScopes } from '../model';
import { isDeclared } from '../policy';
import { Authorization } from './authorization';
import { Lazy, TerraformOutput } from './cdk';

export interface AuthorizationOutputsProps {
  /**
   * Put before each output's name, for a stack with more than one authorization.
   * @default none: the outputs are `client_ids` and `client_scopes`
   */
  readonly prefix?: string;
}

export class AuthorizationOutputs extends Construct {
  /** `client_ids`: the ids of the clients this code owns, sorted. */
  readonly clientIds: TerraformOutput;
  /**
   * `client_scopes`: client id → the scopes it may ask for (its effective scopes:
   * the roles bound to it, unexpired at synth by the authorization's clock, widened by
   * what they imply). What the code declares; `procurement-scopes verify` checks the server grants it.
   */
  readonly clientScopes: TerraformOutput;

  constructor(scope: Construct, id: string, props: AuthorizationOutputsProps = {}) {
    super(scope, id);
    const authorization = Authorization.of(this);
    const name = (output: string) => (props.prefix ? `${props.prefix}_${output}` : output);
    // Lazy: the clients and bindings declared after this construct count too.
    const owned = () => authorization.policyModel().clients.filter(isDeclared).map(c => c.clientId).sort();
    this.clientIds = new TerraformOutput(this, 'ClientIds', {
      description: 'The ids of the OAuth clients this code owns.',
      value: Lazy.listValue({ produce: owned }),
    });
    this.clientIds.overrideLogicalId(name('client_ids'));
    this.clientScopes = new TerraformOutput(this, 'ClientScopes', {
      description: 'Client id to the scopes the code grants it (effective scopes at synth).',
      value: Lazy.anyValue({ produce: () => scopesByClient(authorization, owned()) }),
    });
    this.clientScopes.overrideLogicalId(name('client_scopes'));
  }
}

function scopesByClient(authorization: Authorization, clientIds: string[]): Record<string, string[]> {
  const model = authorization.policyModel();
  const input = { scopes: model.scopes.filter(isDeclared), roles: model.roles.filter(isDeclared), roleBindings: model.roleBindings };
  const now = authorization.clock();
  return Object.fromEntries(clientIds.map(id => [id, effectiveScopes(id, input, now)]));
}
