import { ModelValidator, effectiveScopes } from '../../lib/model';

const validator = new ModelValidator();

describe('ModelValidator', () => {
  test('fills defaults and sorts sets', () => {
    const result = validator.validate('clients', { clientId: 'erp', displayName: 'ERP', owner: 'team-erp' });
    expect(result).toEqual({
      ok: true,
      value: {
        clientId: 'erp',
        displayName: 'ERP',
        owner: 'team-erp',
        external: false,
        grantTypes: ['client_credentials'],
        redirectUris: [],
        tokenLifetimeSeconds: 3600,
        secretRotationDays: 90,
        introspection: false,
      },
    });
    const role = validator.validate('roles', { name: 'buyer', description: 'Buys', scopes: ['po.create', 'catalog.read'] });
    expect(role.ok && role.value.scopes).toEqual(['catalog.read', 'po.create']);
  });

  test('fails when fields are wrong, naming each field and the value', () => {
    const result = validator.validate('scopes', { name: 'Read Users', description: '', risk: 'severe', colour: 'red' });
    expect(result.ok).toBe(false);
    const messages = !result.ok ? result.problems.map(p => `${p.field}: ${p.message}`) : [];
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^name: must look like resource\.action.*got 'Read Users'$/),
        expect.stringMatching(/^description: is required/),
        expect.stringMatching(/^risk: must be one of low, medium, high, critical, got 'severe'$/),
        expect.stringMatching(/^colour: is not a known field/),
      ]),
    );
  });

  test('fails when authorization_code has no https redirect URI', () => {
    const result = validator.validate('clients', {
      clientId: 'portal',
      displayName: 'Portal',
      owner: 'x',
      grantTypes: ['authorization_code'],
      redirectUris: ['http://portal.example.com/cb'],
    });
    expect(!result.ok && result.problems.map(p => p.field)).toEqual(['redirectUris[0]']);
    const empty = validator.validate('clients', { clientId: 'p', displayName: 'P', owner: 'x', grantTypes: ['authorization_code'] });
    expect(!empty.ok && empty.problems[0].message).toMatch(/at least one https URI/);
  });

  test('fails when a binding names a client twice', () => {
    const result = validator.validate('role-bindings', {
      name: 'b',
      role: 'buyer',
      subjects: [{ clientId: 'a' }, { clientId: 'a', expiresAt: '2027-01-01T00:00:00Z' }],
    });
    expect(!result.ok && result.problems[0]).toMatchObject({ field: 'subjects[1].clientId' });
  });
});

describe('effectiveScopes', () => {
  const model = {
    scopes: [
      { name: 'ticket.write', implies: ['ticket.comment'] },
      { name: 'ticket.comment', implies: [] },
    ],
    roles: [{ name: 'agent', scopes: ['ticket.write'] }],
    roleBindings: [
      { name: 'agents', role: 'agent', subjects: [{ clientId: 'bot', expiresAt: '2027-01-01T00:00:00Z', justification: 'CHG-1' }] },
    ],
  };
  test('includes implied scopes until the binding expires', () => {
    expect(effectiveScopes('bot', model, new Date('2026-12-01T00:00:00Z'))).toEqual(['ticket.comment', 'ticket.write']);
    expect(effectiveScopes('bot', model, new Date('2027-01-01T00:00:00Z'))).toEqual([]);
    expect(effectiveScopes('other', model, new Date('2026-12-01T00:00:00Z'))).toEqual([]);
  });
});
