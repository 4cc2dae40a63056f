#!/usr/bin/env node
/**
 * `jose` as an independent relying party and OAuth client, for tests (jest
 * cannot load jose, which is ESM only; test/support/jose.ts spawns this).
 *
 *   node jose-tool.mjs verify <jwks_uri> <issuer> <audience>   tokens on stdin, one a line;
 *       prints [{ ok, kid, error }] in order: each token checked against the JWKS fetched now
 *   node jose-tool.mjs token <token_endpoint> <audience> <client_id> <private JWK file> [scope] [lifetime seconds]
 *       requests a client-credentials token with private_key_jwt (RFC 7523); prints { status, body }
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { SignJWT, createRemoteJWKSet, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';

const [command, ...args] = process.argv.slice(2);

if (command === 'verify') {
  const [jwksUri, issuer, audience] = args;
  const jwks = createRemoteJWKSet(new URL(jwksUri), { cacheMaxAge: 0, cooldownDuration: 0 });
  const tokens = readFileSync(0, 'utf8').split('\n').filter(Boolean);
  const results = [];
  for (const token of tokens) {
    const { kid } = decodeProtectedHeader(token);
    try {
      await jwtVerify(token, jwks, { issuer, audience, algorithms: ['ES256'] });
      results.push({ ok: true, kid, error: null });
    } catch (error) {
      results.push({ ok: false, kid, error: `${error.code ?? error.name}: ${error.message}` });
    }
  }
  process.stdout.write(JSON.stringify(results));
} else if (command === 'token') {
  const [tokenEndpoint, audience, clientId, keyFile, scope, lifetime = '60'] = args;
  const jwk = JSON.parse(readFileSync(keyFile, 'utf8'));
  const alg = jwk.alg ?? (jwk.kty === 'RSA' ? 'RS256' : 'ES256');
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg, kid: jwk.kid })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${lifetime}s`)
    .sign(await importJWK(jwk, alg));
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
  });
  if (scope) form.set('scope', scope);
  const response = await fetch(tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  process.stdout.write(JSON.stringify({ status: response.status, body: await response.json() }));
} else {
  process.stderr.write(`jose-tool: unknown command '${command}'\n`);
  process.exit(2);
}
