/**
 * Runs the provider as Terraform's plugin: handshake, TLS identity, gRPC
 * server on a private unix socket, then the one handshake line on stdout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSourceModule, AnyResourceModule } from '../framework/resource-module';
import { ProviderService } from '../provider-service';
import { startPluginServer } from './grpc-server';
import { checkLaunchedByTerraform, handshakeLine } from './handshake';
import { watchProcessLifetime } from './process-lifetime';
import { createPluginIdentity } from './tls';

export interface ServeOptions {
  resources: readonly AnyResourceModule[];
  dataSources: readonly DataSourceModule[];
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
  let server: Awaited<ReturnType<typeof startPluginServer>> | null = null;
  // Before the server is up there is nothing in flight: leave at once.
  watchProcessLifetime({ drain: done => (server ? server.tryShutdown(() => done()) : done()), exit: () => process.exit(0), log });
  const socketDir = mkdtempSync(join(tmpdir(), 'tf-procurement-'));
  const socketPath = join(socketDir, 'plugin.sock');
  const identity = createPluginIdentity();
  const service = new ProviderService({ ...options, env: process.env, log, cwd: process.cwd() });
  server = await startPluginServer({
    handlers: service.handlers,
    socketPath,
    certificatePem: identity.certificatePem,
    privateKeyPem: identity.privateKeyPem,
    clientCertificatePem: launch.clientCertificatePem,
    log,
    onShutdown: () => {
      server?.forceShutdown();
      rmSync(socketDir, { recursive: true, force: true });
      process.exit(0);
    },
  });
  process.on('exit', () => rmSync(socketDir, { recursive: true, force: true }));
  process.stdout.write(handshakeLine(socketPath, identity.certificateHandshake));
}
