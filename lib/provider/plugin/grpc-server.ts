/**
 * The gRPC side: the tfplugin6 Provider service and go-plugin's controller
 * (whose Shutdown must end the process, or Terraform waits 2 s per spawn),
 * over mutual TLS on a unix socket. GRPCStdio and GRPCBroker are not served:
 * Terraform copes with UNIMPLEMENTED for both.
 */
import { PROVIDER_RPCS } from '../protocol/definitions';
import { ProtocolMessages } from '../protocol/messages';
import { toProtocolDiagnostic, error } from '../framework/diagnostics';
import type { RpcHandlers } from '../provider-service';
import { UnaryGrpcServer, UnaryHandler } from './unary-grpc-server';

export interface PluginServerOptions {
  handlers: RpcHandlers;
  socketPath: string;
  certificatePem: string;
  privateKeyPem: string;
  /** Only a client presenting this certificate is served. */
  clientCertificatePem: string;
  onShutdown: () => void;
  log: (line: string) => void;
}

const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

export async function startPluginServer(options: PluginServerOptions): Promise<UnaryGrpcServer> {
  const messages = new ProtocolMessages();
  const methods = new Map<string, UnaryHandler>();
  for (const rpc of PROVIDER_RPCS) {
    const request = messages.codec(`tfplugin6.${rpc}.Request`);
    const response = messages.codec(`tfplugin6.${rpc}.Response`);
    methods.set(`/tfplugin6.Provider/${rpc}`, async bytes => {
      const answer = await options.handlers[rpc](request.decode(bytes)).catch((failure: Error) => {
        // A bug in the provider is still told to the user as a diagnostic, with what was being done.
        options.log(`${rpc} failed: ${failure.stack ?? failure.message}`);
        return rpc === 'StopProvider' ? { Error: failure.message } : { diagnostics: [toProtocolDiagnostic(error('Provider error', `${rpc}: ${failure.message}`))] };
      });
      return response.encode(answer);
    });
  }
  const empty = messages.codec('plugin.Empty');
  methods.set('/plugin.GRPCController/Shutdown', async () => {
    setImmediate(options.onShutdown);
    return empty.encode({});
  });

  const server = new UnaryGrpcServer({
    methods,
    certificatePem: options.certificatePem,
    privateKeyPem: options.privateKeyPem,
    clientCertificatePem: options.clientCertificatePem,
    maxMessageBytes: MAX_MESSAGE_BYTES,
  });
  await server.listen(options.socketPath);
  return server;
}
