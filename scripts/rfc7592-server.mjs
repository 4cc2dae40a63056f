#!/usr/bin/env node
/**
 * An unmodified node-oidc-provider serving RFC 7591 registration and RFC 7592
 * registration management, as a team's own authorization server would: the
 * `rfc7592` downstream of the tests and of `npm start -- --downstream rfc7592`
 * (see docs/downstreams.md). Plain
 * JavaScript run by node (oidc-provider is ESM only); configured as
 * DOWNSTREAMS.md measured: clientCredentials, registration behind an initial
 * access token, registrationManagement without rotating the registration
 * access token, JWT access tokens through resourceIndicators.
 *
 * Usage: node rfc7592-server.mjs <dataFile> <port (0: a free one)> <initialAccessTokenFile> <scope> [<scope>...]
 * Prints `listening on <issuer>` once it serves. Everything it stores
 * (clients, registration access tokens, its signing key) is kept in
 * <dataFile>, written whole at every change, so a restart on the same file
 * loses nothing; SIGTERM stops it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const [dataFile, portArg, tokenFile, ...scopes] = process.argv.slice(2);
if (!dataFile || !portArg || !tokenFile || scopes.length === 0) {
  process.stderr.write('usage: node rfc7592-server.mjs <dataFile> <port> <initialAccessTokenFile> <scope> [<scope>...]\n');
  process.exit(2);
}
const audience = 'https://api.procurement.example';

const data = existsSync(dataFile) ? JSON.parse(readFileSync(dataFile, 'utf8')) : { key: null, models: {} };
data.key ??= { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid: 'downstream-1', alg: 'ES256', use: 'sig' };
const save = () => {
  writeFileSync(`${dataFile}.tmp`, JSON.stringify(data));
  renameSync(`${dataFile}.tmp`, dataFile);
};
save();

/** oidc-provider's adapter contract, kept in the data file; entries past their expiry are not found. */
class FileAdapter {
  constructor(name) {
    this.name = name;
    data.models[name] ??= {};
  }
  get entries() {
    return data.models[this.name];
  }
  async upsert(id, payload, expiresIn) {
    this.entries[id] = { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null };
    save();
  }
  async find(id) {
    const entry = this.entries[id];
    if (!entry || (entry.expiresAt !== null && entry.expiresAt <= Date.now())) return undefined;
    return entry.payload;
  }
  async findByUserCode() {
    return undefined;
  }
  async findByUid() {
    return undefined;
  }
  async consume(id) {
    if (this.entries[id]) {
      this.entries[id].payload.consumed = Math.floor(Date.now() / 1000);
      save();
    }
  }
  async destroy(id) {
    delete this.entries[id];
    save();
  }
  async revokeByGrantId(grantId) {
    for (const [id, entry] of Object.entries(this.entries)) if (entry.payload.grantId === grantId) delete this.entries[id];
    save();
  }
}

// The issuer names the port: listen first (port 0 picks a free one), then build the provider for it.
const server = createServer();
await new Promise(resolve => server.listen(Number(portArg), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  adapter: FileAdapter,
  jwks: { keys: [data.key] },
  scopes,
  clientDefaults: { grant_types: ['client_credentials'], response_types: [], id_token_signed_response_alg: 'ES256' },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    registration: { enabled: true, initialAccessToken: readFileSync(tokenFile, 'utf8').trim() },
    registrationManagement: { enabled: true, rotateRegistrationAccessToken: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope: scopes.join(' '), accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }),
    },
  },
});
provider.on('server_error', (_ctx, error) => process.stderr.write(`server_error: ${error.stack}\n`));

server.on('request', provider.callback());
process.stdout.write(`listening on ${issuer}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
