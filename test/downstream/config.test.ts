/** The --downstream file (lib/server/downstream/config.ts): defaults, and every mistake named with its field. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDownstream } from '../../lib/server/downstream/config';
import { testEnvironment } from '../support/environment';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'downstream-config-'));
  writeFileSync(join(dir, 'iat'), 'initial-access-token\n');
  writeFileSync(join(dir, 'api-key'), 'glewlwyd-api-key\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(content: unknown): ReturnType<typeof loadDownstream> {
  const file = join(dir, 'downstream.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return loadDownstream(file);
}

const RFC7592 = { kind: 'rfc7592', issuer: 'http://127.0.0.1:9', initialAccessTokenFile: 'iat' };
const GLEWLWYD = { kind: 'glewlwyd', apiUrl: 'http://127.0.0.1:9/api', apiKeyFile: 'api-key', plugin: 'oauth2' };

test('an rfc7592 file: token file read relative to the file, reconcile every 5 s and revert drift by default', () => {
  const settings = load(RFC7592);
  expect(settings).toMatchObject({ id: 'rfc7592 http://127.0.0.1:9', reconcileSeconds: 5, drift: 'revert' });
  expect(settings.adapter.kind).toBe('rfc7592');
  expect(load({ ...RFC7592, reconcileSeconds: 2, drift: 'report' })).toMatchObject({ reconcileSeconds: 2, drift: 'report' });
});

test('a glewlwyd file: the API key file read relative to the file, the plugin named, the same defaults', async () => {
  const settings = load(GLEWLWYD);
  expect(settings).toMatchObject({ id: 'glewlwyd http://127.0.0.1:9/api', reconcileSeconds: 5, drift: 'revert' });
  expect(settings.adapter.kind).toBe('glewlwyd');
  // Nothing listens on port 9: the failure names the plugin's address, and it means the file was read and understood.
  await expect(settings.adapter.tokenEndpoint()).rejects.toMatchObject({ reason: 'unreachable', message: expect.stringContaining('http://127.0.0.1:9/api: could not read plugin') });
});

test.each([
  ['not JSON', '{', /cannot be read as JSON/],
  ['an array', '[]', /must hold one JSON object/],
  ['an unknown kind', { ...RFC7592, kind: 'keycloak' }, /"kind" must be one of rfc7592, glewlwyd, got "keycloak"/],
  ['no issuer', { ...RFC7592, issuer: undefined }, /"issuer" must be a non-empty string/],
  ['a missing token file', { ...RFC7592, initialAccessTokenFile: 'nope' }, /ENOENT.*nope/],
  ['a glewlwyd file without a plugin', { ...GLEWLWYD, plugin: undefined }, /"plugin" must be a non-empty string/],
  ['a missing API key file', { ...GLEWLWYD, apiKeyFile: 'nope' }, /ENOENT.*nope/],
  ['a reconcile of 0', { ...RFC7592, reconcileSeconds: 0 }, /"reconcileSeconds" must be a whole number of seconds of at least 1, got 0/],
  ['an unknown drift mode', { ...RFC7592, drift: 'ignore' }, /"drift" must be "revert" or "report", got "ignore"/],
])('%s is refused, naming the field', (_name, content, message) => {
  expect(() => load(content)).toThrow(message);
});

test('the server refuses to start on a bad downstream file (exit 2), naming it, and writes nothing', () => {
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify({ ...RFC7592, drift: 'ignore' }));
  const data = join(dir, 'never-made');
  const bin = join(__dirname, '..', '..', 'bin', 'procurement-scopes.js');
  const run = spawnSync(process.execPath, [bin, 'server', '--port', '0', '--data', data, '--downstream', file], { encoding: 'utf8', env: testEnvironment() });
  expect(run.status).toBe(2);
  expect(run.stderr).toContain(`the downstream file ${file}: "drift" must be "revert" or "report", got "ignore"`);
  expect(existsSync(data)).toBe(false);
});
