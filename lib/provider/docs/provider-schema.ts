/**
 * The provider's schema as Terraform reports it (`terraform providers schema
 * -json`): the provider is installed into a throwaway filesystem mirror, a
 * configuration requiring it is initialized, and Terraform asks the provider.
 * The documentation is generated from this, so it says what Terraform sees.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformCli } from '../../terraform/terraform-cli';
import { installProvider, PROVIDER_VERSION } from '../install/install-provider';
import { PROVIDER_HOSTNAME_SOURCE } from '../plugin/handshake';
import { ProviderSchemaJson } from './provider-docs';

export async function providerSchemaFromTerraform(bundlePath: string): Promise<ProviderSchemaJson> {
  const dir = mkdtempSync(join(tmpdir(), 'procurement-schema-'));
  try {
    const install = installProvider({ configFile: join(dir, 'terraform.rc'), bundlePath });
    const work = join(dir, 'work');
    mkdirSync(work);
    const source = PROVIDER_HOSTNAME_SOURCE.replace(/^registry\.terraform\.io\//, '');
    writeFileSync(join(work, 'main.tf.json'), JSON.stringify({ terraform: { required_providers: { procurement: { source, version: PROVIDER_VERSION } } } }));
    const terraform = new TerraformCli({ cwd: work, env: { TF_CLI_CONFIG_FILE: install.configFile } });
    await terraform.init({ quiet: true });
    const result = await terraform.checked(['providers', 'schema', '-json'], { quiet: true });
    const schemas = (JSON.parse(result.stdout) as { provider_schemas: Record<string, ProviderSchemaJson> }).provider_schemas;
    const schema = schemas[PROVIDER_HOSTNAME_SOURCE];
    if (!schema) throw new Error(`terraform reported no schema for ${PROVIDER_HOSTNAME_SOURCE} (it has: ${Object.keys(schemas).join(', ')})`);
    return schema;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
