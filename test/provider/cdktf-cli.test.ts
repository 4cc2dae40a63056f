/**
 * What a CDKTF user types, offline and with no extra flags: with
 * TF_CLI_CONFIG_FILE pointing at the mirror and the stack's lock file that
 * install-provider wrote (the set-up in docs/provider.md), `cdktf diff`, `deploy` and
 * `destroy` run against the real embedded server without asking the
 * registry (which is unreachable here: any `terraform providers lock` would
 * fail). Renaming a construct then plans no change and deletes nothing.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stackSecretsDir } from '../../lib/client/secrets-layout';
import { cdktfProjectAndServer } from '../support/cdktf-project';
import { declaredObjects, snapshotDifferences, TerraformConfig } from '../support/declared-model';
import { step } from '../support/step';

const run = promisify(execFile);

describe('cdktf deploy and plan through the mirror', () => {
  const fixture = cdktfProjectAndServer({ lockFileStacks: ['dev'] });

  const cdktf = (...args: string[]) =>
    run('npx', ['--no-install', 'cdktf', ...args], { cwd: fixture.project, env: fixture.env, maxBuffer: 64 * 1024 * 1024 }).catch(
      (e: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`cdktf ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
      },
    );

  // One story on one server: the rename and the destroy act on what the deploy applied.
  test('diff, deploy and plan show the stack; renaming a construct changes nothing; destroy removes it all', async () => {
    await step('diff, then deploy applies the dev stack, then plan reports no changes', async () => {
      const diff = await cdktf('diff', 'dev');
      expect(diff.stdout).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
      const deploy = await cdktf('deploy', 'dev', '--auto-approve');
      const declared = declaredObjects(JSON.parse(readFileSync(join(fixture.project, 'cdktf.out/stacks/dev/cdk.tf.json'), 'utf8')) as TerraformConfig);
      // The model objects, and the stack's procurement_policy.
      expect(deploy.stdout).toContain(`Apply complete! Resources: ${declared.length + 1} added, 0 changed, 0 destroyed`);
      const snapshot = await fixture.server.admin.snapshot();
      expect(snapshotDifferences(declared, snapshot)).toEqual([]);

      const plan = await cdktf('plan', 'dev');
      expect(plan.stdout).toMatch(/No changes\. Your infrastructure matches the configuration\./);
      // Under PROCUREMENT_SECRETS_DIR, in the stack's own directory on its server.
      const stackSecrets = stackSecretsDir({ root: fixture.env.PROCUREMENT_SECRETS_DIR!, stack: 'dev', serverUrl: fixture.server.url });
      const secrets = readdirSync(stackSecrets).map(file => (JSON.parse(readFileSync(join(stackSecrets, file), 'utf8')) as { clientSecret: string }).clientSecret);
      expect(secrets.length).toBe(snapshot.clients.length);
      for (const output of [deploy.stdout, deploy.stderr, plan.stdout, plan.stderr]) {
        for (const secret of [fixture.server.adminToken, ...secrets]) expect(output).not.toContain(secret);
      }
    });

    await step('renaming a construct plans no change and deletes nothing', async () => {
      const roles = join(fixture.project, 'stacks/roles.ts');
      writeFileSync(roles, readFileSync(roles, 'utf8').replace("role('TicketAgent', 'ticket-agent'", "role('Agent', 'ticket-agent'"));
      const before = { snapshot: await fixture.server.admin.snapshot(), audit: (await fixture.server.admin.audit({ limit: 1000 })).items };
      const diff = await cdktf('diff', 'dev');
      expect(diff.stdout).toMatch(/No changes\. Your infrastructure matches the configuration\./);
      await cdktf('deploy', 'dev', '--auto-approve');
      expect({ snapshot: await fixture.server.admin.snapshot(), audit: (await fixture.server.admin.audit({ limit: 1000 })).items }).toEqual(before);
    });

    await step('destroy removes what the stack manages', async () => {
      await cdktf('destroy', 'dev', '--auto-approve');
      const snapshot = await fixture.server.admin.snapshot();
      expect([snapshot.scopes, snapshot.roles, snapshot.clients, snapshot.roleBindings].map(list => list.length)).toEqual([0, 0, 0, 0]);
    });
  }, 1_300_000); // each cdktf command synthesizes and runs terraform: about a minute on a loaded 2-core machine
});
