/** The synth gate reads what will be deployed: every procurement_* resource of the stack, L1s and overrides included. */
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import {
  Authorization,
  ProcurementClient,
  ProcurementClientResource,
  ProcurementPolicy,
  ProcurementRoleBindingResource,
  ProcurementRoleResource,
  ProcurementScopeResource,
  Role,
  Scope,
  ScopeRisk,
} from '../../../lib/constructs';
import { NOW, reportOf } from '../fixture';

function prodStack(allowedScopes?: string[]) {
  const stack = new TerraformStack(Testing.app(), 'stack');
  const auth = new Authorization(stack, 'Auth', { environment: 'prod', policy: ProcurementPolicy.recommended('prod', { allowedScopes }), clock: () => NOW });
  return { stack, auth };
}

describe('the synth gate', () => {
  it('fails synth when a raw L1 binding grants a critical scope to an external client without expiry', () => {
    const { stack, auth } = prodStack();
    const approve = new Scope(auth, 'PaymentApprove', { name: 'payment.approve', description: 'Approve payments.', risk: ScopeRisk.CRITICAL });
    const payer = new Role(auth, 'Payer', { name: 'payer', description: 'Pays.', scopes: [approve] });
    const portal = new ProcurementClient(auth, 'Portal', { clientId: 'supplier-portal', displayName: 'Portal', owner: 'suppliers', external: true });
    // Outside the Authorization, with references to its objects: resolved to their keys.
    new ProcurementRoleBindingResource(stack, 'RawBinding', {
      name: 'raw-payers',
      role: payer.roleNameRef,
      subjects: () => [{ clientId: portal.clientIdRef, expiresAt: null, justification: null }],
    });
    expect(reportOf(auth)).toEqual([
      "[stack/Auth/Portal] EXTERNAL-ISOLATION: external client 'supplier-portal' would hold internal scope payment.approve through payment.approve " +
        '(role payer via binding raw-payers); remove the grant, or grant the client a role whose scopes are all open to external clients',
      expect.stringMatching(/^\[stack\/RawBinding\] TIME-BOUND-HIGH-RISK: binding 'raw-payers' grants payment.approve \(critical\) through role 'payer'; subject 'supplier-portal' has no expiresAt/),
    ]);
    // The binding lives outside the Authorization: its error still fails synth, at its own path.
    expect(() => Testing.fullSynth(stack)).toThrow(/^\[stack\/RawBinding\] TIME-BOUND-HIGH-RISK: /m);
  });

  it('fails synth in prod when a critical scope is marked external to let a supplier hold it', () => {
    const { auth } = prodStack();
    const approve = new Scope(auth, 'PaymentApprove', { name: 'payment.approve', description: 'Approve payments.', risk: ScopeRisk.CRITICAL, external: true });
    const portal = new ProcurementClient(auth, 'Portal', { clientId: 'supplier-portal', displayName: 'Portal', owner: 'suppliers', external: true });
    new Role(auth, 'Payer', { name: 'payer', description: 'Pays.', scopes: [approve] }).grantTo(portal, { expiresAt: '2026-03-10T00:00:00Z', justification: 'CHG-1' });
    expect(reportOf(auth, 'EXTERNAL-ISOLATION').map(line => line.slice(0, line.indexOf(':', line.indexOf(']'))))).toEqual([
      '[stack/Auth/PaymentApprove] EXTERNAL-ISOLATION',
      '[stack/Auth/Portal] EXTERNAL-ISOLATION',
    ]);
  });

  it('judges hand-written L1 scopes, roles and clients with the same rules and schemas', () => {
    const { auth } = prodStack();
    new ProcurementScopeResource(auth, 'Scope', { name: 'po.approve', description: 'Approve.', risk: 'high', external: true, implies: [] });
    new ProcurementRoleResource(auth, 'Role', { name: 'approver', description: 'Approves.', scopes: () => ['po.approve', 'po.nothing'] });
    new ProcurementClientResource(auth, 'Client', {
      clientId: 'erp', displayName: 'ERP', owner: 'erp', external: false, grantTypes: ['client_credentials'], redirectUris: [], tokenLifetimeSeconds: 99_999, secretRotationDays: 365,
    });
    expect(reportOf(auth).map(line => line.slice(0, line.indexOf(':', line.indexOf(']'))))).toEqual([
      '[stack/Auth/Client] PROPS',
      '[stack/Auth/Scope] EXTERNAL-ISOLATION',
      '[stack/Auth/Role] REFERENCES',
    ]);
    expect(reportOf(auth, 'PROPS')).toEqual(['[stack/Auth/Client] PROPS: tokenLifetimeSeconds must be <= 86400, got 99999']);
  });

  it('judges what an escape-hatch override deploys, not what the construct was given', () => {
    const { auth } = prodStack();
    const client = new ProcurementClient(auth, 'Erp', { clientId: 'erp', displayName: 'ERP', owner: 'erp', secretRotationDays: 30 });
    client.resource.addOverride('secret_rotation_days', 365);
    expect(reportOf(auth)).toEqual([expect.stringMatching(/^\[stack\/Auth\/Erp\] ROTATION: client 'erp' rotates its secret every 365 days/)]);
  });

  it('fails synth when an override adds an attribute the resource does not have, naming it as written', () => {
    const { auth } = prodStack();
    const client = new ProcurementClient(auth, 'Erp', { clientId: 'erp', displayName: 'ERP', owner: 'erp' });
    client.resource.addOverride('rotation_days', 30);
    expect(reportOf(auth, 'PROPS')).toEqual([expect.stringMatching(/^\[stack\/Auth\/Erp\] PROPS: rotation_days is not a known field \(known fields: clientId, /)]);
  });

  it('gives one finding for one invalid scope name, not one per place that names it', () => {
    const { auth } = prodStack(['catalog.*']);
    const bad = new Scope(auth, 'Bad', { name: 'Read Users', description: 'Read users.', risk: ScopeRisk.LOW });
    const reader = new Role(auth, 'Reader', { name: 'reader', description: 'Reads.', scopes: [bad] });
    reader.grantTo(new ProcurementClient(auth, 'Erp', { clientId: 'erp', displayName: 'ERP', owner: 'erp' }));
    expect(reportOf(auth)).toEqual([
      "[stack/Auth/Bad] PROPS: name must look like resource.action in lower case, dot separated, with no wildcards (e.g. catalog.read), got 'Read Users'",
    ]);
  });

  it('refuses a reference it cannot resolve at synth instead of letting it escape every rule', () => {
    const { stack, auth } = prodStack();
    const role = new Role(auth, 'Reader', { name: 'reader', description: 'Reads.' });
    const clientId = new TerraformVariable(stack, 'client', { type: 'string' });
    new ProcurementRoleBindingResource(auth, 'Raw', { name: 'raw', role: role.roleNameRef, subjects: () => [{ clientId: clientId.stringValue, expiresAt: null, justification: null }] });
    expect(reportOf(auth)).toEqual([
      "[stack/Auth/Raw] REFERENCES: binding 'raw' names a client by a value known only at apply (${var.client}), so no rule can judge what it grants; " +
        'name a client of this authorization, or reference an existing one with fromXxx inside it',
    ]);
  });

  it('fails synth for a procurement resource in a stack without an Authorization to judge it', () => {
    const stack = new TerraformStack(Testing.app(), 'bare');
    new ProcurementRoleBindingResource(stack, 'Raw', { name: 'raw', role: 'payer', subjects: () => [{ clientId: 'supplier-portal', expiresAt: null, justification: null }] });
    expect(() => Testing.fullSynth(stack)).toThrow(
      "[bare/Raw] procurement_role_binding is not judged by any Authorization: no Authorization in stack 'bare' uses its provider. " +
        'Create the resource inside an Authorization, or give it the provider of one (authorization.provider)',
    );
  });

  it('judges resources without a provider in a stack whose only Authorization has an aliased provider', () => {
    const stack = new TerraformStack(Testing.app(), 'stack');
    const auth = new Authorization(stack, 'Auth', { environment: 'prod', connection: { alias: 'eu' }, clock: () => NOW });
    new ProcurementClientResource(stack, 'Raw', {
      clientId: 'erp', displayName: 'ERP', owner: 'erp', external: false, grantTypes: ['client_credentials'], redirectUris: [], tokenLifetimeSeconds: 3600, secretRotationDays: 365,
    });
    expect(reportOf(auth, 'ROTATION')).toEqual([expect.stringMatching(/^\[stack\/Raw\] ROTATION: client 'erp' rotates its secret every 365 days/)]);
  });

  it('leaves the resources of another provider to their own Authorization', () => {
    const { stack, auth } = prodStack();
    const other = new Authorization(stack, 'Other', { environment: 'prod', connection: { alias: 'other' }, clock: () => NOW });
    new ProcurementClient(other, 'Erp', { clientId: 'erp', displayName: 'ERP', owner: 'erp', secretRotationDays: 365 });
    expect(reportOf(auth)).toEqual([]);
    expect(reportOf(other, 'ROTATION')).toHaveLength(1);
  });
});
