/**
 * A local npm registry for tests that install procurement-scopes by name:
 * verdaccio (a dev dependency) on a free loopback port, with a storage
 * directory of its own (removed by `stop()`). It serves what is published to
 * it and passes every other package through to the registry npm is set up
 * with here (tarballs already in npm's cache are taken from there by their
 * integrity). `npmEnv` points npm and npx at it, with a token of a user made
 * for the test, so that `npm publish` and `npm install` need no other set-up.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEnvironment } from './environment';
import { freePort } from './free-port';
import { PROJECT_ROOT } from './temporary-project';

const VERDACCIO = join(PROJECT_ROOT, 'node_modules/verdaccio/bin/verdaccio');
const START_TIMEOUT_MS = 60_000;

export interface LocalRegistry {
  readonly url: string;
  /** testEnvironment() plus npm's configuration for this registry (userconfig, registry, no audit or fund requests). */
  readonly npmEnv: NodeJS.ProcessEnv;
  /** `npm publish <tarball>` to this registry. */
  publish(tarball: string): void;
  stop(): Promise<void>;
}

export async function startLocalRegistry(): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'local-registry-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const upstream = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8', env: testEnvironment() }).trim();
  writeFileSync(
    join(dir, 'config.yaml'),
    [
      `storage: ${JSON.stringify(join(dir, 'storage'))}`,
      'auth:',
      '  htpasswd:',
      `    file: ${JSON.stringify(join(dir, 'htpasswd'))}`,
      'uplinks:',
      '  upstream:',
      `    url: ${JSON.stringify(upstream)}`,
      '    timeout: 60s',
      'packages:',
      "  'procurement-scopes':",
      '    access: $all',
      '    publish: $authenticated',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      '    proxy: upstream',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [VERDACCIO, '--config', join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`], {
    env: testEnvironment(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const stop = () => stopProcess(child).then(() => rmSync(dir, { recursive: true, force: true }));
  try {
    await waitUntilListening(url, child, output);
    // A user of its own (htpasswd): npm publish needs a token.
    const response = await fetch(`${url}-/user/org.couchdb.user:tester`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'tester', password: 'tester-password' }),
    });
    const { token } = (await response.json()) as { token?: string };
    if (!response.ok || !token) throw new Error(`verdaccio made no user (${response.status})`);
    const npmrc = join(dir, 'npmrc');
    writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\naudit=false\nfund=false\nupdate-notifier=false\n`);
    const npmEnv = testEnvironment({ npm_config_userconfig: npmrc, npm_config_registry: url });
    return {
      url,
      npmEnv,
      publish: tarball => execFileSync('npm', ['publish', tarball, '--ignore-scripts', '--registry', url], { env: npmEnv, stdio: 'pipe' }),
      stop,
    };
  } catch (e) {
    await stop();
    throw new Error(`the local registry did not start: ${(e as Error).message}\n${output.join('')}`);
  }
}

async function waitUntilListening(url: string, child: ChildProcess, output: string[]): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  const exited = new Promise<never>((_, reject) => child.once('exit', code => reject(new Error(`verdaccio exited (${code}): ${output.join('')}`))));
  exited.catch(() => {});
  while (Date.now() < deadline) {
    const ok = await Promise.race([
      fetch(`${url}-/ping`).then(
        r => r.ok,
        () => false,
      ),
      exited,
    ]);
    if (ok) return;
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  throw new Error(`verdaccio did not answer ${url}-/ping within ${START_TIMEOUT_MS} ms`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise(resolve => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
