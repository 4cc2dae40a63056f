/**
 * Ownership by explicit import, against both real downstreams (unmodified node-oidc-provider as the rfc7592
 * kind, the Debian glewlwyd): the control plane touches only clients it created or adopted. A client id the
 * downstream already holds is refused with the way to adopt it; `procurement-scopes downstream adopt` (the real
 * CLI, an admin token) takes it over, audited; from then on it is managed like any other; a client nobody adopted
 * is left alone throughout.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient } from '../../lib/client/admin-client';
import { Client } from '../../lib/model/types';
import { apiError } from '../support/api-error';
import { step } from '../support/step';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { testEnvironment } from '../support/environment';
import { GlewlwydDownstream, startGlewlwydDownstream } from '../support/glewlwyd-downstream';
import { Rfc7592Downstream, requestToken, startRfc7592Downstream } from '../support/rfc7592-downstream';

const BIN = join(__dirname, '..', '..', 'bin', 'procurement-scopes.js');
const client = (clientId: string): Client => ({ clientId, displayName: clientId, owner: 'procurement', external: false }) as Client;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'downstream-adopt-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `procurement-scopes downstream adopt`, as an operator runs it. */
function adoptCli(control: EmbeddedServer, clientId: string, args: string[] = []) {
  const tokenFile = join(dir, 'admin-token');
  writeFileSync(tokenFile, control.adminToken, { mode: 0o600 });
  return spawnSync(process.execPath, [BIN, 'downstream', 'adopt', clientId, '--url', control.url, '--admin-token-file', tokenFile, ...args], {
    encoding: 'utf8',
    env: testEnvironment(),
  });
}

/** Puts the model's scope and a binding of `clientId` to a role holding it; the write waits for the push. */
async function grant(admin: AdminClient, clientId: string): Promise<void> {
  await admin.put('scopes', { name: 'catalog.read', description: 'Reads the catalog', risk: 'low', external: false } as never, 'catalog.read');
  await admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] } as never, 'reader');
  await admin.put('role-bindings', { name: 'readers', role: 'reader', subjects: [{ clientId }] } as never, 'readers');
}

