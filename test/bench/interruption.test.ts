/**
 * `npm run bench` stopped by SIGTERM (a CI runner cancelled, a `kill`) leaves nothing behind (bench/interruption.ts).
 * The large-stack section runs at a tiny scale in a process of its own; once it has said that its server listens
 * and terraform runs, it gets SIGTERM. Every process seen below it meanwhile (its server, terraform, the provider)
 * must be gone by the time it has exited, with the exit status of SIGTERM, and its temporary files with them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { descendantsOf, isRunning, ProcessIdentity } from '../../bench/process-tree';
import { testEnvironment } from '../support/environment';
import { waitFor } from '../support/wait-for';

const RUN = join(__dirname, '..', '..', 'dist', 'bench', 'run.js');

type Seen = ProcessIdentity & { command: string };

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

test('SIGTERM once its server listens and terraform runs: the bench stops them all, removes its files and exits 143', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-interrupted-'));
  const bench = spawn(process.execPath, [RUN, '--only', 'large', '--scale', '0.01'], { env: testEnvironment({ TMPDIR: dir }), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>(resolve => bench.once('exit', code => resolve(code)));
  let output = '';
  bench.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  bench.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const ended = () => (bench.exitCode === null && bench.signalCode === null ? null : `the bench ended (${bench.exitCode ?? bench.signalCode}):\n${output}`);

  // Every process ever seen below the bench, by pid and start time, until it has exited; its command as last read
  // (a child seen between its fork and its exec still shows its parent's).
  const seen = new Map<string, Seen>();
  const look = () => {
    for (const found of descendantsOf(bench.pid!)) {
      const key = `${found.pid}@${found.start}`;
      seen.set(key, { ...found, command: commandOf(found.pid) || (seen.get(key)?.command ?? '') });
    }
  };
  const watch = setInterval(look, 10);
  try {
    await waitFor(() => /server listening on http:\/\/\S+ \(pid \d+\)/.test(output), "the bench's line saying its server listens", 120_000, ended);
    const server = Number(/server listening on \S+ \(pid (\d+)\)/.exec(output)![1]);
    await waitFor(
      () => [...seen.values()].some(p => p.command.startsWith('terraform ') && isRunning(p)),
      'terraform running below the bench',
      120_000,
      ended,
    );
    look();
    const serverSeen = [...seen.values()].find(p => p.pid === server);
    expect(serverSeen?.command).toContain('procurement-scopes.js server');
    expect(isRunning(serverSeen!)).toBe(true);

    bench.kill('SIGTERM');
    expect(await exited).toBe(143);
    clearInterval(watch);
    expect(output).toContain('SIGTERM: stopping the processes the benchmark started');
    expect(output).toMatch(/stopped \d+ processes \(\d+/);
    expect([...seen.values()].filter(isRunning)).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  } finally {
    clearInterval(watch);
    // Should the bench have failed at its clean-up, the test still ends what it started, by pid.
    bench.kill('SIGKILL');
    await exited;
    for (const left of [...seen.values()].filter(isRunning)) {
      try {
        process.kill(left.pid, 'SIGKILL');
      } catch {
        // It ended since we looked.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);
