/**
 * When the provider process ends, besides Terraform's own GRPCController/Shutdown:
 *
 * - SIGINT is ignored: Ctrl-C reaches the whole process group, and Terraform
 *   answers it by calling StopProvider and letting in-flight calls finish.
 * - SIGTERM (a supervisor, a CI runner being cancelled) stops taking new calls
 *   and exits once the calls in flight have answered: a write under way is
 *   never cut off between the server's commit and Terraform's state.
 * - When Terraform itself is gone (killed with SIGKILL, crashed), nobody will
 *   call Shutdown: the process notices that its parent changed (it was
 *   re-parented to init or a subreaper) and leaves the same way. Polling the
 *   parent pid is the portable signal here: Terraform gives the plugin no pipe
 *   whose end we could watch, and Linux's PDEATHSIG is not reachable from Node.
 */
export interface LifetimeOptions {
  /** Stop accepting calls, let in-flight ones finish, then call `done`. */
  drain: (done: () => void) => void;
  exit: () => void;
  log: (line: string) => void;
  /** How often to look at the parent pid. @default 1000 */
  pollMs?: number;
  /** SIGTERM is the usual end (a reattached provider's starter sends it after the command): leave without a message. */
  quietOnSigterm?: boolean;
}

export function watchProcessLifetime(options: LifetimeOptions): void {
  let leaving = false;
  const leave = (why: string) => {
    if (leaving) return;
    leaving = true;
    if (!(why === 'SIGTERM' && options.quietOnSigterm)) options.log(`${why}: finishing the calls in flight, then exiting`);
    options.drain(options.exit);
  };
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => leave('SIGTERM'));
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) leave(`Terraform (pid ${parent}) is gone`);
  }, options.pollMs ?? 1000);
  timer.unref(); // never the reason the process stays
}