/** Waits until a pass has read the downstream back after `since`. */
async function reconciledAfter(admin: AdminClient, since: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await admin.downstream();
    if (status.lastReconcileAt !== null && Date.parse(status.lastReconcileAt) > since) return;
    if (Date.now() > deadline) throw new Error(`no pass after ${new Date(since).toISOString()}: ${JSON.stringify(status)}`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

describe('glewlwyd', () => {
  let downstream: GlewlwydDownstream;
  let control: EmbeddedServer;
  let tokenEndpoint: string;
  const theirs = (clientId: string) => ({ client_id: clientId, name: 'theirs', confidential: true, password: `${clientId}-secret`, enabled: true, authorization_type: ['client_credentials'], scope: ['legacy.read'] });

  beforeAll(async () => {
    downstream = await startGlewlwydDownstream();
    control = await startServer({ args: ['--downstream', downstream.configFile({ reconcileSeconds: 1 })] });
    tokenEndpoint = `${downstream.config.apiUrl}/${downstream.config.plugin}/token`;
    for (const id of ['their-bot', 'unrelated']) expect((await downstream.admin('POST', '/client/', theirs(id))).status).toBe(200);
  });
  afterAll(async () => {
    await control?.stop();
    await downstream?.stop();
  });

  // One story on one downstream: the clash is what there is to adopt.
  test('a clash is refused with the way to adopt it; adopted through the CLI, audited, then managed; the unrelated client is left alone', async () => {
    await step('the clash is refused with the way to adopt it, and their client is left as it was', async () => {
      const refusal = await apiError(control.admin.put('clients', client('their-bot'), 'their-bot'));
      expect(refusal.status).toBe(409);
      expect(refusal.code).toBe('downstream_client_exists');
      expect(refusal.message).toContain("client 'their-bot' already exists on the downstream and the control plane did not create it, so it was left untouched");
      expect(refusal.message).toContain('procurement-scopes downstream adopt their-bot');
      const status = await control.admin.downstream();
      expect(status.inSync).toBe(false);
      expect(status.pending).toEqual([expect.objectContaining({ clientId: 'their-bot', change: 'create', why: expect.stringContaining('procurement-scopes downstream adopt their-bot') })]);
      expect(((await downstream.admin('GET', '/client/their-bot')).body as { scope: string[] }).scope).toEqual(['legacy.read']);
      expect(await requestToken(tokenEndpoint, 'their-bot', 'their-bot-secret', 'legacy.read')).toMatchObject({ status: 200, scopes: ['legacy.read'] });
    });

    await step('adopted through the CLI and audited', async () => {
      const adopted = adoptCli(control, 'their-bot');
      expect(adopted.stderr).toBe('');
      expect(adopted.stdout).toContain("adopted 'their-bot' (downstream id their-bot): it held legacy.read");
      expect(adopted.status).toBe(0);
      const [entry] = (await control.admin.audit({ action: 'downstream.adopt' })).items;
      expect(entry).toMatchObject({ actor: 'bootstrap', actorNote: 'procurement-scopes downstream adopt', key: 'their-bot', before: null, after: { remoteId: 'their-bot', scopes: ['legacy.read'] } });
    });

    await step("then managed: the apply that was refused goes through, and the push replaces their scopes with the model's; the unrelated client is left alone", async () => {
      await control.admin.put('clients', client('their-bot'), 'their-bot');
      await grant(control.admin, 'their-bot');
      expect(await requestToken(tokenEndpoint, 'their-bot', 'their-bot-secret', 'catalog.read')).toMatchObject({ status: 200, scopes: ['catalog.read'] });
      expect((await requestToken(tokenEndpoint, 'their-bot', 'their-bot-secret', 'legacy.read')).scopes).toBeNull();
      expect((await control.admin.downstream()).inSync).toBe(true);
      await reconciledAfter(control.admin, Date.now());
      expect(((await downstream.admin('GET', '/client/unrelated')).body as { scope: string[]; enabled: boolean })).toMatchObject({ scope: ['legacy.read'], enabled: true });
      expect(adoptCli(control, 'their-bot').stdout).toContain('was already adopted: nothing changed');
    });
  });

  test('adopting needs an admin token and a model client, and a glewlwyd client is named by its id alone', async () => {
    // A model client of its own, which the control plane creates on the downstream: no clash, nothing to adopt yet.
    await control.admin.put('clients', client('our-bot'), 'our-bot');
    const writer = await control.admin.createAdminToken('writer', 'write');
    const asWriter = new AdminClient({ url: control.url, adminToken: writer.token });
    expect((await apiError(asWriter.adoptDownstream('our-bot'))).status).toBe(403);
    const missing = await apiError(control.admin.adoptDownstream('nobody-here'));
    expect(missing.status).toBe(404);
    expect(missing.message).toContain("no client 'nobody-here' in the control plane: declare it and apply first");
    expect((await apiError(control.admin.adoptDownstream('our-bot', { registrationClientUri: 'x' }))).message).toContain('adopted by its client id alone');
  });
});

describe('rfc7592', () => {
  let downstream: Rfc7592Downstream;
  let control: EmbeddedServer;
  let tokenEndpoint: string;

  /** Someone registers a client by hand with the initial access token, as teams do before the control plane. */
  async function registerByHand(name: string) {
    const response = await fetch(`${downstream.issuer}/reg`, {
      method: 'POST',
      headers: { authorization: `Bearer ${readFileSync(downstream.config.initialAccessTokenFile, 'utf8').trim()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: name, response_types: [], grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', scope: 'legacy.read' }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { client_id: string; client_secret: string; registration_access_token: string; registration_client_uri: string };
  }

  beforeAll(async () => {
    downstream = await startRfc7592Downstream(['catalog.read', 'legacy.read']);
    control = await startServer({ args: ['--downstream', downstream.configFile({ reconcileSeconds: 1 })] });
    tokenEndpoint = `${downstream.issuer}/token`;
  });
  afterAll(async () => {
    await control?.stop();
    await downstream?.stop();
  });

  test('the server assigns ids, so nothing clashes; an existing registration is adopted with --replace, audited, then managed; the unrelated one is left alone', async () => {
    const theirs = await registerByHand('their-bot');
    const unrelated = await registerByHand('unrelated');
    const created = await control.admin.put('clients', client('their-bot'), 'their-bot');
    expect(created.downstreamClientId).toEqual(expect.any(String));
    const tokenFile = join(dir, 'registration-access-token');
    writeFileSync(tokenFile, theirs.registration_access_token, { mode: 0o600 });
    const reference = ['--registration-client-uri', theirs.registration_client_uri, '--registration-access-token-file', tokenFile];

    const refused = adoptCli(control, 'their-bot', reference);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('adopt again with --replace');
    const elsewhere = await apiError(control.admin.adoptDownstream('their-bot', { registrationClientUri: 'http://attacker.example/reg/x', registrationAccessToken: 't' }, true));
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.message).toContain("must be on the downstream's registration endpoint origin");
    const wrongToken = await apiError(control.admin.adoptDownstream('their-bot', { registrationClientUri: theirs.registration_client_uri, registrationAccessToken: 'not-the-token' }, true));
    expect(wrongToken.status).toBe(422);
    // Nothing was changed by the refusals: the client made by the control plane is still there (disabled: no grant yet), not unknown.
    const before = await requestToken(tokenEndpoint, created.downstreamClientId!, created.clientSecret!);
    expect(before.status).toBe(400);
    expect(before.error).not.toBe('invalid_client');

    const adopted = adoptCli(control, 'their-bot', [...reference, '--replace']);
    expect(adopted.stderr).toBe('');
    expect(adopted.stdout).toContain(`adopted 'their-bot' (downstream id ${theirs.client_id}): it held legacy.read`);
    expect((await requestToken(tokenEndpoint, created.downstreamClientId!, created.clientSecret!)).status).toBe(401);
    const [entry] = (await control.admin.audit({ action: 'downstream.adopt' })).items;
    expect(entry).toMatchObject({ key: 'their-bot', before: { remoteId: created.downstreamClientId, scopes: [] }, after: { remoteId: theirs.client_id, scopes: ['legacy.read'] } });
    expect(JSON.stringify(entry)).not.toContain(theirs.registration_access_token);

    await grant(control.admin, 'their-bot');
    expect(await requestToken(tokenEndpoint, theirs.client_id, theirs.client_secret, 'catalog.read')).toMatchObject({ status: 200, scopes: ['catalog.read'] });
    expect(await requestToken(tokenEndpoint, theirs.client_id, theirs.client_secret, 'legacy.read')).toMatchObject({ status: 400, error: 'invalid_scope' });
    await reconciledAfter(control.admin, Date.now());
    expect(await requestToken(tokenEndpoint, unrelated.client_id, unrelated.client_secret, 'legacy.read')).toMatchObject({ status: 200, scopes: ['legacy.read'] });
    expect(control.stderr()).not.toContain(theirs.registration_access_token);
  });
});
