import { Testing } from 'cdktf';
import { AuthorizationOutputs, ProcurementClient, Role, Scope, ScopeRisk } from '../../lib/constructs';
import { DAY_MS, NOW, testAuthorization } from './fixture';

function outputsOf(stack: Parameters<typeof Testing.synth>[0]): Record<string, { value: unknown }> {
  return (JSON.parse(Testing.synth(stack)) as { output: Record<string, { value: unknown }> }).output;
}

describe('AuthorizationOutputs', () => {
  it('lists the owned client ids and the effective scopes of each, implied and expired grants judged by the clock', () => {
    const { stack, auth } = testAuthorization();
    // Created first: clients and grants declared after it count too.
    new AuthorizationOutputs(auth, 'Outputs');
    const comment = new Scope(auth, 'Comment', { name: 'ticket.comment', description: 'Comment.', risk: ScopeRisk.LOW });
    const write = new Scope(auth, 'Write', { name: 'ticket.write', description: 'Write.', risk: ScopeRisk.MEDIUM, implies: [comment] });
    const read = new Scope(auth, 'Read', { name: 'catalog.read', description: 'Read.', risk: ScopeRisk.LOW });
    const desk = new ProcurementClient(auth, 'Desk', { clientId: 'ticket-desk', displayName: 'Desk', owner: 'service-desk' });
    const bot = new ProcurementClient(auth, 'Bot', { clientId: 'catalog-bot', displayName: 'Bot', owner: 'automation' });
    ProcurementClient.fromClientId(auth, 'Elsewhere', 'owned-elsewhere');
    new Role(auth, 'Agent', { name: 'agent', description: 'Agent.', scopes: [write] }).grantTo(desk);
    const reader = new Role(auth, 'Reader', { name: 'reader', description: 'Reader.', scopes: [read] });
    reader.grantTo(bot, { expiresAt: new Date(NOW.getTime() - DAY_MS), justification: 'CHG-1 expired yesterday' });

    const output = outputsOf(stack);
    expect(output.client_ids.value).toEqual(['catalog-bot', 'ticket-desk']);
    expect(output.client_scopes.value).toEqual({ 'catalog-bot': [], 'ticket-desk': ['ticket.comment', 'ticket.write'] });
  });

  it('prefixes the output names for a second authorization in one stack', () => {
    const { stack, auth } = testAuthorization();
    new AuthorizationOutputs(auth, 'Outputs', { prefix: 'eu' });
    expect(Object.keys(outputsOf(stack)).sort()).toEqual(['eu_client_ids', 'eu_client_scopes']);
  });
});
