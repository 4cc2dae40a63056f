/**
 * Where client secrets live under the shared root PROCUREMENT_SECRETS_DIR: `<root>/<stack>/<server>`, one directory
 * for each stack on each server. The stacks of one app declare the same client ids (dev and prod), and one stack
 * may be applied to several servers (a developer's and the team's), so neither alone keeps secrets apart. The
 * provider (stack: the name of its Terraform working directory, cdktf.out/stacks/<stack>), `verify` (the directory
 * of the configuration it reads), `rotate-secret` (--stack) and the main job all take their directory from here.
 * A directory given explicitly (`secrets_dir`, `--secrets-dir`) is one stack's on one server already, used as given.
 *
 * Earlier layouts are met on first use: `<root>/<stack>/*.json` (one directory per stack, whatever the server) is
 * moved into the directory of the first server the stack is used with afterwards, the only one it can belong to
 * while the stack has no server directory yet; otherwise, and for `<root>/*.json` (every stack in one directory),
 * which server and stack issued a file is not known, so it is left where it is and a note says what to do.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../model/errors';
import { SecretStore } from './secret-store';

/** Overrides the server's directory name, for a server whose URL changes between runs (the main job's, on a free port). */
export const SERVER_NAME_VARIABLE = 'PROCUREMENT_SERVER_NAME';

/** What a server's directory name may be: safe as a file name everywhere, readable. */
export const SERVER_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export interface SecretsLocation {
  /** PROCUREMENT_SECRETS_DIR. */
  root: string;
  stack: string;
  /** The base URL of the server that issues the secrets (the provider's `url`, PROCUREMENT_URL). */
  serverUrl: string;
  /** Instead of the name derived from serverUrl (PROCUREMENT_SERVER_NAME). */
  serverName?: string | null;
}

/**
 * A server's directory name, from its URL: `<host>_<port>` (the scheme's port when the URL has none), then the path
 * if there is one, lower case, anything but [a-z0-9._-] a dash (none first): `http://127.0.0.1:8787` is `127.0.0.1_8787`,
 * `https://auth.example.com/procurement` is `auth.example.com_443_procurement`. It follows the URL as written:
 * `localhost` and `127.0.0.1` are two names. A name over 100 characters keeps its first 91 and a hash of the rest.
 */
export function serverDirName(serverUrl: string): string {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw new UsageError(`'${serverUrl}' is not a server URL: give one such as http://127.0.0.1:8787`);
  }
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const path = url.pathname.replace(/^\/+|\/+$/g, '');
  const name = [url.hostname.replace(/^\[|\]$/g, ''), port, path].filter(Boolean).join('_').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '');
  if (name.length <= 100) return name;
  return `${name.slice(0, 91)}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

/** `<root>/<stack>/<server>`: the one place this layout is written. */
export function stackSecretsDir({ root, stack, serverUrl, serverName }: SecretsLocation): string {
  if (serverName && !SERVER_NAME_PATTERN.test(serverName)) {
    throw new UsageError(`${SERVER_NAME_VARIABLE} must be a name of [a-z0-9._-], at most 100 characters and starting with a letter or digit, got '${serverName}'`);
  }
  return join(root, stack, serverName || serverDirName(serverUrl));
}

/** The secret store of a stack on a server, after moving or explaining what an earlier layout left (`note`, one line each). */
export function openStackSecrets(location: SecretsLocation, note: (text: string) => void): SecretStore {
  const dir = stackSecretsDir(location);
  const stackDir = join(location.root, location.stack);
  const server = location.serverName ? `'${location.serverName}' (${location.serverUrl})` : location.serverUrl;
  const perStack = secretFiles(stackDir);
  if (perStack.length > 0) {
    const servers = subdirectories(stackDir);
    if (servers.length === 0) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const moved = perStack.filter(file => move(join(stackDir, file), join(dir, file)));
      if (moved.length > 0) note(
        `moved ${moved.length} client secret(s) (${idsOf(moved)}) from ${stackDir}, where an earlier version kept the stack's secrets whatever ` +
          `the server, into ${dir}: secrets are kept per stack and server now, and ${server} is the first server this stack is used with since`,
      );
    } else {
      note(
        `${perStack.length} client secret(s) in ${stackDir} (${idsOf(perStack)}) were written by an earlier version, which kept the stack's ` +
          `secrets there whatever the server; this stack has been used with ${servers.join(', ')} since, so which server issued them is not ` +
          `known and they were left there. Move each file into ${join(stackDir, '<server>')} of the server that issued it (this one's is ${dir}), ` +
          `or delete it and issue a new secret with \`procurement-scopes rotate-secret <client_id> --stack ${location.stack}\` against that server`,
      );
    }
  }
  const shared = secretFiles(location.root);
  if (shared.length > 0) {
    note(
      `${shared.length} client secret(s) in ${location.root} (${idsOf(shared)}) were written by an earlier version, which kept every stack's ` +
        `secrets there; they are kept per stack and server now (this one's: ${dir}). Move each file into ${join(location.root, '<stack>', '<server>')} ` +
        `of the stack and server that issued it, or delete it and issue a new secret with \`procurement-scopes rotate-secret <client_id> --stack <stack>\``,
    );
  }
  return new SecretStore(dir);
}

/** The secret files directly in `dir` (a SecretStore's `<client_id>.json`). */
function secretFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter(entry => entry.isFile() && /^[a-z0-9][a-z0-9._-]*\.json$/.test(entry.name))
    .map(entry => entry.name)
    .sort();
}

function subdirectories(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter(entry => entry.isDirectory())
    .map(entry => entry.name)
    .sort();
}

/** False when another process moved it first (two Terraform runs of the stack at once). */
function move(from: string, to: string): boolean {
  try {
    renameSync(from, to);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

function idsOf(files: string[]): string {
  return files.map(file => file.slice(0, -'.json'.length)).join(', ');
}
