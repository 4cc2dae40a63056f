/**
 * jest globalTeardown: runs once after every test file, failed or not.
 *
 * It fails the run when a test left a process running (found by this run's
 * TMPDIR in its environment, killed by its PID) or changed a file of the
 * repository, and removes the run's temporary root: after it, the system
 * temporary directory holds nothing this run created.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { fingerprintRepository, getTestRun, repositoryChanges } from './test-run';

/** Processes exit a little after their parent's test ends (a SIGTERM'd server, terraform's provider): wait this long. */
const SETTLE_MS = 10_000;

export default async function globalTeardown(): Promise<void> {
  const run = getTestRun();
  const problems: string[] = [];

  const survivors = await processesStartedBy(run.root, SETTLE_MS);
  for (const { pid, command } of survivors) {
    problems.push(`a test left process ${pid} running (${command.slice(0, 200)}); killed it`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // It exited on its own in the meantime: nothing left to end.
    }
  }

  // A file edited by hand while the tests ran shows here too: the message says what changed, the reader knows who.
  for (const change of repositoryChanges(run.repository, fingerprintRepository())) problems.push(`during the run, something ${change} in the repository`);

  rmSync(run.root, { recursive: true, force: true, maxRetries: 3 });

  if (problems.length > 0) throw new Error(`the tests did not leave the machine as they found it:\n- ${problems.join('\n- ')}`);
}

interface OwnProcess {
  pid: number;
  command: string;
}

/** Processes whose environment holds this run's TMPDIR (or one in it), except jest's own workers; waits up to `settleMs` for them to go. */
async function processesStartedBy(root: string, settleMs: number): Promise<OwnProcess[]> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const found = scan(root);
    if (found.length === 0 || Date.now() > deadline) return found;
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

function scan(root: string): OwnProcess[] {
  // Without /proc (not Linux) there is no way to read another process's environment: nothing to report.
  if (!existsSync('/proc/self/environ')) return [];
  // TMPDIR the root itself or a folder in it (the benchmark gives the processes it starts one of its own).
  const markers = [`\0TMPDIR=${root}\0`, `\0TMPDIR=${root}/`];
  const found: OwnProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const environ = `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`;
      if (!markers.some(marker => environ.includes(marker))) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      // jest's own workers carry the same TMPDIR; they are jest's to end.
      if (command.includes('jest-worker')) continue;
      found.push({ pid, command });
    } catch {
      // Gone while we looked, or another user's process: neither is ours to report.
    }
  }
  return found;
}
