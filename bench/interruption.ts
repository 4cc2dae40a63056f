/**
 * A benchmark stopped by a signal (Ctrl-C, a CI runner's SIGTERM) leaves nothing behind. Node's default for SIGINT
 * and SIGTERM ends this process at once, running no `finally` block and no 'exit' handler: its servers, PostgreSQL,
 * terraform and the provider processes would run on, re-parented, and its temporary directories would stay.
 *
 * So the run keeps its temporary files in a root of its own (TMPDIR, which its children inherit), removed when the
 * process exits, and on the first SIGINT or SIGTERM every process below this one, found through /proc
 * (process-tree.ts) at the time and again until none is left, gets SIGTERM: terraform stops its operations and
 * answers its providers' StopProvider, the servers close. Whatever still runs after a grace gets SIGKILL. Then the
 * process exits as the signal would have ended it (128 + its number). A second signal meanwhile changes nothing:
 * the clean-up is under way, and bounded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { descendantsOf, isRunning, ProcessIdentity } from './process-tree';

/** How long the processes get to end on SIGTERM before SIGKILL (an apply stops at its next resource). */
const GRACE_MS = 15_000;
const POLL_MS = 50;

let stopping = false;

/** Whether a signal is being handled: a step's failure is then its doing, not worth a report. */
export function interrupted(): boolean {
  return stopping;
}

/** Gives this process a temporary root of its own and stops everything it started on SIGINT and SIGTERM. */
export function cleanUpOnSignals(log: (line: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'procurement-bench-run-'));
  process.env.TMPDIR = root;
  process.on('exit', () => rmSync(root, { recursive: true, force: true }));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log(`\n${signal}: stopping the processes the benchmark started`);
      stopDescendants()
        .then(stopped => log(`stopped ${stopped.length} processes (${stopped.map(p => p.pid).join(', ') || 'none'})`))
        .catch(error => console.error(error))
        .finally(() => process.exit(128 + constants.signals[signal]));
    });
  }
}

/** Signals every process below this one until none runs: SIGTERM, SIGKILL after the grace; answers those it signalled. */
async function stopDescendants(): Promise<ProcessIdentity[]> {
  const deadline = Date.now() + GRACE_MS;
  // Keyed by pid and start: one that ends is not mistaken for a new process on its pid.
  const signalled = new Map<string, { process: ProcessIdentity; signal: NodeJS.Signals }>();
  for (;;) {
    // Those signalled before count until they end: once their parent is gone they are no longer below this process.
    const running = [...[...signalled.values()].map(s => s.process), ...descendantsOf(process.pid)].filter(isRunning);
    if (running.length === 0) return [...signalled.values()].map(s => s.process);
    if (Date.now() > deadline + GRACE_MS) throw new Error(`processes ${running.map(p => p.pid).join(', ')} outlived SIGKILL`);
    const signal = Date.now() < deadline ? 'SIGTERM' : 'SIGKILL';
    for (const target of running) {
      const key = `${target.pid}@${target.start}`;
      if (signalled.get(key)?.signal === signal) continue;
      signalled.set(key, { process: target, signal });
      try {
        process.kill(target.pid, signal);
      } catch {
        // It ended since we looked: nothing left to stop.
      }
    }
    await new Promise(resolve => setTimeout(resolve, POLL_MS));
  }
}
