/**
 * The setting of a downstream test with the real terraform: an unmodified node-oidc-provider as the rfc7592
 * downstream, the embedded server as its control plane (`--downstream`), and a Terraform workspace pointed at the
 * control plane whose provider keeps client secrets, with their downstream credentials, in a secrets dir of its own.
 * Shared by the tests of the file (or describe block) that calls it, and removed after them: call it at the top of
 * the file or inside `describe`; read its fields inside hooks and tests (they exist once beforeAll ran).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedServer, startServer } from './embedded-server';
import { Rfc7592Downstream, startRfc7592Downstream } from './rfc7592-downstream';
import { createWorkspace, Workspace } from './terraform';

export interface DownstreamFixture {
  downstream: Rfc7592Downstream;
  /** The `--downstream` file the control plane was started with (`verify --downstream` reads it too). */
  downstreamFile: string;
  control: EmbeddedServer;
  tf: Workspace;
  /** The provider's `secrets_dir`. */
  secretsDir: string;
}

/** `scopes`: those the downstream knows; `settings`: the `--downstream` file's reconcile period and drift mode. */
export function controlPlaneAndWorkspace(
  scopes: readonly string[],
  settings: { reconcileSeconds: number; drift?: 'revert' | 'report' },
): DownstreamFixture {
  const fixture = {} as DownstreamFixture;
  beforeAll(async () => {
    fixture.downstream = await startRfc7592Downstream(scopes);
    fixture.downstreamFile = fixture.downstream.configFile(settings);
    fixture.control = await startServer({ args: ['--downstream', fixture.downstreamFile] });
    fixture.secretsDir = mkdtempSync(join(tmpdir(), 'downstream-secrets-'));
    fixture.tf = await createWorkspace({ url: fixture.control.url, adminToken: fixture.control.adminToken, provider: { secrets_dir: fixture.secretsDir } });
  });
  afterAll(async () => {
    fixture.tf?.remove();
    if (fixture.secretsDir) rmSync(fixture.secretsDir, { recursive: true, force: true });
    await fixture.control?.stop();
    await fixture.downstream?.stop();
  });
  return fixture;
}
