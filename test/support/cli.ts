/**
 * `procurement-scopes <args>` as a user runs it: the built executable in a process of its own, with the test
 * environment (environment.ts) and `env` on top; its exit status and what it printed.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { testEnvironment } from './environment';

export const CLI = join(__dirname, '..', '..', 'bin', 'procurement-scopes.js');

export function runCli(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: testEnvironment(env), timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
