/**
 * Runs the provider in this process, in one of go-plugin's two ways:
 *
 * - launched (the default): Terraform started us for one phase. Handshake,
 *   TLS identity, a private unix socket, then the one handshake line on
 *   stdout; GRPCController/Shutdown ends the process.
 * - reattached (`--reattach`): whoever runs Terraform started us for a whole
 *   command (`procurement-scopes terraform`, lib/terraform/reattached-provider.ts)
 *   and tells Terraform where we are through TF_REATTACH_PROVIDERS. The one
 *   line on stdout is that variable's value, with `"Test": true`: go-plugin
 *   then neither calls Shutdown nor kills us after each phase (its reattach
 *   leaves the process's end to the process). Terraform gives a reattached
 *   provider no certificate, so the socket speaks plain HTTP/2 inside a
 *   directory only this user can enter (mkdtemp makes it 0700). It ends on
 *   SIGTERM from its starter, or when the starter is gone.
 *
 * Either way each of Terraform's connections (one per provider instance)
 * gets a ProviderService of its own, with the process's environment and
 * working directory, which Terraform, or the starter, gave it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSourceModule, AnyResourceModule } from '../framework/resource-module';
import { ValidationMemo } from '../framework/validation-memo';
import { ProviderService } from '../provider-service';
import { checkLaunchedByTerraform, handshakeLine, PLUGIN_PROTOCOL_VERSION, PROVIDER_HOSTNAME_SOURCE } from './handshake';
import { startPluginServer } from './grpc-server';
import { watchProcessLifetime } from './process-lifetime';
import { createPluginIdentity, PluginIdentity } from './tls';
import { UnaryGrpcServer } from './unary-grpc-server';

export interface ServeOptions {
  resources: readonly AnyResourceModule[];
  dataSources: readonly DataSourceModule[];
  /** Serve a whole command through TF_REATTACH_PROVIDERS instead of one launch. @default false */
  reattach?: boolean;
}

export async function serve(options: ServeOptions): Promise<void> {
  let identity: PluginIdentity | null = null;
  let clientCertificatePem = '';
  if (!options.reattach) {
    const launch = checkLaunchedByTerraform(process.env);
    if (typeof launch === 'string') {
      process.stderr.write(`${launch}\n`);
      process.exitCode = 1;
      return;
    }
    clientCertificatePem = launch.clientCertificatePem;
    identity = createPluginIdentity();
  }
  // stderr lands in Terraform's log (TF_LOG), or the starter's stderr when reattached; nothing secret is ever written here.
  const log = (line: string) => process.stderr.write(`[procurement] ${line}\n`);
  let server: UnaryGrpcServer | null = null;
  // Before the server is up there is nothing in flight: leave at once.
  watchProcessLifetime({ drain: done => (server ? server.tryShutdown(() => done()) : done()), exit: () => process.exit(0), log, quietOnSigterm: options.reattach });
  const socketDir = mkdtempSync(join(tmpdir(), 'tf-procurement-'));
  process.on('exit', () => rmSync(socketDir, { recursive: true, force: true }));
  const socketPath = join(socketDir, 'plugin.sock');
  const { resources, dataSources } = options;
  // Validation answers depend on the request alone: every connection of the process shares them.
  const validations = new ValidationMemo();
  server = await startPluginServer({
    newService: () => new ProviderService({ resources, dataSources, env: process.env, cwd: process.cwd(), log, validations }).handlers,
    socketPath,
    tls: identity ? { certificatePem: identity.certificatePem, privateKeyPem: identity.privateKeyPem, clientCertificatePem } : undefined,
    log,
    onShutdown: identity
      ? () => {
          server?.forceShutdown();
          process.exit(0);
        }
      : // Not called with "Test": true; were it called, the other instances of the command still need this process.
        () => log('GRPCController/Shutdown ignored: a reattached provider ends with the command that started it'),
    // Reattached, Terraform starts only once we have said where we listen: its start-up leaves time to load what a
    // plan uses. Launched, Terraform calls at once, and the phase may need none of it (the schema phase).
    prepare: options.reattach ? ProviderService.prepare : undefined,
  });
  process.stdout.write(identity ? handshakeLine(socketPath, identity.certificateHandshake) : `${reattachValue(socketPath)}\n`);
}

/** TF_REATTACH_PROVIDERS for this process (the JSON Terraform's reattach parser reads, terraform-exec's ReattachInfo). */
function reattachValue(socketPath: string): string {
  const config = { Protocol: 'grpc', ProtocolVersion: PLUGIN_PROTOCOL_VERSION, Pid: process.pid, Test: true, Addr: { Network: 'unix', String: socketPath } };
  return JSON.stringify({ [PROVIDER_HOSTNAME_SOURCE]: config });
}
