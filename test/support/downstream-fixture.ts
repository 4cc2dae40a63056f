/**
 * The settings of a downstream test: an unmodified node-oidc-provider as the rfc7592 downstream and the embedded
 * server as its control plane (`--downstream`); with the real terraform, also a Terraform workspace pointed at the
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

/** The `--downstream` file's reconcile period and drift mode. */
export type DownstreamSettings = { reconcileSeconds: number; drift?: 'revert' | 'report' };

export interface ControlPlaneFixture {
  downstream: Rfc7592Downstream;
  /** The `--downstream` file the control plane was started with (`verify --downstream` reads it too). */
  downstreamFile: string;
  control: EmbeddedServer;
}

/** `scopes`: those the downstream knows. */
export function controlPlaneWithDownstream(scopes: readonly string[], settings: DownstreamSettings): ControlPlaneFixture {
  const fixture = {} as ControlPlaneFixture;
  beforeAll(async () => {
    fixture.downstream = await startRfc7592Downstream(scopes);
    fixture.downstreamFile = fixture.downstream.configFile(settings);
    fixture.control = await startServer({ args: ['--downstream', fixture.downstreamFile] });
  });
  afterAll(async () => {
    await fixture.control?.stop();
    await fixture.downstream?.stop();
  });
  return fixture;
}

export interface DownstreamFixture extends ControlPlaneFixture {
  tf: Workspace;
  /** The provider's `secrets_dir`. */
  secretsDir: string;
}

/** The control plane and its downstream, and a workspace whose provider has a secrets dir. */
export function controlPlaneAndWorkspace(scopes: readonly string[], settings: DownstreamSettings): DownstreamFixture {
  const fixture = controlPlaneWithDownstream(scopes, settings) as DownstreamFixture;
  beforeAll(async () => {
    fixture.secretsDir = mkdtempSync(join(tmpdir(), 'downstream-secrets-'));
    fixture.tf = await createWorkspace({ url: fixture.control.url, adminToken: fixture.control.adminToken, provider: { secrets_dir: fixture.secretsDir } });
  });
  afterAll(() => {
    fixture.tf?.remove();
    if (fixture.secretsDir) rmSync(fixture.secretsDir, { recursive: true, force: true });
  });
  return fixture;
}
