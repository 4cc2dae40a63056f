/**
 * Where the CLI finds the server and the client secrets, shared by `verify`
 * and `rotate-secret`: an option, else the environment variable the provider
 * reads too, else the default. Also words an unreachable server as an
 * external error with the next step.
 */
import { AdminApiError, ServerUnreachableError } from '../client/admin-client';
import { ExternalError, UsageError } from '../model/errors';
import { DEFAULT_URL } from '../provider/provider-config';

export function serverUrl(option: string | undefined): string {
  return option ?? (process.env.PROCUREMENT_URL || DEFAULT_URL);
}

/** The secrets dir from the option or PROCUREMENT_SECRETS_DIR; null when neither is set. */
export function secretsDirOf(option: string | undefined): string | null {
  return option ?? (process.env.PROCUREMENT_SECRETS_DIR || null);
}

export function requireSecretsDir(option: string | undefined): string {
  const dir = secretsDirOf(option);
  if (!dir) {
    throw new UsageError('no secrets dir: pass --secrets-dir <dir> or set PROCUREMENT_SECRETS_DIR (the dir the provider writes client secrets to)');
  }
  return dir;
}

/** Turns "cannot reach the server" into an external error (exit 3) that says how to fix it; rethrows anything else. */
export function asExternal(error: unknown): never {
  if (error instanceof ServerUnreachableError) {
    throw new ExternalError(`${error.message}; start it with 'npx procurement-scopes server' or point --url / PROCUREMENT_URL at it`);
  }
  throw error;
}

/**
 * Words a failed admin API call for the CLI: a refused token (401, 403) or a refusal of the request itself (4xx)
 * is the user's to fix (exit 2), anything else is external (exit 3). `action` says what was being done.
 */
export function asCliError(error: unknown, url: string, action: string): never {
  if (error instanceof AdminApiError && (error.status === 401 || error.status === 403)) {
    throw new UsageError(`cannot ${action}: the server at ${url} refused the admin token (${error.message})`);
  }
  if (error instanceof AdminApiError && error.status < 500) throw new UsageError(`cannot ${action}: ${error.message}`);
  if (error instanceof AdminApiError) throw new ExternalError(`cannot ${action}: the server at ${url} answered ${error.status} (${error.message})`);
  return asExternal(error);
}

/** The admin token: the contents of --admin-token-file, else PROCUREMENT_ADMIN_TOKEN. Never an option value (it would show in `ps`). */
export function adminTokenOf(file: string | undefined, readFile: (path: string) => string): string {
  if (file) {
    let token: string;
    try {
      token = readFile(file).trim();
    } catch (e) {
      throw new UsageError(`cannot read --admin-token-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (!token) throw new UsageError(`--admin-token-file ${file} is empty`);
    return token;
  }
  const token = process.env.PROCUREMENT_ADMIN_TOKEN;
  if (!token) {
    throw new UsageError('no admin token: set PROCUREMENT_ADMIN_TOKEN or pass --admin-token-file <file> (the embedded server writes one to <data>/admin-token)');
  }
  return token;
}
