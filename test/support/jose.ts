/** `jose` as an independent relying party and client, run in its own node process (test/support/jose-tool.mjs). */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const TOOL = join(__dirname, 'jose-tool.mjs');

async function run(args: string[], input = ''): Promise<string> {
  const child = promisify(execFile)(process.execPath, [TOOL, ...args], { timeout: 30_000 });
  child.child.stdin!.end(input);
  return (await child).stdout;
}

export interface JoseVerification {
  ok: boolean;
  kid: string;
  error: string | null;
}

/** Verifies each JWT against the JWKS fetched from `jwksUri` now, as a relying party would. */
export async function verifyWithJose(jwksUri: string, issuer: string, audience: string, tokens: string[]): Promise<JoseVerification[]> {
  return JSON.parse(await run(['verify', jwksUri, issuer, audience], tokens.join('\n'))) as JoseVerification[];
}

/** A client-credentials token request authenticated with private_key_jwt, the assertion signed by jose (the whole scope string; '' for none). */
export async function privateKeyJwtToken(
  tokenEndpoint: string,
  audience: string,
  clientId: string,
  privateJwkFile: string,
  scope = '',
  lifetimeSeconds = 60,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return JSON.parse(await run(['token', tokenEndpoint, audience, clientId, privateJwkFile, scope, String(lifetimeSeconds)])) as {
    status: number;
    body: Record<string, unknown>;
  };
}
