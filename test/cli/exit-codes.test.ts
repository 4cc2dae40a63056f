/**
 * The executable's exit codes, which scripts and CI branch on (lib/model/errors.ts):
 * 0 done, 2 the user can fix the command line or a file it names, 3 something
 * outside failed (the server), 4 a check found a problem. Each command here
 * with a passing case and its failing ones, through the built executable.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo, createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, runCli } from '../support/cli';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { testEnvironment } from '../support/environment';
import { fixturePath } from '../review/fixtures';


/** A loopback URL where nothing listens: a port just freed. */
async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>(resolve => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

let server: EmbeddedServer;
/** Data directories of the servers these tests start themselves. */
let scratch: string;
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'exit-codes-'));
  server = await startServer();
  await server.admin.put('scopes', { name: 'catalog.read', description: 'Read', risk: 'low', external: false, implies: [] }, 'catalog.read');
  await server.admin.put('clients', { clientId: 'erp', displayName: 'ERP', owner: 'team' } as never, 'erp');
});
afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('server', () => {
  test('runs until SIGTERM and then exits 0', async () => {
    const child = spawn(process.execPath, [CLI, 'server', '--port', '0', '--data', join(scratch, 'runs')], {
      env: testEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 30_000;
    while (!/listening on/.test(output) && child.exitCode === null && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20));
    expect(output).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/m);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  test('exits 2 when --port is not a number, saying so', () => {
    const { status, stderr } = runCli(['server', '--port', 'eighty']);
    expect(status).toBe(2);
    expect(stderr).toContain("must be an integer, got 'eighty'");
  });

  test('exits 2 when the port is taken, saying what to do', async () => {
    const taken: Server = createServer();
    await new Promise<void>(resolve => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      const { status, stderr } = runCli(['server', '--port', String(port), '--data', join(scratch, 'taken')]);
      expect(status).toBe(2);
      expect(stderr).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE): choose another --port, or 0 for a free one`);
    } finally {
      await new Promise<void>(resolve => taken.close(() => resolve()));
    }
  });

  test('exits 2 when PROCUREMENT_ADMIN_TOKEN is too short, without printing it', () => {
    const { status, stderr } = runCli(['server', '--port', '0', '--data', join(scratch, 'short')], { PROCUREMENT_ADMIN_TOKEN: 'short' });
    expect(status).toBe(2);
    expect(stderr).toMatch(/^error: invalid server setting adminToken: /m);
    expect(stderr).not.toContain('short\n');
  });
});

describe('main', () => {
  test('exits 2 when PROCUREMENT_URL is set without PROCUREMENT_ADMIN_TOKEN, before touching anything', () => {
    const { status, stdout, stderr } = runCli(['main'], { PROCUREMENT_URL: 'http://127.0.0.1:9' });
    expect(status).toBe(2);
    expect(stderr).toContain("error: PROCUREMENT_URL is set (http://127.0.0.1:9) but PROCUREMENT_ADMIN_TOKEN is not: give the server's admin token");
    expect(stdout).not.toContain('[2/7]');
  });
});

describe('review --usage-from', () => {
  const plan = fixturePath('grant-added');

  test('exits 0 and lists the grants nobody used when the server answers', () => {
    const { status, stdout } = runCli(['review', plan, '--format', 'text', '--usage-from', server.url], { PROCUREMENT_ADMIN_TOKEN: server.adminToken });
    expect(status).toBe(0);
    expect(stdout).toContain('Grants kept but not used in the last 90 days');
  });

  test('exits 2 without the admin token, or with --unused-days that is not a whole number', () => {
    const noToken = runCli(['review', plan, '--usage-from', server.url]);
    expect({ status: noToken.status, stderr: noToken.stderr }).toEqual({ status: 2, stderr: 'error: --usage-from needs the admin token in PROCUREMENT_ADMIN_TOKEN\n' });
    const badDays = runCli(['review', plan, '--usage-from', server.url, '--unused-days', '1.5'], { PROCUREMENT_ADMIN_TOKEN: server.adminToken });
    expect({ status: badDays.status, stderr: badDays.stderr }).toEqual({ status: 2, stderr: "error: --unused-days must be a whole number of days, got '1.5'\n" });
  });

  test('exits 3 when the server is unreachable or refuses the token', async () => {
    const url = await deadUrl();
    const down = runCli(['review', plan, '--usage-from', url], { PROCUREMENT_ADMIN_TOKEN: server.adminToken });
    expect(down.status).toBe(3);
    expect(down.stderr).toContain(url);
    const refused = runCli(['review', plan, '--usage-from', server.url], { PROCUREMENT_ADMIN_TOKEN: 'not-the-admin-token-at-all' });
    expect(refused.status).toBe(3);
    expect(refused.stderr).toContain(`cannot read the usage record at ${server.url}`);
    expect(refused.stderr).not.toContain('not-the-admin-token-at-all');
  });
});

describe('rotate-secret', () => {
  test('exits 0 and prints the new secret once when no secrets dir is set', () => {
    const { status, stdout } = runCli(['rotate-secret', 'erp'], { PROCUREMENT_URL: server.url, PROCUREMENT_ADMIN_TOKEN: server.adminToken });
    expect(status).toBe(0);
    expect(stdout.trim()).toMatch(/^\S{20,}$/);
  });

  test('exits 2 without an admin token, 3 when the server is unreachable', async () => {
    const noToken = runCli(['rotate-secret', 'erp'], { PROCUREMENT_URL: server.url });
    expect(noToken.status).toBe(2);
    expect(noToken.stderr).toContain('no admin token: set PROCUREMENT_ADMIN_TOKEN or pass --admin-token-file');
    const url = await deadUrl();
    const down = runCli(['rotate-secret', 'erp'], { PROCUREMENT_URL: url, PROCUREMENT_ADMIN_TOKEN: server.adminToken });
    expect(down.status).toBe(3);
    expect(down.stderr).toContain(url);
  });
});
