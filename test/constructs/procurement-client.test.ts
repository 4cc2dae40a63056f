import { generateKeyPairSync } from 'node:crypto';
import { Testing } from 'cdktf';
import { ClientAuthentication, GrantType, ProcurementClient, ProcurementClientResource } from '../../lib/constructs';
import { reportOf, synthJson, testAuthorization } from './fixture';

describe('ProcurementClient', () => {
  it('synthesizes every attribute with the model defaults filled', () => {
    const { stack, auth } = testAuthorization();
    const client = new ProcurementClient(auth, 'Erp', { clientId: 'erp-connector', displayName: 'ERP connector', owner: 'erp-team' });
    expect(Testing.toHaveResourceWithProperties(Testing.synth(stack), ProcurementClientResource.tfResourceType, {
      client_id: 'erp-connector',
      display_name: 'ERP connector',
      owner: 'erp-team',
      external: false,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      token_lifetime_seconds: 3600,
      secret_rotation_days: 90,
      introspection: false,
    })).toBe(true);
    expect(client.node.findChild('Resource')).toBe(client.resource);
    expect(client.external).toBe(false);
  });

  it('synthesizes introspection for a resource server', () => {
    const { stack, auth } = testAuthorization();
    new ProcurementClient(auth, 'Gateway', { clientId: 'gateway', displayName: 'API gateway', owner: 'platform', introspection: true });
    expect(Testing.toHaveResourceWithProperties(Testing.synth(stack), ProcurementClientResource.tfResourceType, { client_id: 'gateway', introspection: true })).toBe(true);
  });

  it('sorts set-valued attributes so their order never makes a diff', () => {
    const { stack, auth } = testAuthorization();
    new ProcurementClient(auth, 'Portal', {
      clientId: 'supplier-portal', displayName: 'Portal', owner: 'suppliers', external: true,
      grantTypes: [GrantType.REFRESH_TOKEN, GrantType.AUTHORIZATION_CODE],
      redirectUris: ['https://b.example.com/cb', 'https://a.example.com/cb'],
    });
    expect(Testing.toHaveResourceWithProperties(Testing.synth(stack), ProcurementClientResource.tfResourceType, {
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: ['https://a.example.com/cb', 'https://b.example.com/cb'],
      external: true,
    })).toBe(true);
    expect(reportOf(auth)).toEqual([]);
  });

  it('fails when props break the model, naming the construct path and the field', () => {
    const { auth } = testAuthorization();
    new ProcurementClient(auth, 'Portal', {
      clientId: 'Supplier Portal', displayName: 'Portal', owner: 'suppliers',
      grantTypes: [GrantType.AUTHORIZATION_CODE], redirectUris: ['http://insecure.example.com/cb'], tokenLifetimeSeconds: 5,
    });
    const report = reportOf(auth, 'PROPS').join('\n');
    expect(report).toContain("[stack/Auth/Portal] PROPS: clientId must be lower case letters, digits, dots, dashes or underscores (e.g. erp-connector), got 'Supplier Portal'");
    expect(report).toContain("[stack/Auth/Portal] PROPS: redirectUris[0] must be an absolute https URI without a fragment, got 'http://insecure.example.com/cb'");
    expect(report).toContain('[stack/Auth/Portal] PROPS: tokenLifetimeSeconds must be >= 60, got 5');
  });

  it('is referenced literally when imported', () => {
    const { auth } = testAuthorization();
    const legacy = ProcurementClient.fromClientId(auth, 'Legacy', 'legacy-erp');
    expect(legacy.clientIdRef).toBe('legacy-erp');
    expect(legacy.node.path).toBe('stack/Auth/Legacy');
  });

  describe('authentication', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'erp-2026', alg: 'ES256', use: 'sig' }] } as never;

    it('synthesizes a private_key_jwt client\'s public keys as JWKS JSON text, and a JWKS URI as it is; a default client has neither', () => {
      const { stack, auth } = testAuthorization();
      const bot = new ProcurementClient(auth, 'Bot', { clientId: 'bot', displayName: 'Bot', owner: 'team', authentication: ClientAuthentication.privateKeyJwt(jwks) });
      new ProcurementClient(auth, 'Uri', {
        clientId: 'uri', displayName: 'Uri', owner: 'team', authentication: ClientAuthentication.privateKeyJwtFromUri('https://keys.example.com/jwks.json'),
      });
      const plain = new ProcurementClient(auth, 'Plain', { clientId: 'plain', displayName: 'Plain', owner: 'team', authentication: ClientAuthentication.clientSecret() });
      const clients = synthJson(stack).resource.procurement_client;
      const byId = Object.fromEntries(Object.values(clients).map(c => [c.client_id, c]));
      expect(JSON.parse(byId.bot.jwks as string)).toEqual(jwks);
      expect(byId.bot.jwks_uri).toBeUndefined();
      expect(byId.uri).toMatchObject({ jwks_uri: 'https://keys.example.com/jwks.json' });
      expect(byId.plain.jwks).toBeUndefined();
      expect([bot.authenticationMethod, plain.authenticationMethod]).toEqual(['private_key_jwt', 'client_secret']);
      expect(reportOf(auth)).toEqual([]);
    });

    it('fails at synth when a key is private, naming the construct and the member but not its value', () => {
      const { auth } = testAuthorization();
      const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'leak' } as { d: string };
      new ProcurementClient(auth, 'Bot', { clientId: 'bot', displayName: 'Bot', owner: 'team', authentication: ClientAuthentication.privateKeyJwt({ keys: [jwk] } as never) });
      const report = reportOf(auth, 'PROPS').join('\n');
      expect(report).toContain('[stack/Auth/Bot] PROPS: jwks.keys[0].d is a private key member: a client publishes its public key only');
      expect(report).not.toContain(jwk.d);
    });
  });
});
