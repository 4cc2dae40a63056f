/**
 * One Terraform launch of the provider: a ProviderService with that launch's
 * environment and working directory, served over mutual TLS on its own unix
 * socket to the one client certificate Terraform passed, until Terraform calls
 * GRPCController/Shutdown. A provider process serves one session (serve.ts);
 * a warm provider process serves many in turn (lib/provider/warm).
 */
import { DataSourceModule, AnyResourceModule } from '../framework/resource-module';
import { ProviderService } from '../provider-service';
import { startPluginServer } from './grpc-server';
import { handshakeLine } from './handshake';
import { PluginIdentity } from './tls';
import { UnaryGrpcServer } from './unary-grpc-server';

export interface PluginSessionOptions {
  resources: readonly AnyResourceModule[];
  dataSources: readonly DataSourceModule[];
  /** The environment Terraform started the provider with. */
  env: NodeJS.ProcessEnv;
  /** The Terraform working directory. */
  cwd: string;
  /** PLUGIN_CLIENT_CERT: only the Terraform holding its key is served. */
  clientCertificatePem: string;
  identity: PluginIdentity;
  socketPath: string;
  log: (line: string) => void;
  /** Terraform called GRPCController/Shutdown. */
  onShutdown: () => void;
}

export interface PluginSession {
  server: UnaryGrpcServer;
  /** The line Terraform reads on the provider's stdout. */
  handshake: string;
}

export async function openPluginSession(options: PluginSessionOptions): Promise<PluginSession> {
  const { resources, dataSources, env, cwd, log, identity } = options;
  const service = new ProviderService({ resources, dataSources, env, log, cwd });
  const server = await startPluginServer({
    handlers: service.handlers,
    socketPath: options.socketPath,
    certificatePem: identity.certificatePem,
    privateKeyPem: identity.privateKeyPem,
    clientCertificatePem: options.clientCertificatePem,
    log,
    onShutdown: options.onShutdown,
  });
  return { server, handshake: handshakeLine(options.socketPath, identity.certificateHandshake) };
}
