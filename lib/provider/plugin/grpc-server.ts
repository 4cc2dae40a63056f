/**
 * The gRPC side: the tfplugin6 Provider service and go-plugin's controller
 * (whose Shutdown must end the process, or Terraform waits 2 s per spawn),
 * over mutual TLS on a unix socket. GRPCStdio and GRPCBroker are not served:
 * Terraform copes with UNIMPLEMENTED for both.
 */
import * as grpc from '@grpc/grpc-js';
import { PROVIDER_RPCS } from '../protocol/definitions';
import { Message, MessageCodec, ProtocolMessages } from '../protocol/messages';
import { toProtocolDiagnostic, error } from '../framework/diagnostics';
import type { RpcHandlers } from '../provider-service';

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

export async function startPluginServer(options: PluginServerOptions): Promise<grpc.Server> {
  const messages = new ProtocolMessages();
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 256 * 1024 * 1024, 'grpc.max_send_message_length': 256 * 1024 * 1024 });

  const definition: Record<string, grpc.MethodDefinition<Message, Message>> = {};
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const rpc of PROVIDER_RPCS) {
    const request = messages.codec(`tfplugin6.${rpc}.Request`);
    const response = messages.codec(`tfplugin6.${rpc}.Response`);
    definition[rpc] = unary(`/tfplugin6.Provider/${rpc}`, request, response);
    implementation[rpc] = (call: grpc.ServerUnaryCall<Message, Message>, callback: grpc.sendUnaryData<Message>) => {
      options.handlers[rpc](call.request).then(
        answer => callback(null, answer),
        // A bug in the provider is still told to the user as a diagnostic, with what was being done.
        (failure: Error) => {
          options.log(`${rpc} failed: ${failure.stack ?? failure.message}`);
          callback(null, rpc === 'StopProvider' ? { Error: failure.message } : { diagnostics: [toProtocolDiagnostic(error('Provider error', `${rpc}: ${failure.message}`))] });
        },
      );
    };
  }
  server.addService(definition, implementation);

  const empty = messages.codec('plugin.Empty');
  server.addService(
    { Shutdown: unary('/plugin.GRPCController/Shutdown', empty, empty) },
    {
      Shutdown: (_call: grpc.ServerUnaryCall<Message, Message>, callback: grpc.sendUnaryData<Message>) => {
        callback(null, {});
        setImmediate(options.onShutdown);
      },
    },
  );

  const credentials = grpc.ServerCredentials.createSsl(
    Buffer.from(options.clientCertificatePem),
    [{ cert_chain: Buffer.from(options.certificatePem), private_key: Buffer.from(options.privateKeyPem) }],
    true,
  );
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${options.socketPath}`, credentials, failure => (failure ? reject(failure) : resolve())),
  );
  return server;
}

function unary(path: string, request: MessageCodec, response: MessageCodec): grpc.MethodDefinition<Message, Message> {
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: request.encode,
    requestDeserialize: request.decode,
    responseSerialize: response.encode,
    responseDeserialize: response.decode,
  };
}
