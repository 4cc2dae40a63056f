import { ProcurementClient, Role, RoleBinding, Scope, ScopeRisk } from '../../lib/constructs';
import { reportOf, synthJson, testAuthorization } from './fixture';

function approvals() {
  const fixture = testAuthorization();
  const { auth } = fixture;
  const approve = new Scope(auth, 'PoApprove', { name: 'po.approve', description: 'Approve orders.', risk: ScopeRisk.HIGH });
  const role = new Role(auth, 'Approver', { name: 'approver', description: 'Approves.', scopes: [approve] });
  const bot = new ProcurementClient(auth, 'Bot', { clientId: 'approval-bot', displayName: 'Bot', owner: 'automation' });
  const desk = new ProcurementClient(auth, 'Desk', { clientId: 'approval-desk', displayName: 'Desk', owner: 'automation' });
  return { ...fixture, role, bot, desk };
}

describe('RoleBinding', () => {
  it('synthesizes one resource whose subject blocks name each client once, sorted', () => {
    const { stack, auth, role, bot, desk } = approvals();
    const binding = new RoleBinding(auth, 'Approvers', {
      name: 'approvers',
      role,
      subjects: [
        { client: desk, expiresAt: new Date('2026-03-25T00:00:00Z'), justification: 'CHG-2' },
        { client: bot, expiresAt: '2026-03-20T00:00:00Z', justification: 'CHG-1' },
      ],
    });
    const json = synthJson(stack);
    const resource = json.resource.procurement_role_binding[Object.keys(json.resource.procurement_role_binding)[0]];
    expect(binding.node.findChild('Resource')).toBe(binding.resource);
    expect(resource.name).toBe('approvers');
    expect((resource.subject as { expires_at: string }[]).map(s => s.expires_at)).toEqual(['2026-03-20T00:00:00Z', '2026-03-25T00:00:00Z']);
    expect(reportOf(auth)).toEqual([]);
  });

  it('names an owned client by a reference to its resource, an imported one by its id', () => {
    // The reference orders Terraform's graph: a client removed together with its grant is deleted only after the
    // binding stopped naming it (with a bare id, the client's delete came first and the server refused it with 409).
    const { stack, auth, role, bot } = approvals();
    const partner = ProcurementClient.fromClientId(auth, 'Partner', 'partner-portal');
    new RoleBinding(auth, 'Approvers', { name: 'approvers', role, subjects: [{ client: bot }, { client: partner }] });
    const subjects = synthJson(stack).resource.procurement_role_binding.approvers.subject as { client_id: string }[];
    expect(subjects.map(s => s.client_id)).toEqual(['${procurement_client.approval-bot.client_id}', 'partner-portal']);
  });

  it('addSubject answers the grant it made', () => {
    const { auth, role, bot } = approvals();
    const binding = new RoleBinding(auth, 'Approvers', { name: 'approvers', role });
    const grant = binding.addSubject(bot, { expiresAt: '2026-03-20T00:00:00Z', justification: 'CHG-1' });
    expect([grant.client, grant.binding, grant.expiresAt, grant.justification]).toEqual([bot, binding, '2026-03-20T00:00:00Z', 'CHG-1']);
  });

  it('fails when a subject has a malformed expiry, naming the subject', () => {
    const { auth, role, bot } = approvals();
    new RoleBinding(auth, 'Approvers', { name: 'approvers', role, subjects: [{ client: bot, expiresAt: 'next tuesday', justification: 'CHG-1' }] });
    expect(reportOf(auth, 'PROPS')).toEqual([
      "[stack/Auth/Approvers] PROPS: subject 'approval-bot' expiresAt must be an RFC 3339 date-time with a time zone offset, such as 2027-01-31T00:00:00Z, got 'next tuesday'",
    ]);
  });

  it('fails when an expiry is a leap second, which no clock can compare', () => {
    const { auth, role, bot } = approvals();
    new RoleBinding(auth, 'Approvers', { name: 'approvers', role, subjects: [{ client: bot, expiresAt: '2026-03-20T23:59:60Z', justification: 'CHG-1' }] });
    expect(reportOf(auth, 'PROPS')).toEqual([
      "[stack/Auth/Approvers] PROPS: subject 'approval-bot' expiresAt second 60 (a leap second) cannot be compared with a clock: use :59, got '2026-03-20T23:59:60Z'",
    ]);
  });

  it('fails when an expiry is an invalid Date', () => {
    const { auth, role, bot } = approvals();
    new RoleBinding(auth, 'Approvers', { name: 'approvers', role, subjects: [{ client: bot, expiresAt: new Date('nope'), justification: 'CHG-1' }] });
    expect(reportOf(auth, 'PROPS')[0]).toContain("expiresAt must be an RFC 3339 date-time with a time zone offset, such as 2027-01-31T00:00:00Z, got 'Invalid Date'");
  });
});
