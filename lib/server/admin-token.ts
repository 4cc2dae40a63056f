/**
 * The server's configured admin token, which becomes the `bootstrap` admin
 * token (admin-tokens.ts): from the environment, or generated once and kept
 * in `<dataDir>/admin-token` (mode 0600) so that it survives restarts.
 * The token itself is never printed; only where it is.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AdminTokenSource {
  token: string;
  /** Where the token came from, for the start-up message. */
  origin: string;
}

export function loadOrCreateAdminToken(dataDir: string, fromEnv: string | null): AdminTokenSource {
  if (fromEnv !== null) return { token: fromEnv, origin: 'environment variable PROCUREMENT_ADMIN_TOKEN' };
  const file = join(dataDir, 'admin-token');
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (token) return { token, origin: file };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const token = randomBytes(32).toString('base64url');
  // 'wx' refuses to overwrite a token another process wrote meanwhile.
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, origin: `${file} (generated)` };
}
