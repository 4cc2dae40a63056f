/**
 * The gRPC side: the tfplugin6 Provider service and go-plugin's controller
 * on a unix socket. Each connection gets handlers of its own (`newService`):
 * Terraform opens one connection per provider instance, and an instance's
 * configuration (ConfigureProvider) must not leak into another's when one
 * reattached process serves them all. GRPCStdio and GRPCBroker are not
 * served: Terraform copes with UNIMPLEMENTED for both.
 */
import { PROVIDER_RPCS } from '../protocol/definitions';
import { ProtocolMessages } from '../protocol/messages';
import { toProtocolDiagnostic, error } from '../framework/diagnostics';
import type { RpcHandlers } from '../provider-service';
import { MutualTls, UnaryGrpcServer, UnaryHandler } from './unary-grpc-server';

export interface PluginServerOptions {
  /** The handlers of one connection. */
  newService: () => RpcHandlers;
  socketPath: string;
  /** Mutual TLS with the Terraform that launched us; absent for a reattached process (see serve.ts). */
  tls?: MutualTls;
  /** GRPCController/Shutdown was called. */
  onShutdown: () => void;
  log: (line: string) => void;
  /** Calls to get ready for before Terraform's first call: every RPC's codecs are generated, then `prepare` runs. */
  prepare?: () => void;
}

const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

export async function startPluginServer(options: PluginServerOptions): Promise<UnaryGrpcServer> {
  const messages = new ProtocolMessages();
  const codecs = PROVIDER_RPCS.map(rpc => ({ rpc, request: messages.codec(`tfplugin6.${rpc}.Request`), response: messages.codec(`tfplugin6.${rpc}.Response`) }));
  const empty = messages.codec('plugin.Empty');
  const shutdown: UnaryHandler = async () => {
    setImmediate(options.onShutdown);
    return empty.encode({});
  };
  const methodsOf = () => {
    const handlers = options.newService();
    const methods = new Map<string, UnaryHandler>([['/plugin.GRPCController/Shutdown', shutdown]]);
    for (const { rpc, request, response } of codecs) {
      methods.set(`/tfplugin6.Provider/${rpc}`, async bytes => {
        const answer = await handlers[rpc](request.decode(bytes)).catch((failure: Error) => {
          // A bug in the provider is still told to the user as a diagnostic, with what was being done.
          options.log(`${rpc} failed: ${failure.stack ?? failure.message}`);
          return rpc === 'StopProvider' ? { Error: failure.message } : { diagnostics: [toProtocolDiagnostic(error('Provider error', `${rpc}: ${failure.message}`))] };
        });
        return response.encode(answer);
      });
    }
    return methods;
  };
  const server = new UnaryGrpcServer({ methodsOf, tls: options.tls, maxMessageBytes: MAX_MESSAGE_BYTES });
  await server.listen(options.socketPath);
  const { prepare } = options;
  if (prepare) {
    // After the caller has said where we listen: done while Terraform starts, before its first call reaches us.
    setImmediate(() => {
      for (const { request, response } of codecs) [request, response].forEach(codec => codec.prepare());
      prepare();
    });
  }
  return server;
}
