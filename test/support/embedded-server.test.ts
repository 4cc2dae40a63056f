/**
 * The test helper itself: a server that cannot start makes startServer fail
 * at once with the server's own output (never a hang), and the caller's
 * environment does not reach the server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './embedded-server';

describe('startServer', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'start-server-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('fails fast with the server\'s output when the server exits instead of listening', async () => {
    const notADirectory = join(dir, 'file');
    writeFileSync(notADirectory, 'not a data directory');
    const started = Date.now();
    await expect(startServer({ dataDir: notADirectory })).rejects.toThrow(/^the server did not start \(exited with code \d\); stdout:\n[\s\S]*stderr:\n[\s\S]*\berror\b/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  test('fails fast, saying why, when an option makes the server refuse to start', async () => {
    await expect(startServer({ dataDir: dir, env: { PROCUREMENT_ADMIN_TOKEN: 'short' } })).rejects.toThrow(
      /the server did not start \(exited with code 2\)[\s\S]*invalid server setting adminToken/,
    );
  });

  test('ignores the caller\'s PROCUREMENT_ADMIN_TOKEN: the server generates its own into the data directory', async () => {
    process.env.PROCUREMENT_ADMIN_TOKEN = 'caller-token-0123456789abcdef';
    try {
      const server = await startServer({ dataDir: dir });
      try {
        expect(server.adminToken).not.toBe('caller-token-0123456789abcdef');
        expect((await server.admin.snapshot()).revision).toBe(0);
        const asCaller = await fetch(`${server.url}/admin/v1/snapshot`, { headers: { authorization: 'Bearer caller-token-0123456789abcdef' } });
        expect(asCaller.status).toBe(401);
      } finally {
        await server.stop();
      }
    } finally {
      delete process.env.PROCUREMENT_ADMIN_TOKEN;
    }
  });

  test('uses a PROCUREMENT_ADMIN_TOKEN given in its options', async () => {
    const server = await startServer({ dataDir: dir, env: { PROCUREMENT_ADMIN_TOKEN: 'given-token-0123456789abcdef' } });
    try {
      expect(server.adminToken).toBe('given-token-0123456789abcdef');
      expect((await server.admin.snapshot()).revision).toBe(0);
    } finally {
      await server.stop();
    }
  });
});
