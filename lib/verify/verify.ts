/**
 * `verify`: does the live server grant each client exactly what the code
 * declares? For every client it asks for a real token with the declared
 * effective scopes and compares the granted `scope`; then it probes each
 * scope the code defines but does not give the client, one request each,
 * which must be refused: a refusal (`invalid_scope`, or glewlwyd's
 * `scope_invalid`) or a token without it (a server that narrows silently).
 * This catches the silent false success of a plan and apply that passed but
 * never granted (or never revoked) a scope. Against a downstream that assigns
 * its own client ids (docs/downstreams.md), each client asks with the id kept
 * beside its secret.
 */
import { SecretStore } from '../client/secret-store';
import { effectiveScopes } from '../model/effective-scopes';
import { clientAuthentication } from '../model/types';
import { ClientKey } from './client-key';
import { Model } from '../review/terraform-resources';
import { TokenClient, TokenResult } from './token-client';

export interface VerifyOptions {
  model: Model;
  tokens: TokenClient;
  /** Where client secrets are kept; null when there is none (every client verified uses keys). */
  secrets: SecretStore | null;
  /** Private keys of private_key_jwt clients, by client id (`--client-key`). */
  clientKeys?: ReadonlyMap<string, ClientKey>;
  /** Only these clients. @default every client the model declares */
  clientIds?: readonly string[];
  /** The clock for grant expiries. @default now */
  now?: Date;
  /** Token requests in flight at once. @default 8 */
  concurrency?: number;
}

export type VerifyStatus = 'match' | 'mismatch' | 'no-secret';

export interface ClientVerification {
  clientId: string;
  status: VerifyStatus;
  /** The effective scopes the code declares. */
  declared: string[];
  /** What the server granted when asked for `declared`; null when it refused or was not asked. */
  granted: string[] | null;
  /** Error code of a refused request for `declared`, e.g. `invalid_scope`. */
  refusal: string | null;
  /** Scopes the code declares that the server refuses. */
  missing: string[];
  /** Scopes the server grants that the code does not declare. */
  extra: string[];
  /** How many undeclared scopes were probed and refused as they should be. */
  refusedAsExpected: number;
  /** Every discrepancy, in words naming the client and the scope. */
  problems: string[];
}

/** The refusals that mean "not this scope": the standard code, and glewlwyd's own for a request of only disallowed scopes. */
const SCOPE_REFUSALS = new Set(['invalid_scope', 'scope_invalid']);

export async function verifyClients(options: VerifyOptions): Promise<ClientVerification[]> {
  const now = options.now ?? new Date();
  const ids = options.clientIds ?? options.model.clients.map(c => c.clientId).sort();
  const limit = limiter(options.concurrency ?? 8);
  const results: ClientVerification[] = [];
  for (const clientId of ids) results.push(await verifyClient(clientId, options, now, limit));
  return results;
}

async function verifyClient(clientId: string, options: VerifyOptions, now: Date, limit: Limiter): Promise<ClientVerification> {
  const declared = effectiveScopes(clientId, options.model, now);
  const result: ClientVerification = {
    clientId, status: 'match', declared, granted: null, refusal: null, missing: [], extra: [], refusedAsExpected: 0, problems: [],
  };
  const credential = credentialOf(clientId, options);
  if (typeof credential === 'object' && 'missing' in credential) {
    result.status = 'no-secret';
    result.problems.push(credential.missing);
    return result;
  }
  const askAs = typeof credential === 'string' ? (options.secrets?.load(clientId)?.downstreamClientId ?? clientId) : clientId;
  const ask = (scopes: string[]) => limit(() => options.tokens.request(askAs, credential, scopes));

  if (declared.length > 0) {
    const answer = await ask(declared);
    if (answer.ok) {
      result.granted = answer.scopes;
      result.missing = declared.filter(s => !answer.scopes.includes(s));
      result.extra = answer.scopes.filter(s => !declared.includes(s));
    } else if (SCOPE_REFUSALS.has(answer.error)) {
      // Refused as a whole: ask scope by scope to name the ones the server does not grant.
      result.refusal = answer.error;
      const each = await Promise.all(declared.map(async s => ({ scope: s, answer: await ask([s]) })));
      result.missing = each.filter(e => !e.answer.ok).map(e => e.scope);
    } else {
      result.refusal = answer.error;
      result.problems.push(refusalProblem(clientId, answer));
    }
  }

  if (result.problems.length === 0) {
    const defined = options.model.scopes.map(s => s.name).filter(s => !declared.includes(s) && !result.extra.includes(s));
    const probes = await Promise.all(defined.map(async s => ({ scope: s, answer: await ask([s]) })));
    for (const { scope, answer } of probes) {
      if (answer.ok ? !answer.scopes.includes(scope) : SCOPE_REFUSALS.has(answer.error)) result.refusedAsExpected++;
      else if (answer.ok) result.extra.push(scope);
      else result.problems.push(`${refusalProblem(clientId, answer)} (probing ${scope})`);
    }
  }

  result.problems.unshift(
    ...result.missing.map(s => `client '${clientId}': scope ${s} is declared by the code but refused by the server`),
    ...result.extra.sort().map(s => `client '${clientId}': scope ${s} is granted by the server but not declared by the code`),
  );
  if (result.problems.length > 0) result.status = 'mismatch';
  return result;
}

/** The client's secret, or for a client with keys (private_key_jwt) the private key the user supplied; else why neither is on hand. */
function credentialOf(clientId: string, options: VerifyOptions): string | ClientKey | { missing: string } {
  const client = options.model.clients.find(c => c.clientId === clientId);
  if (client && clientAuthentication(client) === 'private_key_jwt') {
    return (
      options.clientKeys?.get(clientId) ?? {
        missing:
          `client '${clientId}' authenticates with private_key_jwt and has no secret: to verify it, give its private key with ` +
          `'--client-key ${clientId}=<file>' (a private JWK or PEM; it is only used to sign the token requests)`,
      }
    );
  }
  const secret = options.secrets?.load(clientId);
  if (secret) return secret.clientSecret;
  const dir = options.secrets?.dir ?? '<dir>';
  return {
    missing:
      `no secret for client '${clientId}'${options.secrets ? ` in ${dir}` : ' (no secrets dir: pass --secrets-dir or set PROCUREMENT_SECRETS_DIR)'}: ` +
      `the provider writes it there when it creates the client (secrets_dir, or the stack's directory on its server under PROCUREMENT_SECRETS_DIR ` +
      `for terraform/cdktf), or issue a new one with 'npx procurement-scopes rotate-secret ${clientId} --secrets-dir ${dir}'`,
  };
}

function refusalProblem(clientId: string, answer: Extract<TokenResult, { ok: false }>): string {
  const detail = answer.description ? `: ${answer.description}` : '';
  if (answer.error === 'invalid_client') {
    return `client '${clientId}': the server rejects its credentials (invalid_client${detail}); the client is missing on the server, or the stored secret is stale (rotate it) or the key given is not one of the client's`;
  }
  return `client '${clientId}': the server refuses a token (${answer.error}${detail})`;
}

type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** Runs at most `max` tasks at once, the rest in order as slots free up. */
function limiter(max: number): Limiter {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async task => {
    // A finishing task hands its slot straight to the next waiter, so `running` never exceeds `max`.
    if (running < max) running++;
    else await new Promise<void>(resolve => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
