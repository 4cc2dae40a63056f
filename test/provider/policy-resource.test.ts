/**
 * `procurement_policy` with the real terraform against the real server: the
 * policy managed as code. Create, plan clean, spelling makes no diff, drift
 * reverted, import, destroy back to the preset; refusals at plan (invalid
 * document, an exception without a reason, another environment, a stored
 * policy a create would take over) and a write token's plan and apply refused
 * with what to do, nothing changed on the server.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { recommendedPolicy } from '../../lib/policy';
import { serverAndRoleWorkspaces, serverAndWorkspace } from '../support/provider-fixture';
import { step } from '../support/step';
import { createWorkspace, expectExit, flat } from '../support/terraform';

jest.setTimeout(240_000);

const exception = {
  ruleId: 'EXTERNAL-ISOLATION',
  object: { kind: 'clients' as const, key: 'acme' },
  reason: 'Acme runs our ticket desk under contract C-77',
  expiresAt: '2027-01-31T00:00:00Z',
};
const policy = { environment: 'dev', maxHighRiskGrantDays: 14, exceptions: [exception] };
const config = (document: string, environment = 'dev') => ({ resource: { procurement_policy: { dev: { environment, document } } } });

describe('procurement_policy', () => {
  const fixture = serverAndRoleWorkspaces();

  const live = async () => {
    const res = await fetch(`${fixture.server.url}/admin/v1/policy`, { headers: { authorization: `Bearer ${fixture.server.adminToken}` } });
    return { source: res.headers.get('x-policy-source'), document: (await res.json()) as Record<string, unknown> };
  };

  // One policy's life on one server: each step starts from the state the previous one left, so they form one test.
  test('a write token, a read token and an admin token manage one policy from the preset to a stored policy and back', async () => {
    await step('a write token creates a policy the server already enforces without writing; a change is refused at plan, nothing applied', async () => {
      fixture.writer.writeConfig(config(JSON.stringify({ environment: 'dev' })));
      expectExit(await fixture.writer.init(), 0);
      expectExit(await fixture.writer.apply(), 0);
      expect(await live()).toEqual({ source: 'preset', document: { ...recommendedPolicy('dev') } });
      expectExit(await fixture.writer.plan(), 0);

      fixture.writer.writeConfig(config(JSON.stringify(policy)));
      const refused = await fixture.writer.plan();
      expectExit(refused, 1);
      expect(refused.stderr).toContain('Policy changes need an admin token');
      expect(refused.stderr.replace(/\s+/g, ' ')).toContain('This plan runs with a write token. Nothing was applied.');
      expect(refused.stderr.replace(/\s+/g, ' ')).toContain('procurement-scopes admin-token create --role admin');
      expect((await live()).source).toBe('preset');
    });

    await step('a read token plans a policy change with a warning that its apply needs an admin token', async () => {
      copyFileSync(join(fixture.writer.dir, 'terraform.tfstate'), join(fixture.reader.dir, 'terraform.tfstate'));
      fixture.reader.writeConfig(config(JSON.stringify(policy)));
      expectExit(await fixture.reader.init(), 0);
      const plan = await fixture.reader.plan();
      expectExit(plan, 2);
      expect(plan.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
      expect((plan.stdout + plan.stderr).replace(/\s+/g, ' ')).toContain('Applying this plan needs an admin token');
    });

    await step('an admin token creates it; the next plan is clean; key order, whitespace and spelled-out preset fields make no diff', async () => {
      fixture.admin.writeConfig(config(JSON.stringify(policy)));
      expectExit(await fixture.admin.init(), 0);
      const first = await fixture.admin.plan();
      expectExit(first, 2);
      expect(first.stdout).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
      expectExit(await fixture.admin.apply(), 0);
      expect(await live()).toEqual({ source: 'stored', document: { ...recommendedPolicy('dev', { maxHighRiskGrantDays: 14, exceptions: [exception] }) } });
      expectExit(await fixture.admin.plan(), 0);

      const whole = recommendedPolicy('dev', { maxHighRiskGrantDays: 14, exceptions: [exception] });
      const reordered = Object.fromEntries(Object.entries(whole).reverse());
      fixture.admin.writeConfig(config(JSON.stringify(reordered, null, 4)));
      expectExit(await fixture.admin.plan(), 0);
      expect((await fixture.server.admin.audit({ action: 'policy.update' })).items).toHaveLength(1);
    });

    await step('a change made through the admin API is drift: the plan shows it and apply puts the code back', async () => {
      await fixture.server.admin.putPolicy({ environment: 'dev', maxHighRiskGrantDays: 60 });
      const plan = await fixture.admin.plan();
      expectExit(plan, 2);
      expect(plan.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
      expectExit(await fixture.admin.apply(), 0);
      expect((await live()).document).toMatchObject({ maxHighRiskGrantDays: 14 });
      expectExit(await fixture.admin.plan(), 0);
    });

    await step('a write token cannot destroy it: refused at apply with what to do, the policy and the state kept', async () => {
      copyFileSync(join(fixture.admin.dir, 'terraform.tfstate'), join(fixture.writer.dir, 'terraform.tfstate'));
      fixture.writer.writeConfig(config(JSON.stringify(policy)));
      expectExit(await fixture.writer.plan(), 0);
      const destroy = await fixture.writer.run('destroy', '-input=false', '-auto-approve');
      expectExit(destroy, 1);
      expect(destroy.stderr).toContain('Policy changes need an admin token');
      expect(destroy.stderr).toContain('Could not delete the policy');
      expect((await live()).source).toBe('stored');
      expect((await fixture.writer.state()).json.values?.root_module?.resources?.map(r => r.address)).toEqual(['procurement_policy.dev']);
    });

    await step('refused at plan: an exception without a reason, a document for another environment, a server of another environment, a create over a stored policy', async () => {
      expectExit(await fixture.admin.plan(), 0);
      fixture.admin.writeConfig(config(JSON.stringify({ ...policy, exceptions: [{ ...exception, reason: 'ok' }] })));
      const short = await fixture.admin.plan();
      expectExit(short, 1);
      expect(short.stderr).toContain('Invalid policy');
      // What is wrong, where in the document (a JSON path) and what to do; never the document itself, which
      // Terraform would print (escaped, on one line) as the source line of a diagnostic that points at `document`.
      expect(flat(short.stderr)).toContain(
        "The policy document is not valid at $.exceptions[0].reason: an exception needs a written reason of at least",
      );
      expect(flat(short.stderr)).toContain("got 'ok'. Correct it where the document is written");
      expect(flat(short.stderr)).toContain('docs/guardrails.md, "The policy document", lists its fields. Nothing was applied.');
      for (const dumped of ['maxHighRiskGrantDays', 'EXTERNAL-ISOLATION', '\\"environment\\"']) expect(short.stderr).not.toContain(dumped);

      fixture.admin.writeConfig(config(JSON.stringify({ ...policy, environment: 'prod' })));
      const other = await fixture.admin.plan();
      expectExit(other, 1);
      expect(flat(other.stderr)).toContain("The document is for 'prod' (at $.environment) but environment is 'dev'");
      for (const dumped of ['maxHighRiskGrantDays', 'EXTERNAL-ISOLATION', '\\"environment\\"']) expect(other.stderr).not.toContain(dumped);

      fixture.admin.writeConfig(config('{"environment": "dev",'));
      const broken = await fixture.admin.plan();
      expectExit(broken, 1);
      expect(flat(broken.stderr)).toContain('The policy document is not valid at $: the document is not JSON (Expected double-quoted property name in JSON at position 22)');
      expect(broken.stderr).not.toContain('\\"environment\\"');

      const fresh = await createWorkspace({ url: fixture.server.url, adminToken: fixture.server.adminToken });
      try {
        fresh.writeConfig(config(JSON.stringify({ environment: 'prod' }), 'prod'));
        expectExit(await fresh.init(), 0);
        const wrongServer = await fresh.plan();
        expectExit(wrongServer, 1);
        expect(wrongServer.stderr).toContain("The server guards 'dev', not 'prod'");

        fresh.writeConfig(config(JSON.stringify({ environment: 'dev', maxSecretRotationDays: 30 })));
        const takeover = await fresh.plan();
        expectExit(takeover, 1);
        expect(takeover.stderr).toContain("The 'dev' policy is already set");
        expect(takeover.stderr.replace(/\s+/g, ' ')).toContain('terraform import procurement_policy.<name> dev');
        expect((await live()).document).toMatchObject({ maxHighRiskGrantDays: 14, maxSecretRotationDays: 180 });
      } finally {
        fresh.remove();
      }
    });

    await step('import by environment, then a clean plan; destroy puts the preset back', async () => {
      fixture.admin.writeConfig(config(JSON.stringify(policy, null, 2)));
      expectExit(await fixture.admin.run('state rm', 'procurement_policy.dev'), 0);
      expectExit(await fixture.admin.run('import', '-input=false', 'procurement_policy.dev', 'dev'), 0);
      expectExit(await fixture.admin.plan(), 0);

      expectExit(await fixture.admin.run('destroy', '-input=false', '-auto-approve'), 0);
      expect(await live()).toEqual({ source: 'preset', document: { ...recommendedPolicy('dev') } });
      const audit = await fixture.server.admin.audit({ action: 'policy.delete' });
      expect(audit.items).toHaveLength(1);
    });
  }, 900_000);
});

describe('a plan that adds an exception and the object it covers', () => {
  const fixture = serverAndWorkspace();

  // The external client 'acme' holding an internal scope breaks EXTERNAL-ISOLATION; the policy's exception accepts it.
  const objects = {
    procurement_scope: { read: { name: 'ticket.read', description: 'Read tickets', risk: 'low', depends_on: ['procurement_policy.dev'] } },
    procurement_role: { desk: { name: 'desk', description: 'Ticket desk', scopes: ['${procurement_scope.read.name}'], depends_on: ['procurement_policy.dev'] } },
    procurement_client: { acme: { client_id: 'acme', display_name: 'Acme desk', owner: 'team-desk', external: true, depends_on: ['procurement_policy.dev'] } },
    procurement_role_binding: {
      acme: { name: 'acme-desk', role: '${procurement_role.desk.name}', subject: [{ client_id: '${procurement_client.acme.client_id}' }], depends_on: ['procurement_policy.dev'] },
    },
  };

  test('is judged at plan with the policy it puts in force first, and applies', async () => {
    fixture.tf.writeConfig({ resource: { procurement_policy: { dev: { environment: 'dev', document: JSON.stringify(policy) } }, ...objects } });
    expectExit(await fixture.tf.init(), 0);
    const plan = await fixture.tf.plan();
    expectExit(plan, 2);
    expect(plan.stdout).toContain('Plan: 5 to add, 0 to change, 0 to destroy.');
    expectExit(await fixture.tf.apply(), 0);
    expect((await fixture.server.admin.get('role-bindings', 'acme-desk'))?.value.subjects.map(s => s.clientId)).toEqual(['acme']);
  });

  test('the dry run refuses a proposed policy of another environment, or an invalid one, saying so', async () => {
    const ask = (policy: unknown) =>
      fetch(`${fixture.server.url}/admin/v1/admission`, {
        method: 'POST',
        headers: { authorization: `Bearer ${fixture.server.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ changes: [], policy }),
      });
    const other = await ask({ environment: 'prod' });
    expect(other.status).toBe(400);
    expect(((await other.json()) as { message: string }).message).toContain("the document is for 'prod', but this server guards 'dev'");
    const invalid = await ask({ environment: 'dev', exceptions: [{ ...exception, reason: 'short' }] });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { field: string }).field).toBe('policy');
  });
});
