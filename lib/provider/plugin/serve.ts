/**
 * Runs the provider as Terraform's plugin in this process: handshake, TLS
 * identity, one session (plugin-session.ts) on a private unix socket, then the
 * one handshake line on stdout. `afterHandshake` is where the entry point
 * leaves a warm provider process behind for Terraform's next launches
 * (lib/provider/warm).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSourceModule, AnyResourceModule } from '../framework/resource-module';
import { checkLaunchedByTerraform } from './handshake';
import { openPluginSession } from './plugin-session';
import { watchProcessLifetime } from './process-lifetime';
import { createPluginIdentity } from './tls';
import { UnaryGrpcServer } from './unary-grpc-server';

export interface ServeOptions {
  resources: readonly AnyResourceModule[];
  dataSources: readonly DataSourceModule[];
  /** Called once the handshake is out: nothing it does delays Terraform. */
  afterHandshake?: () => void;
}

export async function serve(options: ServeOptions): Promise<void> {
  const launch = checkLaunchedByTerraform(process.env);
  if (typeof launch === 'string') {
    process.stderr.write(`${launch}\n`);
    process.exitCode = 1;
    return;
  }
  // stderr lands in Terraform's log (TF_LOG); nothing secret is ever written here.
  const log = (line: string) => process.stderr.write(`[procurement] ${line}\n`);
  let server: UnaryGrpcServer | null = null;
  // Before the server is up there is nothing in flight: leave at once.
  watchProcessLifetime({ drain: done => (server ? server.tryShutdown(() => done()) : done()), exit: () => process.exit(0), log });
  const socketDir = mkdtempSync(join(tmpdir(), 'tf-procurement-'));
  const session = await openPluginSession({
    resources: options.resources,
    dataSources: options.dataSources,
    env: process.env,
    cwd: process.cwd(),
    clientCertificatePem: launch.clientCertificatePem,
    identity: createPluginIdentity(),
    socketPath: join(socketDir, 'plugin.sock'),
    log,
    onShutdown: () => {
      server?.forceShutdown();
      rmSync(socketDir, { recursive: true, force: true });
      process.exit(0);
    },
  });
  server = session.server;
  process.on('exit', () => rmSync(socketDir, { recursive: true, force: true }));
  process.stdout.write(session.handshake);
  options.afterHandshake?.();
}
