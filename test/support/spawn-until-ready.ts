/**
 * Starts a server process a test needs (the embedded server, a downstream)
 * and answers once it says it is ready: the first match of `ready` in its
 * standard output. It fails, with everything the process printed, when the
 * process cannot be spawned, exits first, or prints no such line within
 * `timeoutMs`; the process is then killed. Every process started here is
 * killed when the test process exits, so a test that fails before stopping
 * its servers leaves none behind.
 */
import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';

export interface SpawnUntilReady<T> {
  /** Said in a failure: `<what> did not start (...)`. */
  what: string;
  command: string;
  args: string[];
  options: Omit<SpawnOptions, 'stdio'>;
  /** Its standard input: a pipe for a process the test talks to. @default 'ignore' */
  stdin?: 'pipe' | 'ignore';
  /** Matched against the whole standard output so far. */
  ready: RegExp;
  timeoutMs: number;
  /** What the caller needs from the ready line; may throw, which fails the start with the process's output. */
  onReady?: (match: RegExpExecArray) => T;
}

export interface ReadyProcess<T> {
  child: ChildProcess;
  match: RegExpExecArray;
  /** What `onReady` answered. */
  value: T;
  stdout: string[];
  stderr: string[];
  /** Both streams, in the order the chunks came. */
  output: string[];
}

const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach(child => child.kill('SIGKILL')));

export function spawnUntilReady<T = undefined>(spec: SpawnUntilReady<T>): Promise<ReadyProcess<T>> {
  const child = spawn(spec.command, spec.args, { ...spec.options, stdio: [spec.stdin ?? 'ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const stdout: string[] = [];
  const stderr: string[] = [];
  const output: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr.push(chunk);
    output.push(chunk);
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${spec.what} did not start (${why}); stdout:\n${stdout.join('')}\nstderr:\n${stderr.join('')}`));
    };
    const timer = setTimeout(() => fail(`no line matching ${spec.ready} within ${spec.timeoutMs} ms`), spec.timeoutMs);
    child.once('error', error => fail(`could not be spawned: ${error.message}`));
    child.once('exit', (code, signal) => fail(`exited with ${signal ?? `code ${code}`}`));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout.push(chunk);
      output.push(chunk);
      const match = settled ? null : spec.ready.exec(stdout.join(''));
      if (!match) return;
      // Anything that throws here would leave the promise unsettled and the test hanging: fail with the output instead.
      let value: T;
      try {
        value = spec.onReady ? spec.onReady(match) : (undefined as T);
      } catch (error) {
        return fail(`ready, but ${(error as Error).message}`);
      }
      settled = true;
      clearTimeout(timer);
      resolve({ child, match, value, stdout, stderr, output });
    });
  });
}

/** Sends `signal` and waits for the process to exit; at once when it already has. */
export async function signalAndWait(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>(done => child.once('exit', () => done()));
  child.kill(signal);
  await exited;
}
