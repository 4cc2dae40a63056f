import { ProcurementClient, Role, Scope, ScopeRisk } from '../../../../lib/constructs';
import { reportOf, testAuthorization } from '../../fixture';

function world() {
  const fixture = testAuthorization();
  const { auth } = fixture;
  const comment = new Scope(auth, 'TicketComment', { name: 'ticket.comment', description: 'Comment.', risk: ScopeRisk.LOW });
  const write = new Scope(auth, 'TicketWrite', { name: 'ticket.write', description: 'Write.', risk: ScopeRisk.MEDIUM, implies: [comment] });
  const agent = new Role(auth, 'Agent', { name: 'ticket-agent', description: 'Writes.', scopes: [write] });
  const commenter = new Role(auth, 'Commenter', { name: 'ticket-commenter', description: 'Comments.', scopes: [comment] });
  const desk = new ProcurementClient(auth, 'Desk', { clientId: 'ticketing-integration', displayName: 'Desk', owner: 'service-desk' });
  return { ...fixture, agent, commenter, desk };
}

describe('LEAST-PRIVILEGE', () => {
  it('passes when the client holds only the broader scope', () => {
    const { auth, agent, desk } = world();
    agent.grantTo(desk);
    expect(reportOf(auth, 'LEAST-PRIVILEGE')).toEqual([]);
  });

  it('warns when a client holds a scope and one that implies it', () => {
    const { auth, agent, commenter, desk } = world();
    agent.grantTo(desk);
    commenter.grantTo(desk);
    const findings = auth.findings().filter(f => f.ruleId === 'LEAST-PRIVILEGE');
    expect(findings.map(f => [f.severity, f.path])).toEqual([['warning', 'stack/Auth/Desk']]);
    expect(findings[0].message).toBe(
      "client 'ticketing-integration' holds ticket.comment (role ticket-commenter via binding ticket-commenter-grants) and ticket.write " +
        "(role ticket-agent via binding ticket-agent-grants), which already implies it; drop ticket.comment from role 'ticket-commenter' or grant only the narrower scope",
    );
  });
});
