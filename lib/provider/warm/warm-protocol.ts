import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What the launch script (install-provider.ts) and the warm provider process
 * (warm-provider.ts) agree on, kept apart so that installing the provider
 * loads none of the provider.
 */

/** The line that tells the launch script its session is over. */
export const END_OF_SESSION = 'end of session';
/** The answer that tells the launch script to run the provider in its own process. */
export const IN_PROCESS = 'in-process';
/** The log line of a launch a warm process served, followed by its pid. */
export const SERVED_BY_WARM_PROCESS = 'served by the warm provider process';
export const DEFAULT_WARM_SECONDS = 120;
/** Longest a warm process may wait for the next launch. */
export const MAX_WARM_SECONDS = 3600;

/**
 * Seconds a warm process waits for the next launch, from PROCUREMENT_PROVIDER_WARM_SECONDS (0: no warm process),
 * or the reason the value is unusable.
 */
export function warmSeconds(text: string | undefined): number | string {
  if (text === undefined || text === '') return DEFAULT_WARM_SECONDS;
  const seconds = Number(text);
  if (!/^\d+$/.test(text) || seconds > MAX_WARM_SECONDS) {
    return `PROCUREMENT_PROVIDER_WARM_SECONDS must be a whole number of seconds from 0 (no warm provider process) to ${MAX_WARM_SECONDS}, got '${text}'`;
  }
  return seconds;
}

/** The warm directory the launch script derives from its package directory (the same shell pipeline, so the names agree). */
export function warmDirectoryOf(packageDir: string, temporary = tmpdir()): string {
  const key = execFileSync('sh', ['-c', 'cd "$1" && pwd -P | cksum | cut -d " " -f 1', 'sh', packageDir], { encoding: 'utf8' }).trim();
  return join(temporary, `procurement-provider-${process.getuid!()}-${key}`);
}

export const warmFiles = (dir: string) => ({ pid: join(dir, 'pid'), requests: join(dir, 'requests') });

/** The pid of the warm process serving `dir`, if one is up. */
export function warmProcessOf(dir: string): number | null {
  try {
    const pid = Number(readFileSync(warmFiles(dir).pid, 'utf8'));
    return Number.isInteger(pid) && pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('\0--warm-daemon\0') ? pid : null;
  } catch {
    return null;
  }
}
