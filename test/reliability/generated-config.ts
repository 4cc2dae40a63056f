/**
 * A generated procurement configuration of a chosen size, synthesized by the
 * real constructs (bench/large-stack.ts): scopes, roles, clients and one
 * aggregated binding per role, as the `resource` section of cdk.tf.json.
 */
import { Testing } from 'cdktf';
import { buildLargeStack, LargeStackSize } from '../../bench/large-stack';
import { TerraformConfig } from '../support/declared-model';

export function generatedConfig(size: LargeStackSize): Required<TerraformConfig> {
  // The test servers guard 'dev' (the server's default environment).
  const { stack } = buildLargeStack(Testing.app(), size, { stackName: 'reliability', environment: 'dev' });
  const { resource } = JSON.parse(Testing.synth(stack)) as Required<TerraformConfig>;
  return { resource };
}

/** How many Terraform resources a configuration declares. */
export function resourceCount(config: TerraformConfig): number {
  return Object.values(config.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
}
