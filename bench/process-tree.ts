/**
 * The processes below a process, read from /proc (Linux): children through
 * /proc/<pid>/task/<tid>/children, cheap enough to poll every 50 ms. Each one
 * found is known by its pid and its start time (field 22 of /proc/<pid>/stat),
 * so that a pid the kernel has handed to another process since is never taken
 * for it.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessIdentity {
  pid: number;
  /** Clock ticks after boot at which it started. */
  start: string;
}

export function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tasks.flatMap(tid => (readProc(`/proc/${pid}/task/${tid}/children`) ?? '').split(' ').filter(Boolean).map(Number));
}

/** Every process below `pid`, children first; those that ended while we looked are left out. */
export function descendantsOf(pid: number): ProcessIdentity[] {
  const found: ProcessIdentity[] = [];
  for (const child of childrenOf(pid)) {
    const start = stateAndStart(child)?.start;
    if (start !== undefined) found.push({ pid: child, start }, ...descendantsOf(child));
  }
  return found;
}

/** Whether it still runs: not gone, not a zombie (ended, waiting for its parent to reap it), not a new process on its pid. */
export function isRunning(process: ProcessIdentity): boolean {
  const now = stateAndStart(process.pid);
  return now !== null && now.state !== 'Z' && now.start === process.start;
}

/** The fields of /proc/<pid>/stat after the command name (field 2), which may hold spaces and parentheses. */
export function statFields(pid: number | 'self'): string[] | null {
  const stat = readProc(`/proc/${pid}/stat`);
  return stat === null ? null : stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function stateAndStart(pid: number): { state: string; start: string } | null {
  const fields = statFields(pid);
  // Field 3 (state) and field 22 (starttime), counted from 1 with the pid and the command name.
  return fields === null ? null : { state: fields[0], start: fields[19] };
}

export function readProc(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
