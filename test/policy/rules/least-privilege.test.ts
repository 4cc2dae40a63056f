import { binding, client, judge, model, role, scope } from '../world';

const scopes = [scope('ticket.comment'), scope('ticket.write', 'medium', { implies: ['ticket.comment'] })];

describe('LEAST-PRIVILEGE', () => {
  it('passes when a client holds only the broad scope', () => {
    const m = model({ scopes, roles: [role('agent', ['ticket.write'])], clients: [client('desk')], roleBindings: [binding('agents', 'agent', 'desk')] });
    expect(judge(m, 'LEAST-PRIVILEGE')).toEqual([]);
  });

  it('warns when a client holds a scope and one that implies it, and is an error in prod', () => {
    const m = model({ scopes, roles: [role('agent', ['ticket.write', 'ticket.comment'])], clients: [client('desk')], roleBindings: [binding('agents', 'agent', 'desk')] });
    expect(judge(m, 'LEAST-PRIVILEGE')).toEqual([
      "[clients desk] LEAST-PRIVILEGE: client 'desk' holds ticket.comment (role agent via binding agents) and ticket.write (role agent via binding agents), " +
        "which already implies it; drop ticket.comment from role 'agent' or grant only the narrower scope",
    ]);
  });
});
