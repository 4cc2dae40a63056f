import { TerraformStack, Testing } from 'cdktf';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Authorization, PROVIDER_SOURCE, PROVIDER_VERSION_CONSTRAINT, ProcurementClient } from '../../../lib/constructs';

function synthWith(connection?: ConstructorParameters<typeof Authorization>[2]['connection']) {
  const stack = new TerraformStack(Testing.app(), 'stack');
  const auth = new Authorization(stack, 'Auth', { environment: 'dev', connection });
  new ProcurementClient(auth, 'Erp', { clientId: 'erp', displayName: 'ERP', owner: 'erp-team' });
  return JSON.parse(Testing.synth(stack));
}

describe('ProcurementProvider', () => {
  it('requires the provider by its source address, at a version matching the package', () => {
    const json = synthWith();
    expect(json.terraform.required_providers.procurement).toEqual({ source: PROVIDER_SOURCE, version: PROVIDER_VERSION_CONSTRAINT });
    expect(PROVIDER_SOURCE).toBe('procurement-scopes/procurement');
    const version = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')).version as string;
    expect(PROVIDER_VERSION_CONSTRAINT).toBe(`~> ${version.split('.').slice(0, 2).join('.')}`);
  });

  it('synthesizes the connection settings it is given, and resources use the provider', () => {
    const secretsCommand = 'vault kv put "secret/procurement/$PROCUREMENT_CLIENT_ID" -';
    const json = synthWith({ url: 'https://auth.example.com', timeoutSeconds: 20, secretsDir: '.secrets', secretsCommand, alias: 'eu' });
    expect(json.provider.procurement).toEqual([
      { url: 'https://auth.example.com', timeout_seconds: 20, secrets_dir: '.secrets', secrets_command: secretsCommand, alias: 'eu' },
    ]);
    expect(Object.values(json.resource.procurement_client as Record<string, { provider: string }>)[0].provider).toBe('procurement.eu');
  });

  it('never puts the admin token (or any credential) in the synthesized JSON', () => {
    const token = 'admin-token-that-must-not-leak-1234';
    process.env.PROCUREMENT_ADMIN_TOKEN = token;
    try {
      const text = JSON.stringify(synthWith({ url: 'http://127.0.0.1:8787' }));
      expect(text).not.toContain(token);
      expect(text).not.toMatch(/admin_token|secret"|client_secret|password/);
    } finally {
      delete process.env.PROCUREMENT_ADMIN_TOKEN;
    }
  });
});
