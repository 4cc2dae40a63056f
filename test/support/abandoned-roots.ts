/**
 * A test run's temporary root records the jest process that owns it, so that
 * the next run can remove the roots of runs that ended without their
 * globalTeardown (Ctrl-C, a killed CI job): interrupted runs never pile up in
 * the system temp directory. A root whose owner still runs is left alone.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT_PREFIX = 'procurement-tests-';
const OWNER_FILE = 'owner.pid';

export function claimRoot(root: string, pid = process.pid): void {
  writeFileSync(join(root, OWNER_FILE), `${pid}\n`);
}

/** Removes the roots under `dir` whose owning process is gone; answers their paths. */
export function sweepAbandonedRoots(dir: string): string[] {
  const abandoned = readdirSync(dir)
    .filter(name => name.startsWith(ROOT_PREFIX))
    .map(name => join(dir, name))
    .filter(root => {
      const owner = ownerOf(root);
      return owner !== null && !isRunning(owner);
    });
  for (const root of abandoned) rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  return abandoned;
}

function ownerOf(root: string): number | null {
  try {
    const pid = Number(readFileSync(join(root, OWNER_FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null; // no owner file: a root being created right now, or not ours to judge
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}
