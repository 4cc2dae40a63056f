/**
 * The usual setting of a provider acceptance test: a fresh embedded server and
 * a Terraform workspace pointed at it, shared by the tests of one describe
 * block and removed after them. Call it inside `describe`; read `server` and
 * `tf` from the answer inside hooks and tests (they exist once beforeAll ran).
 */
import { EmbeddedServer, startServer } from './embedded-server';
import { createWorkspace, Workspace } from './terraform';

export interface ProviderFixture {
  server: EmbeddedServer;
  tf: Workspace;
}

export function serverAndWorkspace(): ProviderFixture {
  const fixture = {} as ProviderFixture;
  beforeAll(async () => {
    fixture.server = await startServer();
    fixture.tf = await createWorkspace({ url: fixture.server.url, adminToken: fixture.server.adminToken });
  });
  afterAll(async () => {
    fixture.tf?.remove();
    await fixture.server?.stop();
  });
  return fixture;
}
