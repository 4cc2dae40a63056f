/**
 * better-sqlite3's native binary for projects a test installs from a
 * registry, as its own install script fetches it: prebuild-install asks a
 * binary host (here a loopback server, named by
 * npm_config_better_sqlite3_binary_host) for the release tarball of this
 * version, Node ABI and platform, and builds from source (minutes) when the
 * host has none. The tarball holds this repository's own build of the same
 * version, so an install takes seconds and runs the same code.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { join } from 'node:path';
import { PROJECT_ROOT } from './temporary-project';

export interface PrebuiltHost {
  /** Environment for npm: where better-sqlite3's install script looks for its binary. */
  readonly env: Record<string, string>;
  /** The paths asked for, served or not (a test can tell that the install used it). */
  readonly requests: string[];
  stop(): Promise<void>;
}

export async function startPrebuiltHost(workDir: string): Promise<PrebuiltHost> {
  const moduleDir = join(PROJECT_ROOT, 'node_modules/better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(moduleDir, 'package.json'), 'utf8')) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const tarball = join(workDir, name);
  execFileSync('tar', ['-czf', tarball, '-C', moduleDir, 'build/Release/better_sqlite3.node']);
  const body = readFileSync(tarball);
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? '');
    if (request.url === `/v${version}/${name}`) response.writeHead(200, { 'content-type': 'application/gzip' }).end(body);
    else response.writeHead(404).end();
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    env: { npm_config_better_sqlite3_binary_host: `http://127.0.0.1:${port}` },
    requests,
    stop: () => new Promise(resolve => server.close(() => resolve())),
  };
}
