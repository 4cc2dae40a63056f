/**
 * `terraform apply` through the real provider against a control plane with an rfc7592 downstream (unmodified
 * node-oidc-provider): when the apply finishes the downstream already holds the model, the client's downstream
 * credentials reach the secrets dir (never state, plan or output), and an apply while the downstream is down
 * fails naming what could not be pushed, which is pushed once it is back.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretStore } from '../../lib/client/secret-store';
import { controlPlaneAndWorkspace } from '../support/downstream-fixture';
import { requestToken } from '../support/rfc7592-downstream';
import { expectExit } from '../support/terraform';
import { testEnvironment } from '../support/environment';

const BIN = join(__dirname, '..', '..', 'bin', 'procurement-scopes.js');

const fixture = controlPlaneAndWorkspace(['catalog.read', 'rfq.submit'], { reconcileSeconds: 2 });

/** `procurement-scopes verify --downstream` over a Terraform JSON file with literal values (what the code declares). */
function verify(roles: Record<string, string[]>) {
  const config = {
    resource: {
      procurement_scope: { catalog: scope('catalog.read'), rfq: scope('rfq.submit') },
      procurement_role: Object.fromEntries(Object.entries(roles).map(([name, scopes]) => [name, { name, description: name, scopes }])),
      procurement_client: { erp: { client_id: 'erp', display_name: 'ERP', owner: 'procurement' } },
      procurement_role_binding: Object.fromEntries(Object.keys(roles).map(name => [name, { name, role: name, subject: [{ client_id: 'erp' }] }])),
    },
  };
  const file = join(fixture.secretsDir, '..', `verify-${Object.keys(roles).join('-')}.tf.json`);
  writeFileSync(file, JSON.stringify(config));
  const result = spawnSync(process.execPath, [BIN, 'verify', '--config', file, '--downstream', fixture.downstreamFile, '--secrets-dir', fixture.secretsDir], { encoding: 'utf8', env: testEnvironment() });
  rmSync(file);
  return result;
}

const scope = (name: string) => ({ name, description: `Can ${name}`, risk: 'low' });
// Subjects name the client resources, so that Terraform knows a binding depends on its clients and destroys the binding
// first (with bare ids it may delete a client first, which the server refuses while a binding names it).
const config = (subjects: string[], clients = ['erp']) => ({
  resource: {
    procurement_scope: { catalog: scope('catalog.read'), rfq: scope('rfq.submit') },
    procurement_role: { reader: { name: 'reader', description: 'Reads', scopes: ['${procurement_scope.catalog.name}'] } },
    procurement_client: Object.fromEntries(clients.map(id => [id, { client_id: id, display_name: id, owner: 'procurement' }])),
    procurement_role_binding: { readers: { name: 'readers', role: '${procurement_role.reader.name}', subject: subjects.map(id => ({ client_id: `\${procurement_client.${id}.client_id}` })) } },
  },
});

/** Applies `declared`, which the test relies on. */
async function applied(declared: ReturnType<typeof config>) {
  fixture.tf.writeConfig(declared);
  expectExit(await fixture.tf.apply(), 0);
}

beforeAll(async () => {
  fixture.tf.writeConfig(config(['erp']));
  expectExit(await fixture.tf.init(), 0);
});

// Every test starts from nothing and declares what it relies on. A destroy, not an apply of a configuration without
// clients: that one may delete a client before it updates the binding naming it, even with references.
beforeEach(async () => {
  expectExit(await fixture.tf.apply('-destroy'), 0);
});

test('apply: the downstream holds the model when it returns; the downstream credentials reach the secrets dir and nothing else', async () => {
  fixture.tf.writeConfig(config(['erp']));
  const apply = await fixture.tf.apply();
  expectExit(apply, 0);
  const stored = new SecretStore(fixture.secretsDir).load('erp')!;
  expect(stored.downstreamClientId).toEqual(expect.any(String));
  expect(stored.downstreamClientId).not.toBe('erp');
  const tokenEndpoint = `${fixture.downstream.issuer}/token`;
  expect(await requestToken(tokenEndpoint, stored.downstreamClientId!, stored.clientSecret, 'catalog.read')).toMatchObject({ status: 200, scopes: ['catalog.read'] });
  expect(await requestToken(tokenEndpoint, stored.downstreamClientId!, stored.clientSecret, 'rfq.submit')).toMatchObject({ status: 400, error: 'invalid_scope' });
  const { text } = await fixture.tf.state();
  for (const shown of [apply.stdout, apply.stderr, text, fixture.control.stderr()]) expect(shown).not.toContain(stored.clientSecret);
  expectExit(await fixture.tf.plan(), 0);
});

test('verify asks the downstream for real tokens with the downstream client id, and finds what it does not grant', async () => {
  await applied(config(['erp']));
  const matching = verify({ reader: ['catalog.read'] });
  expect(matching.stdout).toContain('erp');
  expect(matching.status).toBe(0);
  const wider = verify({ reader: ['catalog.read'], bidder: ['rfq.submit'] });
  expect(wider.status).toBe(4);
  expect(wider.stdout).toContain("client 'erp': scope rfq.submit is declared by the code but refused by the server");
});

test('an apply while the downstream is down fails naming what could not be pushed; the change is pushed once it is back', async () => {
  await applied(config(['erp']));
  const stored = new SecretStore(fixture.secretsDir).load('erp')!;
  await fixture.downstream.terminate();
  fixture.tf.writeConfig(config([]));
  const apply = await fixture.tf.apply();
  expectExit(apply, 1);
  // Terraform wraps the message: compare it as one line.
  expect((apply.stdout + apply.stderr).replace(/\s+/g, ' ')).toMatch(/downstream did not take it: rfc7592 downstream \S+ could not read client 'erp'.*still to push: set erp/);
  await fixture.downstream.start();
  const deadline = Date.now() + 40_000;
  while (!(await fixture.control.admin.downstream()).inSync) {
    if (Date.now() > deadline) throw new Error(`not back in sync: ${JSON.stringify(await fixture.control.admin.downstream())}`);
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  const refused = await requestToken(`${fixture.downstream.issuer}/token`, stored.downstreamClientId!, stored.clientSecret, 'catalog.read');
  expect(refused.scopes).toBeNull();
  // The model held the change all along: the next apply confirms it and has nothing left to do.
  expectExit(await fixture.tf.apply(), 0);
  expectExit(await fixture.tf.plan(), 0);
});

test('a client created while the downstream is down: the apply fails saying so; the next one, once it is back, creates it there and delivers its credentials', async () => {
  await applied(config(['erp']));
  await fixture.downstream.terminate();
  fixture.tf.writeConfig(config(['erp', 'late'], ['erp', 'late']));
  const apply = await fixture.tf.apply();
  expectExit(apply, 1);
  expect((apply.stdout + apply.stderr).replace(/\s+/g, ' ')).toContain("to receive the credentials of client 'late' if it is created then");
  expect(new SecretStore(fixture.secretsDir).load('late')).toBeNull();
  await fixture.downstream.start();
  // The model holds the client: the retried create is the same one (not a takeover), and it gets the credentials.
  expectExit(await fixture.tf.apply(), 0);
  const stored = new SecretStore(fixture.secretsDir).load('late')!;
  expect(stored.downstreamClientId).toEqual(expect.any(String));
  expect(await requestToken(`${fixture.downstream.issuer}/token`, stored.downstreamClientId!, stored.clientSecret, 'catalog.read')).toMatchObject({ status: 200, scopes: ['catalog.read'] });
  expectExit(await fixture.tf.plan(), 0);
});
