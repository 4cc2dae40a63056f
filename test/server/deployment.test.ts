/**
 * Deployment: the issuer is fixed whatever `Host` or `X-Forwarded-*` say,
 * TLS is served from certificate and key files, reverse-proxy mode keeps the
 * configured issuer, and a bind beyond loopback without an https issuer is
 * refused before anything is written.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPluginIdentity } from '../../lib/provider/plugin/tls';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { testEnvironment } from '../support/environment';

const BIN = join(__dirname, '..', '..', 'bin', 'procurement-scopes.js');
const METADATA = '/.well-known/oauth-authorization-server';
const ISSUER = 'https://auth.example.com';

interface RawAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** One request with headers of the test's choosing (fetch does not let a caller set Host); `ca` makes it https. */
function raw(base: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: string; ca?: string } = {}): Promise<RawAnswer> {
  const url = new URL(path, base);
  const send = options.ca ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      // The test certificate names localhost; the server listens on 127.0.0.1.
      { host: url.hostname, port: url.port, path: url.pathname, method: options.method ?? 'GET', headers: options.headers, ca: options.ca, servername: 'localhost' },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', chunk => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const FORGED = { host: 'evil.example', 'x-forwarded-host': 'evil2.example', 'x-forwarded-proto': 'gopher', 'x-forwarded-port': '1' };

/** Every URL-valued field of the metadata. */
function urls(metadata: Record<string, unknown>): string[] {
  return Object.values(metadata).filter((v): v is string => typeof v === 'string' && /^\w+:\/\//.test(v));
}

function jwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A scope, a role, a client holding it; answers the client's secret. */
async function seed(server: EmbeddedServer): Promise<string> {
  const { admin } = server;
  await admin.put('scopes', { name: 'catalog.read', description: 'Read the catalog', risk: 'low', external: false, implies: [] }, 'catalog.read');
  await admin.put('roles', { name: 'reader', description: 'Reads', scopes: ['catalog.read'] }, 'reader');
  const { clientSecret } = await admin.put('clients', { clientId: 'erp', displayName: 'ERP', owner: 'team' } as never, 'erp');
  await admin.put('role-bindings', { name: 'readers', role: 'reader', subjects: [{ clientId: 'erp' }] } as never, 'readers');
  return clientSecret!;
}

function tokenRequest(secret: string): { method: string; headers: Record<string, string>; body: string } {
  return {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`erp:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=catalog.read',
  };
}

describe('issuer', () => {
  test('a forged Host or X-Forwarded-* header cannot change the metadata of a server without --issuer', async () => {
    const server = await startServer();
    try {
      const honest = await raw(server.url, METADATA);
      const forged = await raw(server.url, METADATA, { headers: FORGED });
      expect(forged).toEqual(honest);
      expect(honest.body.issuer).toBe(server.url);
      expect(urls(honest.body).length).toBeGreaterThanOrEqual(4);
      for (const url of urls(honest.body)) expect(url.startsWith(server.url)).toBe(true);
    } finally {
      await server.stop();
    }
  });

  test('--issuer with --trust-proxy: metadata, every endpoint URL and the tokens name the issuer, whatever Host says', async () => {
    const server = await startServer({ args: ['--issuer', ISSUER, '--trust-proxy'] });
    try {
      expect(server.stdout()).toContain(`issuer: ${ISSUER}\n`);
      const secret = await seed(server);
      for (const headers of [{}, FORGED, { 'x-forwarded-for': '203.0.113.7' }] as Record<string, string>[]) {
        const { body } = await raw(server.url, METADATA, { headers });
        expect(body).toMatchObject({
          issuer: ISSUER,
          token_endpoint: `${ISSUER}/token`,
          jwks_uri: `${ISSUER}/jwks`,
          introspection_endpoint: `${ISSUER}/token/introspection`,
        });
        for (const url of urls(body)) expect(url.startsWith(`${ISSUER}/`) || url === ISSUER).toBe(true);
      }
      const token = await raw(server.url, '/token', { ...tokenRequest(secret), headers: { ...tokenRequest(secret).headers, ...FORGED } });
      expect(token.status).toBe(200);
      expect(jwtPayload(String(token.body.access_token))).toMatchObject({ iss: ISSUER, client_id: 'erp' });
      const introspected = await raw(server.url, '/token/introspection', {
        method: 'POST',
        headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: String(token.body.access_token) }).toString(),
      });
      expect(introspected.body).toMatchObject({ active: true, iss: ISSUER });
    } finally {
      await server.stop();
    }
  });
});

describe('TLS', () => {
  test('serves metadata and tokens over TLS from --tls-cert and --tls-key; the issuer is https', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tls-server-'));
    const identity = createPluginIdentity();
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    writeFileSync(cert, identity.certificatePem);
    writeFileSync(key, identity.privateKeyPem, { mode: 0o600 });
    const dataDir = join(dir, 'data');
    try {
      // The admin client speaks to a plain server; the same data then serves TLS.
      const plain = await startServer({ dataDir });
      const secret = await seed(plain);
      await plain.stop();
      const server = await startServer({ dataDir, args: ['--tls-cert', cert, '--tls-key', key] });
      try {
        expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        const ca = identity.certificatePem;
        const metadata = await raw(server.url, METADATA, { ca, headers: FORGED });
        expect(metadata.body).toMatchObject({ issuer: server.url, token_endpoint: `${server.url}/token` });
        const token = await raw(server.url, '/token', { ...tokenRequest(secret), ca });
        expect(token.status).toBe(200);
        expect(jwtPayload(String(token.body.access_token)).iss).toBe(server.url);
        // Plain HTTP on the TLS port gets no token.
        await expect(raw(server.url.replace('https:', 'http:'), '/token', tokenRequest(secret))).rejects.toThrow();
      } finally {
        await server.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('exposure', () => {
  let dir: string;
  let cert: string;
  let key: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'exposure-'));
    const identity = createPluginIdentity();
    cert = join(dir, 'cert.pem');
    key = join(dir, 'key.pem');
    writeFileSync(cert, identity.certificatePem);
    writeFileSync(key, identity.privateKeyPem);
    writeFileSync(join(dir, 'other-key.pem'), generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs `server` with `args`; a refused start exits 2 and leaves no data directory behind. */
  function refused(args: string[]): string {
    const dataDir = join(dir, 'data');
    const result = spawnSync(process.execPath, [BIN, 'server', '--port', '0', '--data', dataDir, ...args], {
      encoding: 'utf8',
      env: testEnvironment(),
      timeout: 30_000,
    });
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 2, stdout: '' });
    expect(existsSync(dataDir)).toBe(false);
    return result.stderr;
  }

  test('fails for --host 0.0.0.0 without an https issuer, saying what to do', () => {
    const message = refused(['--host', '0.0.0.0']);
    expect(message).toContain('listening on 0.0.0.0 exposes tokens and the admin API');
    expect(message).toContain('--issuer https://auth.example.com');
    expect(message).toContain('--tls-cert <file> --tls-key <file>');
    expect(message).toContain('listen on 127.0.0.1');
    // TLS alone does not name the issuer clients reach.
    expect(refused(['--host', '0.0.0.0', '--tls-cert', cert, '--tls-key', key])).toContain('give the public https issuer');
    expect(refused(['--host', '0.0.0.0', '--issuer', 'http://auth.example.com'])).toContain("must be https (RFC 8414); http is only for a loopback issuer, got 'http://auth.example.com'");
  });

  test('fails for an issuer with a path, proxy mode without an issuer, half a TLS pair or a key of another certificate', () => {
    expect(refused(['--issuer', 'https://auth.example.com/oauth'])).toContain("must be a bare origin (scheme, host, optional port) such as https://auth.example.com, got 'https://auth.example.com/oauth'");
    expect(refused(['--trust-proxy'])).toContain('behind a reverse proxy, give the public https URL the proxy serves with --issuer');
    expect(refused(['--tls-cert', cert])).toContain('needs both a certificate file (--tls-cert) and a key file (--tls-key)');
    expect(refused(['--tls-cert', cert, '--tls-key', join(dir, 'missing.pem')])).toContain(`cannot read the key file ${join(dir, 'missing.pem')} (ENOENT)`);
    expect(refused(['--tls-cert', cert, '--tls-key', join(dir, 'other-key.pem')])).toContain('do not load as a PEM pair');
    expect(refused(['--issuer', 'http://127.0.0.1:1', '--tls-cert', cert, '--tls-key', key])).toContain('must be https (RFC 8414) since the server serves TLS');
  });

  test('listens beyond loopback behind a TLS-terminating proxy when the issuer is https, and warns that only the proxy may reach it', async () => {
    const server = await startServer({ args: ['--host', '0.0.0.0', '--issuer', ISSUER, '--trust-proxy'] });
    try {
      expect((await raw(server.url, METADATA)).body.token_endpoint).toBe(`${ISSUER}/token`);
      expect(server.stderr()).toContain(`listening on 0.0.0.0 over plain HTTP: only a TLS-terminating reverse proxy for ${ISSUER} may reach this port`);
    } finally {
      await server.stop();
    }
  });
});
