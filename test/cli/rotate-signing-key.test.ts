/** `procurement-scopes rotate-signing-key` against the REAL embedded server, through the built executable. */
import { EXIT } from '../../lib/model/errors';
import { runCli } from '../support/cli';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { step } from '../support/step';

let server: EmbeddedServer;

const cli = (args: string[], adminToken: string = server.adminToken) =>
  runCli(['rotate-signing-key', ...args], { PROCUREMENT_URL: server.url, PROCUREMENT_ADMIN_TOKEN: adminToken });

async function jwksKids(): Promise<string[]> {
  return ((await (await fetch(`${server.url}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map(k => k.kid).sort();
}

beforeAll(async () => {
  // spawnSync blocks the event loop, so a keep-alive socket closed meanwhile is only noticed on reuse: one retry covers it.
  server = await startServer({ adminClient: { maxAttempts: 2 } });
});
afterAll(() => server.stop());

// One story on one server: the refusal is of a second rotation while the first one's key waits to sign.
test('publishes the next key, says when it signs and until when the old one stays, the JWKS holds both; a second rotation fails with exit 2 and the server\'s reason while that key waits to sign', async () => {
  await step('publishes the next key, says when it signs and until when the old one stays; the JWKS holds both', async () => {
    const [old] = await jwksKids();
    const rotated = cli(['--publish-delay', '120']);
    expect(rotated.status).toBe(EXIT.ok);
    const kid = /^published the signing key '([^']+)'; it signs tokens from (\S+)$/m.exec(rotated.stdout);
    expect(kid).not.toBeNull();
    expect(rotated.stdout).toMatch(new RegExp(`^'${old}' signs until then and stays in the JWKS until \\S+ \\(its last token has expired by then\\)$`, 'm'));
    expect(await jwksKids()).toEqual([old, kid![1]].sort());
  });

  await step("fails with exit 2 and the server's reason while the last rotation's key waits to sign", async () => {
    const refused = cli([]);
    expect(refused.status).toBe(EXIT.usage);
    expect(refused.stderr).toContain('cannot rotate the signing key:');
    expect(refused.stderr).toContain('is published but only signs from');
  });
});

test('fails with exit 2 for a token without the admin role, and for a delay that is not whole seconds', async () => {
  const { token } = await server.admin.createAdminToken('ci-apply', 'write');
  const refused = cli(['--publish-delay', '0'], token);
  expect(refused.status).toBe(EXIT.usage);
  expect(refused.stderr).toContain('needs the admin role');
  const bad = cli(['--publish-delay', '1h']);
  expect(bad.status).not.toBe(EXIT.ok);
  expect(bad.stderr).toContain("expected a whole number of seconds, got '1h'");
});

test('fails with exit 3 when the server cannot be reached', () => {
  const down = cli(['--url', 'http://127.0.0.1:9']);
  expect(down.status).toBe(EXIT.external);
  expect(down.stderr).toContain("start it with 'npx procurement-scopes server'");
});
