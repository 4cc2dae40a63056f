/**
 * The team's own authorization server, for `npm start -- --downstream rfc7592`:
 * an unmodified node-oidc-provider (scripts/rfc7592-server.mjs) serving RFC
 * 7591/7592, knowing the scopes the stack defines. Its data, its initial
 * access token and its port live under `<workDir>/downstream`, so that a second
 * run reaches the same server at the same issuer and the control plane finds
 * the clients it created there.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExternalError } from '../model/errors';
import { findPackageRoot } from '../package-root';

export interface DemoDownstream {
  issuer: string;
  /** The `--downstream` file for the control plane. */
  file: string;
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

export async function startDemoDownstream(workDir: string, scopes: readonly string[]): Promise<DemoDownstream> {
  const dir = join(workDir, 'downstream');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tokenFile = join(dir, 'initial-access-token');
  if (!existsSync(tokenFile)) writeFileSync(tokenFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
  const portFile = join(dir, 'port');
  const port = existsSync(portFile) ? readFileSync(portFile, 'utf8').trim() : '0';
  const script = join(findPackageRoot() ?? process.cwd(), 'scripts', 'rfc7592-server.mjs');
  const log = createWriteStream(join(workDir, 'downstream.log'), { flags: 'a' });
  const child = spawn(process.execPath, [script, join(dir, 'data.json'), port, tokenFile, ...scopes], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.pipe(log);
  const issuer = await listening(child, port);
  writeFileSync(portFile, new URL(issuer).port);
  const file = join(dir, 'downstream.json');
  writeFileSync(file, JSON.stringify({ kind: 'rfc7592', issuer, initialAccessTokenFile: 'initial-access-token', reconcileSeconds: 5 }));
  return {
    issuer,
    file,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise(resolve => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      log.end();
    },
  };
}

function listening(child: ChildProcess, port: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new ExternalError(`the local rfc7592 downstream (node-oidc-provider) did not start: ${why}${port === '0' ? '' : ` (it reuses port ${port}: free it, or remove the port file under downstream/ in the work dir)`}`));
    };
    const timer = setTimeout(() => fail(`no 'listening on' line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once('exit', code => fail(`it exited with code ${code}; see downstream.log in the work dir`));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /^listening on (http:\/\/\S+)$/m.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve(match[1]);
    });
  });
}
