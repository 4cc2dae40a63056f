/**
 * The warm provider: one long-lived provider process that serves Terraform's
 * launches in turn, so that they skip Node's start and run JIT-compiled code.
 *
 * Why: Terraform starts a fresh provider per phase (3 for a plan), and a
 * fresh Node process runs everything cold: a no-change plan of 721 small
 * resources measured 1.9x Terraform's own cost with a process per launch and
 * 1.3x with a warm process (bench/small-objects.ts, issue #14).
 *
 * How (Linux; anywhere else, or with PROCUREMENT_PROVIDER_WARM_SECONDS=0,
 * every launch runs in its own process as before):
 * - The executable Terraform starts is a shell script (install-provider.ts).
 *   When a warm process is up in its private directory, the script makes a
 *   FIFO `reply.<its pid>`, writes its pid to the `requests` FIFO and relays:
 *   the handshake line to stdout, log lines to stderr, until the end line.
 *   Otherwise it runs the provider in its own process, which serves Terraform
 *   and then starts the warm process (`startWarmProvider`).
 * - The warm process reads the launch's environment, working directory and
 *   Terraform's client certificate from /proc/<pid> (the script's own, as
 *   Terraform made them), and serves it a session of its own
 *   (plugin-session.ts): a new ProviderService, a new socket, that
 *   certificate only.
 * - A launch the warm process cannot serve as its own process would (another
 *   NODE_OPTIONS or NODE_EXTRA_CA_CERTS, a provider bundle that changed since
 *   it started) is answered `in-process`: the script then runs the provider
 *   itself.
 * - It ends a session when Terraform calls Shutdown, when the script is gone
 *   or when Terraform is (the script's parent changed), and exits after
 *   `idleSeconds` without a session, or on SIGTERM.
 *
 * Safety: the directory is the user's own (0700, checked by both sides), so
 * only the user's processes can ask; each session still serves only the
 * client certificate of the Terraform that launched it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { DataSourceModule, AnyResourceModule } from '../framework/resource-module';
import { checkLaunchedByTerraform } from '../plugin/handshake';
import { openPluginSession } from '../plugin/plugin-session';
import { createPluginIdentity, PluginIdentity } from '../plugin/tls';
import { UnaryGrpcServer } from '../plugin/unary-grpc-server';
import { END_OF_SESSION, IN_PROCESS, SERVED_BY_WARM_PROCESS, warmFiles, warmProcessOf } from './warm-protocol';

/** The process-wide settings a session cannot have for itself: a launch whose settings differ runs in its own process. */
const PROCESS_WIDE = ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'] as const;
const WATCH_MS = 1000;

/** From a provider serving a launch itself: leaves a warm process for the next launches, unless one is up. */
export function startWarmProvider(dir: string, seconds: number, bundlePath: string, env: NodeJS.ProcessEnv): void {
  if (warmProcessOf(dir) !== null) return;
  // Only what the whole process needs: each session brings its own environment, secrets included.
  const processEnv: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', ...PROCESS_WIDE]) if (env[name] !== undefined) processEnv[name] = env[name];
  // Its own process group and no stdio of ours: Terraform neither waits for it nor signals it with the launch.
  // Its working directory is the root: no Terraform working directory stays busy because of it. A warm process
  // that fails to start costs nothing but speed, so the launch that started it never hears of it.
  const child = spawn(process.execPath, [bundlePath, '--warm-daemon', dir, String(seconds)], { cwd: '/', detached: true, stdio: 'ignore', env: processEnv });
  child.on('error', () => undefined);
  child.unref();
}

interface Session {
  pid: number;
  /** Terraform's pid: the script's parent when it asked. */
  parentPid: number;
  reply: number;
  server: UnaryGrpcServer | null;
  socketPath: string;
}

export interface WarmProviderOptions {
  dir: string;
  idleSeconds: number;
  resources: readonly AnyResourceModule[];
  dataSources: readonly DataSourceModule[];
  /** The provider bundle this process runs: a launch after it changed runs in its own process. */
  bundlePath: string;
}

