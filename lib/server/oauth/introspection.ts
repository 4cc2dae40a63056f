/**
 * RFC 7662 token introspection for our JWT access tokens. A token is active
 * while its signature and expiry hold, its client still exists with the
 * secret the token was obtained with (credential-generation.ts), and every scope it carries is still
 * effective for that client and the policy in force still lets the client
 * receive it (the token endpoint's gate, tokenScopes): deleting a client or
 * its grant, rotating its secret, or a policy change that now forbids a scope
 * (any rule of the gate: allow-list, high-risk window, ...) deactivates tokens already
 * issued. Inactive rather than answered without the forbidden scopes: RFC 7662
 * describes the token as issued, and a resource server that trusted a trimmed
 * `scope` would still accept the JWT's own `scope` claim when it verifies
 * locally; inactive is the answer every caller reads the same way.
 *
 * The caller authenticates as a registered client (client_secret_basic or
 * client_secret_post) or with any active admin token. A client learns about
 * its own tokens; only a resource server (a client with `introspection`)
 * and admins learn about every client's: for anyone else another client's
 * token is `active: false`, the answer an unknown token gets, so the caller
 * cannot tell the two apart.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { tokenScopes } from '../../policy';
import { AdminIdentity } from '../admin-tokens';
import { ServerError } from '../errors';
import { readBody, sendJson } from '../http';
import { ClientSecrets } from '../secrets';
import { SIGNING_ALG, SigningKeys, publicJwk } from '../signing-keys';
import { basicCredentials } from './basic-credentials';
import { credentialGeneration, GENERATION_CLAIM } from './credential-generation';
import { AUDIENCE } from './access-tokens';
import { parseScopeParameter } from './scope-policy';
import { TokenReads } from './token-reads';

const BODY_LIMIT_BYTES = 64 * 1024;

export interface IntrospectionOptions {
  issuer: string;
  /** The client, its secret's hash, its effective-scope input and the policy: the token endpoint's reads, once per request. */
  reads: TokenReads;
  /** Tokens verify against every published key: a retired key's tokens stay active until they expire. */
  signingKeys: SigningKeys;
  secrets: ClientSecrets;
  /** Checks an admin bearer token (any role may introspect). */
  authenticateAdmin: (token: string) => Promise<AdminIdentity | null>;
  now: () => Date;
}

export function introspectionEndpoint(options: IntrospectionOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') {
      throw new ServerError(405, 'invalid_request', 'introspection takes POST', { headers: { allow: 'POST' } });
    }
    const form = await readForm(req);
    const caller = await authenticateCaller(options, req, form);
    const token = form.get('token');
    if (!token) throw new ServerError(400, 'invalid_request', "missing required parameter 'token'");
    const answer = await introspect(options, req, token);
    sendJson(res, 200, mayRead(caller, answer) ? answer : { active: false });
  };
}

/** An admin, or a client: `allTokens` for a resource server (the client's `introspection` flag). */
type Caller = { admin: true } | { admin: false; clientId: string; allTokens: boolean };

function mayRead(caller: Caller, answer: { client_id?: unknown }): boolean {
  return caller.admin || caller.allTokens || answer.client_id === caller.clientId;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) {
    throw new ServerError(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
  }
  return new URLSearchParams((await readBody(req, BODY_LIMIT_BYTES)).toString('utf8'));
}

async function authenticateCaller({ reads, secrets, authenticateAdmin }: IntrospectionOptions, req: IncomingMessage, form: URLSearchParams): Promise<Caller> {
  const header = req.headers.authorization ?? '';
  const bearer = /^Bearer (\S+)$/i.exec(header);
  if (bearer && (await authenticateAdmin(bearer[1]))) return { admin: true };
  const basic = basicCredentials(header);
  const [id, secret] = basic ? [basic.clientId, basic.secret] : [form.get('client_id'), form.get('client_secret')];
  const facts = id ? await reads.client(req, id) : null;
  const hash = facts?.secretHash;
  if (!id || !secret || !hash || !(await secrets.verify(id, secret, hash))) {
    throw new ServerError(401, 'invalid_client', 'client authentication failed', {
      headers: { 'www-authenticate': 'Basic realm="procurement-scopes"' },
    });
  }
  return { admin: false, clientId: id, allTokens: facts.client.introspection === true };
}

async function introspect(
  { issuer, reads, signingKeys, now }: IntrospectionOptions,
  req: IncomingMessage,
  token: string,
): Promise<{ active: boolean; client_id?: string; [claim: string]: unknown }> {
  const { createLocalJWKSet, jwtVerify } = await import('jose');
  const key = createLocalJWKSet({ keys: signingKeys.inForce().published.map(publicJwk) });
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, { issuer, audience: AUDIENCE, algorithms: [SIGNING_ALG], currentDate: now() }));
  } catch {
    return { active: false };
  }
  const clientId = payload.client_id;
  const facts = typeof clientId === 'string' ? await reads.client(req, clientId) : null;
  if (typeof clientId !== 'string' || !facts) return { active: false };
  // A client with keys (private_key_jwt) has no secret and its tokens carry no generation; a token obtained with a
  // secret the client no longer has (rotated, or replaced by keys) is inactive.
  const { client, secretHash } = facts;
  if (payload[GENERATION_CLAIM] !== (secretHash ? credentialGeneration(secretHash) : undefined)) return { active: false };
  const scopes = parseScopeParameter(payload.scope as string | undefined);
  const input = { ...facts.input, client };
  const effective = new Set(tokenScopes(clientId, input, (await reads.current(req)).document, now()).scopes);
  if (!scopes.every(s => effective.has(s))) return { active: false };
  return {
    active: true,
    scope: scopes.join(' '),
    client_id: clientId,
    token_type: 'Bearer',
    exp: payload.exp,
    iat: payload.iat,
    iss: payload.iss,
    aud: payload.aud,
    sub: payload.sub,
    jti: payload.jti,
  };
}

