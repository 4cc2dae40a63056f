/**
 * The usual settings of a provider acceptance test: a fresh embedded server and
 * a Terraform workspace pointed at it (or one per admin token role), shared by
 * the tests of one describe block and removed after them. Call it inside
 * `describe`; read the answer's fields inside hooks and tests (they exist once
 * beforeAll ran).
 */
import { EmbeddedServer, startServer, StartServerOptions } from './embedded-server';
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

/** The CI jobs' setting: a workspace per role, as an admin, the apply job (`write` token 'ci-apply') and the plan job (`read` token 'ci-plan') hold them. */
export interface RoleWorkspaces {
  server: EmbeddedServer;
  /** With the server's bootstrap admin token. */
  admin: Workspace;
  writer: Workspace;
  reader: Workspace;
  readToken: string;
}

export function serverAndRoleWorkspaces(): RoleWorkspaces {
  const fixture = {} as RoleWorkspaces;
  beforeAll(async () => {
    fixture.server = await startServer();
    const writeToken = (await fixture.server.admin.createAdminToken('ci-apply', 'write')).token;
    fixture.readToken = (await fixture.server.admin.createAdminToken('ci-plan', 'read')).token;
    const url = fixture.server.url;
    fixture.admin = await createWorkspace({ url, adminToken: fixture.server.adminToken });
    fixture.writer = await createWorkspace({ url, adminToken: writeToken });
    fixture.reader = await createWorkspace({ url, adminToken: fixture.readToken });
  });
  afterAll(async () => {
    for (const tf of [fixture.admin, fixture.writer, fixture.reader]) tf?.remove();
    await fixture.server?.stop();
  });
  return fixture;
}

/** What sits between the workspace and the server (a fault or counting proxy). */
export interface Proxy {
  url: string;
  close(): Promise<void>;
}

/** A server started with `server`, `startProxy`'s proxy in front of it, and a workspace that reaches the server only through the proxy. */
export function serverBehindProxy<P extends Proxy>(startProxy: (serverUrl: string) => Promise<P>, server: StartServerOptions = {}): ProviderFixture & { proxy: P } {
  const fixture = {} as ProviderFixture & { proxy: P };
  beforeAll(async () => {
    fixture.server = await startServer(server);
    fixture.proxy = await startProxy(fixture.server.url);
    fixture.tf = await createWorkspace({ url: fixture.proxy.url, adminToken: fixture.server.adminToken });
  });
  afterAll(async () => {
    fixture.tf?.remove();
    await fixture.proxy?.close();
    await fixture.server?.stop();
  });
  return fixture;
}