/** The warm process itself: returns once it is serving, exits the process when its time is up. */
export function runWarmProvider(options: WarmProviderOptions): void {
  const { dir } = options;
  const files = warmFiles(dir);
  if (!ownPrivateDirectory(dir) || !claimPidFile(files.pid)) return;
  const bundle = fingerprint(options.bundlePath);
  const identity: PluginIdentity = createPluginIdentity();
  const sessions = new Map<number, Session>();
  let idle: NodeJS.Timeout | null = null;
  let leaving = false;
  /** The bundle changed: leave as soon as no session is open. */
  let stale = false;

  rmSync(files.requests, { force: true });
  execFileSync('mkfifo', ['-m', '600', files.requests]);
  // A writer of our own: the FIFO never reads as ended between two launches.
  const keepOpen = openSync(files.requests, constants.O_RDWR);
  const requests = new Socket({ fd: openSync(files.requests, constants.O_RDONLY | constants.O_NONBLOCK), readable: true, writable: false });
  let pending = '';
  requests.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString('latin1')).split('\n');
    pending = lines.pop()!.slice(0, 16); // a pid is short: anything longer is not a request
    for (const line of lines) if (/^[1-9]\d{0,9}$/.test(line)) void serve(Number(line));
  });

  /** Answers the launch script with this pid: a session of its own here, or `in-process`. */
  const serve = async (pid: number) => {
    const reply = openReply(join(dir, `reply.${pid}`));
    if (reply === null) return; // the script is gone
    const say = (line: string) => {
      try {
        writeSync(reply, `${line}\n`);
      } catch {
        // The script stopped reading: the watch below ends its session.
      }
    };
    const session = await openSession(pid, reply, say).catch(() => null);
    if (session) {
      // Terraform's log (TF_LOG) shows which launches a warm process served.
      say(`[procurement] ${SERVED_BY_WARM_PROCESS} ${process.pid}`);
      return;
    }
    // Its own process serves the launch as this one would have (and tells Terraform of any problem).
    say(IN_PROCESS);
    closeSync(reply);
    leaveWhenIdle();
  };

  /** A session for the launch, or null when it must run in its own process. */
  const openSession = async (pid: number, reply: number, say: (line: string) => void): Promise<Session | null> => {
    const launch = leaving ? null : launchOf(pid);
    const terraform = launch && checkLaunchedByTerraform(launch.env);
    if (!launch || !terraform || typeof terraform === 'string') return null;
    if (fingerprint(options.bundlePath) !== bundle) {
      stale = true; // a new build: leave for a warm process that runs it
      return null;
    }
    if (!PROCESS_WIDE.every(name => launch.env[name] === process.env[name])) return null;
    if (idle) clearTimeout(idle);
    idle = null;
    const session: Session = { pid, parentPid: launch.parentPid, reply, server: null, socketPath: join(dir, `session.${pid}.sock`) };
    sessions.set(pid, session);
    try {
      const opened = await openPluginSession({
        resources: options.resources,
        dataSources: options.dataSources,
        env: launch.env,
        cwd: launch.cwd,
        clientCertificatePem: terraform.clientCertificatePem,
        identity,
        socketPath: session.socketPath,
        log: line => say(`[procurement] ${line}`),
        onShutdown: () => end(session),
      });
      session.server = opened.server;
      say(opened.handshake.trimEnd());
      return session;
    } catch {
      sessions.delete(pid);
      rmSync(session.socketPath, { force: true });
      return null;
    }
  };

  const end = (session: Session, drain = false) => {
    if (!sessions.delete(session.pid)) return;
    const finish = () => {
      rmSync(session.socketPath, { force: true });
      try {
        writeSync(session.reply, `${END_OF_SESSION}\n`);
      } catch {
        // nobody is reading any more
      }
      closeSync(session.reply);
      leaveWhenIdle();
    };
    if (drain && session.server) session.server.tryShutdown(finish);
    else {
      session.server?.forceShutdown();
      finish();
    }
  };

  const leaveWhenIdle = () => {
    if (sessions.size > 0) return;
    if (idle) clearTimeout(idle);
    idle = setTimeout(leave, stale ? 0 : options.idleSeconds * 1000);
  };

  const leave = () => {
    if (leaving) return;
    leaving = true;
    // No new requests (the script looks for both files), then answer those already written.
    if (warmProcessOf(dir) === process.pid) rmSync(files.pid, { force: true });
    rmSync(files.requests, { force: true });
    setTimeout(() => {
      const closeUp = () => {
        if (sessions.size > 0) return void setTimeout(closeUp, WATCH_MS);
        requests.destroy();
        closeSync(keepOpen);
        rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      };
      closeUp();
    }, 100);
  };

  // A launch whose script or Terraform is gone will never call Shutdown: its calls in flight finish, then it ends.
  setInterval(() => {
    for (const session of sessions.values()) if (ownerOf(session.pid)?.parentPid !== session.parentPid) end(session, true);
  }, WATCH_MS);
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => {
    for (const session of [...sessions.values()]) end(session, true);
    leave();
  });
  leaveWhenIdle();
}

interface Launch {
  env: NodeJS.ProcessEnv;
  cwd: string;
  parentPid: number;
}

/** What Terraform gave the script with this pid: its environment, working directory and parent. */
function launchOf(pid: number): Launch | null {
  const owner = ownerOf(pid);
  if (owner?.uid !== process.getuid!()) return null;
  try {
    const env: NodeJS.ProcessEnv = {};
    for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const at = entry.indexOf('=');
      if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
    }
    return { env, cwd: readlinkSync(`/proc/${pid}/cwd`), parentPid: owner.parentPid };
  } catch {
    return null;
  }
}

/** Who runs the process (its real uid) and its parent's pid, from /proc/<pid>/status; null once it is gone. */
function ownerOf(pid: number): { uid: number; parentPid: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]), parentPid: Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) };
  } catch {
    return null;
  }
}

/** The directory exists (made here if not), is a directory and not a link, is ours and nobody else may enter it. */
function ownPrivateDirectory(dir: string): boolean {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return false;
  }
  const stats = lstatSync(dir);
  return stats.isDirectory() && stats.uid === process.getuid!() && (stats.mode & 0o077) === 0;
}

/** One warm process a directory: the pid file is created exclusively; a stale one (its process gone) is taken over once. */
function claimPidFile(file: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || warmProcessOf(join(file, '..')) !== null) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

/** Size and modification time of the bundle (a rebuild changes them), or null when it is gone. */
function fingerprint(file: string): string | null {
  try {
    const stats = statSync(file);
    return `${stats.size}:${stats.mtimeMs}`;
  } catch {
    return null;
  }
}

/** The script's reply FIFO, opened for writing (it holds it open, so this never blocks), unless it is not one of ours. */
function openReply(path: string): number | null {
  try {
    const stats = lstatSync(path);
    return stats.isFIFO() && stats.uid === process.getuid!() ? openSync(path, constants.O_WRONLY | constants.O_NONBLOCK) : null;
  } catch {
    return null;
  }
}
