/**
 * New client secrets reach their owners through the provider's
 * `secrets_command`, with the real terraform: the secret reaches a test
 * receiver (and works at the token endpoint) and nowhere else: not the plan,
 * the apply output, Terraform's debug log (which holds the provider's own
 * output), the state or the server's output. A failed command fails the
 * apply, says how to recover, and the recovery works.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenClient } from '../../lib/verify/token-client';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { createWorkspace, expectExit, Workspace } from '../support/terraform';

const BIN = join(__dirname, '..', '..', 'bin', 'procurement-scopes.js');
const client = (client_id: string) => ({ client_id, display_name: client_id, owner: 'team' });

describe('secrets_command', () => {
  let server: EmbeddedServer;
  let dir: string;
  let tf: Workspace;
  let receiver: string;
  const logFile = () => join(dir, 'terraform.log');
  const received = (clientId: string) => JSON.parse(readFileSync(join(dir, `${clientId}.received`), 'utf8')) as { client_id: string; client_secret: string };

  beforeAll(async () => {
    server = await startServer();
    dir = mkdtempSync(join(tmpdir(), 'secrets-command-'));
    // The receiver stands for `vault kv put ... -`: it keeps what arrives on stdin, and notes whether it was given the admin token.
    receiver = join(dir, 'receiver.sh');
    writeFileSync(
      receiver,
      `#!/bin/sh\nset -e\ncat > "${dir}/$PROCUREMENT_CLIENT_ID.received"\necho "\${PROCUREMENT_ADMIN_TOKEN:-withheld}" > "${dir}/$PROCUREMENT_CLIENT_ID.admin-token"\n`,
      { mode: 0o700 },
    );
    tf = await createWorkspace({
      url: server.url,
      adminToken: server.adminToken,
      provider: { secrets_command: `${receiver}` },
      env: { TF_LOG: 'TRACE', TF_LOG_PATH: logFile() },
    });
  });
  afterAll(async () => {
    tf?.remove();
    rmSync(dir, { recursive: true, force: true });
    await server?.stop();
  });

  test('the secret reaches the receiver, works, and appears nowhere else', async () => {
    tf.writeConfig({ resource: { procurement_client: { erp: client('erp') } } });
    expectExit(await tf.init(), 0);
    const plan = await tf.run('plan', '-input=false', '-out=plan.tfplan');
    expectExit(plan, 0);
    const apply = await tf.run('apply', '-input=false', 'plan.tfplan');
    expectExit(apply, 0);
    const again = await tf.plan();
    expectExit(again, 0);

    const { client_id, client_secret } = received('erp');
    expect(client_id).toBe('erp');
    expect(client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(readFileSync(join(dir, 'erp.admin-token'), 'utf8').trim()).toBe('withheld');
    const token = await (await TokenClient.discover(server.url)).request('erp', client_secret);
    expect(token.ok).toBe(true);

    const shownPlan = await tf.run('show', 'plan.tfplan');
    const places: Record<string, string> = {
      'plan output': plan.stdout + plan.stderr + shownPlan.stdout,
      'apply output': apply.stdout + apply.stderr + again.stdout + again.stderr,
      "Terraform's trace log (with the provider's output)": readFileSync(logFile(), 'utf8'),
      state: readFileSync(join(tf.dir, 'terraform.tfstate'), 'utf8') + (await tf.state()).text,
      "the server's output": server.stdout() + server.stderr(),
      'the audit log': JSON.stringify(await server.admin.audit()),
    };
    expect(places["Terraform's trace log (with the provider's output)"]).toContain('ApplyResourceChange'); // the log is real
    for (const [place, text] of Object.entries(places)) expect({ place, leaks: text.includes(client_secret) }).toEqual({ place, leaks: false });
  });

  test('fails the apply when the command fails, without printing the secret; rotate-secret and untaint recover', async () => {
    // A failing command that echoes what it got: the provider must blank the secret out of what it reports.
    const failing = `cat >&2; echo 'vault: permission denied' >&2; exit 3`;
    const broken = await createWorkspace({ url: server.url, adminToken: server.adminToken, provider: { secrets_command: failing } });
    try {
      broken.writeConfig({ resource: { procurement_client: { bot: client('bot') } } });
      expectExit(await broken.init(), 0);
      const apply = await broken.apply();
      expect(apply.exitCode).toBe(1);
      const said = apply.stderr.replace(/\s+/g, ' '); // Terraform wraps diagnostics
      expect(said).toContain('Error: Client secret not delivered');
      expect(said).toContain('exited 3');
      expect(said).toContain('vault: permission denied');
      expect(said).toContain('"client_secret":"[secret withheld]"');
      expect(said).toContain('procurement-scopes rotate-secret bot');
      expect(said).toContain('terraform untaint');
      expect(said).not.toMatch(/[A-Za-z0-9_-]{43}/);

      // The way out the message gives: a new secret through the (fixed) command, then untaint.
      const rotate = spawnSync(process.execPath, [BIN, 'rotate-secret', 'bot'], {
        encoding: 'utf8',
        env: { ...process.env, PROCUREMENT_URL: server.url, PROCUREMENT_ADMIN_TOKEN: server.adminToken, PROCUREMENT_SECRETS_COMMAND: receiver, PROCUREMENT_SECRETS_DIR: '' },
      });
      expect(rotate.status).toBe(0);
      expect(rotate.stdout).toContain('handed the new one to the secrets command');
      const { client_secret } = received('bot');
      expect(rotate.stdout + rotate.stderr).not.toContain(client_secret);
      expect((await (await TokenClient.discover(server.url)).request('bot', client_secret)).ok).toBe(true);
      expectExit(await broken.run('untaint', 'procurement_client.bot'), 0);
      expectExit(await broken.plan(), 0);
    } finally {
      broken.remove();
    }
  });

  test('rotate-secret fails (exit 3) when the command fails, and prints no secret', async () => {
    // A client of its own, so that the test passes alone.
    await server.admin.put('clients', { clientId: 'undelivered', displayName: 'Undelivered', owner: 'team' } as never, 'undelivered');
    // The command echoes what it got (the secret among it) and keeps a copy, so that the test knows the secret to look for.
    const copy = join(dir, 'undelivered.failed-delivery');
    const rotate = spawnSync(process.execPath, [BIN, 'rotate-secret', 'undelivered', '--secrets-command', `tee '${copy}'; exit 1`], {
      encoding: 'utf8',
      env: { ...process.env, PROCUREMENT_URL: server.url, PROCUREMENT_ADMIN_TOKEN: server.adminToken, PROCUREMENT_SECRETS_DIR: '' },
    });
    expect(rotate.status).toBe(3);
    expect(rotate.stderr).toContain('was not delivered');
    expect(rotate.stderr).toContain('[secret withheld]');
    const { client_secret: secret } = JSON.parse(readFileSync(copy, 'utf8')) as { client_secret: string };
    expect(secret.length).toBeGreaterThan(20);
    expect(rotate.stdout + rotate.stderr).not.toContain(secret);
    expect(existsSync(join(dir, 'undelivered.json'))).toBe(false);
  });
});
