/**
 * A gRPC server for unary calls only, on node:http2: what Terraform's plugin
 * client needs and nothing more. gRPC over HTTP/2 for a unary call is one
 * POST whose body is one length-prefixed message (1 byte "compressed", 4
 * bytes big-endian length, the protobuf bytes), answered with `:status 200`,
 * one length-prefixed message and the trailers `grpc-status` (and
 * `grpc-message`). A failure or an unknown method is a "trailers-only"
 * answer: the status in the one HEADERS frame.
 *
 * Hand-written for a measured reason: a no-change plan calls the provider
 * about four times per resource (thousands of calls), and grpc-js's per-call
 * machinery (interceptor chain, metadata objects, stream events, channelz
 * bookkeeping) was the largest part of the provider's CPU in profiles (about
 * 1.3 s of the 11 s a 720-resource plan process spent under the profiler).
 * Terraform never compresses, streams or sends metadata we need to read.
 */
import { constants, createSecureServer, createServer, Http2Server, Http2Session, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';

export type UnaryHandler = (request: Buffer) => Promise<Buffer>;
/** Handlers by full method path, e.g. `/tfplugin6.Provider/ReadResource`; any other path answers UNIMPLEMENTED. */
export type UnaryMethods = ReadonlyMap<string, UnaryHandler>;

export interface MutualTls {
  certificatePem: string;
  privateKeyPem: string;
  /** Only a client presenting this certificate is served. */
  clientCertificatePem: string;
}

export interface UnaryGrpcServerOptions {
  /** The methods of one connection, asked for when it opens: each connection (each provider instance Terraform makes) has its own. */
  methodsOf: () => UnaryMethods;
  /** Mutual TLS (go-plugin's AutoMTLS); absent, plain HTTP/2, for a socket only its owner can reach. */
  tls?: MutualTls;
  /** Largest request accepted, in bytes. */
  maxMessageBytes: number;
}

/** The gRPC status codes used here (grpc/doc/statuscodes.md). */
export const GRPC_STATUS = { OK: 0, UNKNOWN: 2, RESOURCE_EXHAUSTED: 8, UNIMPLEMENTED: 12, INTERNAL: 13 } as const;

export class UnaryGrpcServer {
  private readonly server: Http2Server;
  /** The open connections and their methods. */
  private readonly sessions = new Map<Http2Session, UnaryMethods>();

  constructor(private readonly options: UnaryGrpcServerOptions) {
    // Room for the largest answers (a provider schema, a big binding) queued on the session.
    const settings = { maxSessionMemory: 256 };
    const { tls } = options;
    this.server = tls
      ? createSecureServer({ ...settings, cert: tls.certificatePem, key: tls.privateKeyPem, ca: tls.clientCertificatePem, requestCert: true, rejectUnauthorized: true })
      : createServer(settings);
    this.server.on('session', session => {
      this.sessions.set(session, options.methodsOf());
      session.once('close', () => this.sessions.delete(session));
    });
    this.server.on('stream', (stream, headers) => this.call(stream, headers));
  }

  listen(socketPath: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(socketPath, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Stops taking connections and calls; `done` once the calls in flight have answered. */
  tryShutdown(done: () => void): void {
    let open = this.sessions.size + 1;
    const closed = () => --open === 0 && done();
    this.server.close(closed);
    for (const session of this.sessions.keys()) session.close(closed);
  }

  forceShutdown(): void {
    for (const session of this.sessions.keys()) session.destroy();
    this.server.close();
  }

  private call(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    const handler = this.sessions.get(stream.session!)?.get(String(headers[constants.HTTP2_HEADER_PATH]));
    if (!handler) return endWithStatus(stream, GRPC_STATUS.UNIMPLEMENTED, `unknown method ${String(headers[constants.HTTP2_HEADER_PATH])}`);
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > this.options.maxMessageBytes + 5) {
        stream.removeAllListeners('data');
        endWithStatus(stream, GRPC_STATUS.RESOURCE_EXHAUSTED, `request larger than ${this.options.maxMessageBytes} bytes`);
      } else chunks.push(chunk);
    });
    stream.once('end', () => {
      if (stream.headersSent || stream.destroyed) return;
      const message = unframe(Buffer.concat(chunks, size));
      if (typeof message === 'string') return endWithStatus(stream, GRPC_STATUS.INTERNAL, message);
      handler(message).then(
        answer => answerWith(stream, answer),
        (failure: Error) => endWithStatus(stream, GRPC_STATUS.UNKNOWN, failure.message),
      );
    });
    stream.on('error', () => undefined); // the client went away: nothing to answer
  }
}

/** The one message of a unary request body, or why there is none. */
function unframe(body: Buffer): Buffer | string {
  if (body.length < 5) return 'request without a message';
  if (body[0] !== 0) return 'compressed messages are not supported';
  const length = body.readUInt32BE(1);
  if (body.length !== 5 + length) return 'request body is not exactly one message';
  return body.subarray(5);
}

function answerWith(stream: ServerHttp2Stream, message: Buffer): void {
  if (stream.destroyed) return;
  const prefix = Buffer.allocUnsafe(5);
  prefix[0] = 0;
  prefix.writeUInt32BE(message.length, 1);
  stream.respond({ [constants.HTTP2_HEADER_STATUS]: 200, [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc' }, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(GRPC_STATUS.OK) }));
  stream.end(Buffer.concat([prefix, message], 5 + message.length));
}

/** A trailers-only answer: the status in the response headers, no message. */
function endWithStatus(stream: ServerHttp2Stream, status: number, message: string): void {
  if (stream.destroyed || stream.headersSent) return;
  stream.respond(
    {
      [constants.HTTP2_HEADER_STATUS]: 200,
      [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      'grpc-status': String(status),
      'grpc-message': percentEncoded(message),
    },
    { endStream: true },
  );
}

/** grpc-message is percent-encoded: printable ASCII except '%' stays as it is. */
function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')].map(b => (b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}
