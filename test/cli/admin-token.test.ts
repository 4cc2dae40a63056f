/** `procurement-scopes admin-token create|list|revoke` against the REAL embedded server, through the built executable. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient } from '../../lib/client/admin-client';
import { EXIT } from '../../lib/model/errors';
import { apiError } from '../support/api-error';
import { runCli } from '../support/cli';
import { EmbeddedServer, startServer } from '../support/embedded-server';

let server: EmbeddedServer;
let dir: string;

const cli = (args: string[], adminToken: string = server.adminToken) =>
  runCli(['admin-token', ...args], { PROCUREMENT_URL: server.url, PROCUREMENT_ADMIN_TOKEN: adminToken });

// spawnSync blocks the event loop for seconds, so a keep-alive socket the server closed meanwhile is only
// noticed on reuse: one retry (what the CLI and the provider do too) covers that.
const clientWith = (adminToken: string) => new AdminClient({ url: server.url, adminToken, maxAttempts: 2 });

beforeAll(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'admin-token-cli-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await server.stop();
});

describe('admin-token', () => {
  test('create prints the token once, alone on stdout; the token works with its role', async () => {
    const created = cli(['create', '--name', 'ci-plan', '--role', 'read']);
    expect(created).toMatchObject({ status: EXIT.ok, stderr: expect.stringContaining("created the read token 'ci-plan'") });
    const token = created.stdout.trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const reader = clientWith(token);
    await reader.snapshot();
    expect((await apiError(reader.put('scopes', { name: 'po.read', description: 'Read', risk: 'low' } as never, 'po.read'))).status).toBe(403);
  });

  test('list shows names and roles, never a token; the tokens it made are added to those that existed', () => {
    const listNames = () => (JSON.parse(cli(['list', '--json']).stdout) as { name: string }[]).map(t => t.name);
    const before = listNames();
    expect(before[0]).toBe('bootstrap');
    expect(cli(['create', '--name', 'list-reader', '--role', 'read']).status).toBe(EXIT.ok);
    expect(cli(['create', '--name', 'list-writer', '--role', 'write']).status).toBe(EXIT.ok);
    const listed = cli(['list']);
    expect(listed.status).toBe(EXIT.ok);
    expect(listed.stdout).toMatch(/^NAME\s+ROLE\s+CREATED\s+BY\s+REVOKED$/m);
    expect(listed.stdout).toMatch(/^bootstrap\s+admin\s+\S+\s+\(configuration\)\s+-$/m);
    expect(listed.stdout).toMatch(/^list-reader\s+read\s+\S+\s+bootstrap\s+-$/m);
    expect(listed.stdout).toMatch(/^list-writer\s+write\s+\S+\s+bootstrap\s+-$/m);
    expect(listed.stdout).not.toContain(server.adminToken);
    // Listed by name: exactly the tokens that existed before, and the two this test made.
    expect(listNames()).toEqual([...before, 'list-reader', 'list-writer'].sort());
  });

  test('revoke: the token is refused afterwards', async () => {
    const token = cli(['create', '--name', 'temporary', '--role', 'write']).stdout.trim();
    expect(cli(['revoke', 'temporary'])).toMatchObject({ status: EXIT.ok, stdout: "revoked the admin token 'temporary'\n" });
    expect((await apiError(clientWith(token).snapshot())).status).toBe(401);
  });

  test('reads the admin token from --admin-token-file', () => {
    const file = join(dir, 'token');
    writeFileSync(file, `${server.adminToken}\n`, { mode: 0o600 });
    expect(cli(['list', '--admin-token-file', file], '').status).toBe(EXIT.ok);
  });

  test('fails with exit 2 when the token is too weak, naming the role to use', () => {
    const write = cli(['create', '--name', 'ci-apply', '--role', 'write']).stdout.trim();
    const refused = cli(['create', '--name', 'escalate', '--role', 'admin'], write);
    expect(refused.status).toBe(EXIT.usage);
    expect(refused.stderr).toContain("cannot create the admin token 'escalate': the server at");
    expect(refused.stderr).toContain('use an admin token');
    expect(refused.stdout).toBe('');
  });

  test('fails with exit 2 on bad arguments or a refused request, and 3 when the server is unreachable', () => {
    expect(cli(['create', '--name', 'x', '--role', 'owner']).status).toBe(EXIT.usage);
    expect(cli(['create', '--role', 'read']).status).toBe(EXIT.usage);
    expect(cli(['create', '--name', 'twice', '--role', 'read']).status).toBe(EXIT.ok);
    const duplicate = cli(['create', '--name', 'twice', '--role', 'read']);
    expect([duplicate.status, duplicate.stderr]).toEqual([EXIT.usage, expect.stringContaining('already exists')]);
    expect(cli(['revoke', 'nobody']).stderr).toContain("no active admin token named 'nobody'");
    expect(cli(['list'], '').stderr).toContain('no admin token: set PROCUREMENT_ADMIN_TOKEN');
    const down = runCli(['admin-token', 'list', '--url', 'http://127.0.0.1:9'], { PROCUREMENT_ADMIN_TOKEN: server.adminToken });
    expect(down.status).toBe(EXIT.external);
  });
});
