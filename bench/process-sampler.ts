/**
 * Watches the processes a Terraform command starts, through /proc (Linux):
 * how many provider processes it spawned, their peak memory (VmHWM, the
 * kernel's own high-water mark of resident memory) and their CPU time.
 *
 * Only this process's children (terraform, and a reattached provider serving
 * the whole command) and terraform's children (providers,
 * `node .../procurement-provider.js`) are looked at, so other Terraform runs
 * on the machine never count. Children are found as process-tree.ts finds
 * them, cheap enough to poll every 50 ms without disturbing what is being
 * measured.
 *
 * CPU of the whole command (terraform and every provider it waited for) is
 * exact: the delta of this process's cutime+cstime. Provider CPU is the last
 * value seen before each provider exited, so it may miss up to one sampling
 * interval per spawn (a lower bound, and labelled as such).
 */
import { childrenOf, readProc, statFields } from './process-tree';

const INTERVAL_MS = 50;
const TICKS_PER_SECOND = 100; // USER_HZ on Linux: fixed at 100 for the /proc ABI.
const PROVIDER_MARK = 'procurement-provider.js';

export interface ProcessFigures {
  /** Provider processes that served the command: Terraform's launches, or the one reattached process. */
  providerSpawns: number;
  /** Largest VmHWM of any one provider process, in MiB. */
  providerPeakMiB: number;
  /** CPU seconds of the provider processes (lower bound, see the file comment). */
  providerCpuSeconds: number;
  /** CPU seconds of terraform plus every provider it, or the step, waited for (exact). */
  childrenCpuSeconds: number;
}

export class ProcessSampler {
  private readonly providers = new Map<number, { hwmKiB: number; cpuTicks: number }>();
  private readonly timer: NodeJS.Timeout;
  private readonly childrenTicksAtStart = childrenCpuTicks();

  constructor() {
    this.timer = setInterval(() => this.sample(), INTERVAL_MS);
  }

  stop(): ProcessFigures {
    clearInterval(this.timer);
    this.sample();
    const seen = [...this.providers.values()];
    return {
      providerSpawns: seen.length,
      providerPeakMiB: Math.max(0, ...seen.map(p => p.hwmKiB)) / 1024,
      providerCpuSeconds: seen.reduce((sum, p) => sum + p.cpuTicks, 0) / TICKS_PER_SECOND,
      childrenCpuSeconds: (childrenCpuTicks() - this.childrenTicksAtStart) / TICKS_PER_SECOND,
    };
  }

  private sample(): void {
    for (const child of childrenOf(process.pid)) {
      for (const pid of [child, ...childrenOf(child)]) {
        const status = readProc(`/proc/${pid}/status`);
        if (!status || !readProc(`/proc/${pid}/cmdline`)?.includes(PROVIDER_MARK)) continue;
        const hwm = hwmKiBOf(status);
        const cpu = ownCpuTicks(pid);
        const known = this.providers.get(pid) ?? { hwmKiB: 0, cpuTicks: 0 };
        this.providers.set(pid, { hwmKiB: Math.max(known.hwmKiB, hwm), cpuTicks: Math.max(known.cpuTicks, cpu) });
      }
    }
  }
}

/** utime+stime and cutime+cstime of a process, in clock ticks (fields 14-17 of /proc/<pid>/stat). */
function statTimes(pid: number | 'self'): number[] {
  return statFields(pid)?.slice(11, 15).map(Number) ?? [0, 0, 0, 0];
}

function ownCpuTicks(pid: number): number {
  const [utime, stime] = statTimes(pid);
  return utime + stime;
}

function childrenCpuTicks(): number {
  const [, , cutime, cstime] = statTimes('self');
  return cutime + cstime;
}

function hwmKiBOf(status: string): number {
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
}

/** The largest resident memory a running process has had so far (VmHWM), in MiB. */
export function peakMiBOf(pid: number): number {
  return hwmKiBOf(readProc(`/proc/${pid}/status`) ?? '') / 1024;
}

/** CPU seconds a running process has used so far (for the server, which outlives a command). */
export function cpuSecondsOf(pid: number): number {
  return ownCpuTicks(pid) / TICKS_PER_SECOND;
}

/** CPU seconds of a process and its children, live and exited (a database server and its backends). */
export function treeCpuSecondsOf(pid: number): number {
  const [utime, stime, cutime, cstime] = statTimes(pid);
  const live = childrenOf(pid).reduce((sum, child) => sum + ownCpuTicks(child), 0);
  return (utime + stime + cutime + cstime + live) / TICKS_PER_SECOND;
}
