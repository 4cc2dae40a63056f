/**
 * A gRPC server for unary calls only: what Terraform's plugin client needs
 * and nothing more. gRPC over HTTP/2 for a unary call is one POST whose body
 * is one length-prefixed message (1 byte "compressed", 4 bytes big-endian
 * length, the protobuf bytes), answered with `:status 200`, one
 * length-prefixed message and the trailers `grpc-status` (and
 * `grpc-message`). A failure or an unknown method is a "trailers-only"
 * answer: the status in the one HEADERS frame.
 *
 * HTTP/2 is spoken here, on the socket, for measured reasons. A no-change plan
 * calls the provider about five times per resource (3,600 calls at 720
 * resources): grpc-js's per-call machinery was the largest part of the
 * provider's CPU, and after it Node's own node:http2 (a stream object, its
 * events and header objects per call) still took about a third of it. The
 * frames a unary call needs are few: HEADERS (HPACK-decoded, hpack.ts),
 * CONTINUATION and DATA in; HEADERS and DATA out, within the client's flow
 * control windows; SETTINGS, PING, WINDOW_UPDATE, RST_STREAM and GOAWAY kept
 * as RFC 9113 says. Terraform never compresses, streams or sends metadata we
 * need to read; priorities are ignored, as the RFC allows.
 */
import { createServer as createPlainServer, Server, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { HpackDecoder, HpackError } from './hpack';

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
  private readonly server: Server;
  private readonly connections = new Set<Connection>();

  constructor(options: UnaryGrpcServerOptions) {
    const open = (socket: Socket) => {
      const connection = new Connection(socket, options.methodsOf(), options.maxMessageBytes);
      this.connections.add(connection);
      socket.once('close', () => this.connections.delete(connection));
    };
    const { tls } = options;
    this.server = tls
      ? createTlsServer(
          { cert: tls.certificatePem, key: tls.privateKeyPem, ca: tls.clientCertificatePem, requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['h2'] },
          open,
        )
      : createPlainServer(open);
    // A client that fails the TLS handshake (not Terraform) is dropped; nothing to answer.
    this.server.on('tlsClientError', () => undefined);
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

  /** Stops taking connections and calls; `done` once the calls in flight have answered and the connections closed. */
  tryShutdown(done: () => void): void {
    let open = this.connections.size + 1;
    const closed = () => --open === 0 && done();
    this.server.close(closed);
    for (const connection of this.connections) connection.goAway(closed);
  }

  forceShutdown(): void {
    for (const connection of this.connections) connection.destroy();
    this.server.close();
  }
}

const FRAME = { DATA: 0x0, HEADERS: 0x1, RST_STREAM: 0x3, SETTINGS: 0x4, PING: 0x6, GOAWAY: 0x7, WINDOW_UPDATE: 0x8, CONTINUATION: 0x9 } as const;
const FLAG = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;
const SETTING = { INITIAL_WINDOW_SIZE: 0x4, MAX_FRAME_SIZE: 0x5 } as const;
const ERROR = { PROTOCOL: 0x1, FLOW_CONTROL: 0x3, FRAME_SIZE: 0x6, COMPRESSION: 0x9 } as const;
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** What both sides start with, until SETTINGS or WINDOW_UPDATE say otherwise. */
const DEFAULT_WINDOW = 65_535;
const DEFAULT_MAX_FRAME = 16_384;
/** Our receive windows (the connection's and each stream's), topped up when half is used. */
const RECEIVE_WINDOW = 16 * 1024 * 1024;
/** Largest frame we accept (SETTINGS_MAX_FRAME_SIZE, which we leave at its default) and largest header block. */
const MAX_HEADER_BLOCK = 64 * 1024;

/** `:status 200` (static index 8) and `content-type: application/grpc` (literal, name at static index 31, not indexed). */
const RESPONSE_HEADERS = Buffer.concat([Buffer.from([0x88, 0x0f, 0x10, 16]), Buffer.from('application/grpc', 'latin1')]);
const OK_TRAILERS = literalField('grpc-status', String(GRPC_STATUS.OK));

interface Stream {
  path: string | undefined;
  chunks: Buffer[];
  size: number;
  /** How much we may still send on it (the client's window for it). */
  sendWindow: number;
  /** Received on it since we last raised its window. */
  unacknowledged: number;
  /** The framed answer still to send, once the handler has answered. */
  answer: Buffer | null;
}

/** One HTTP/2 connection: one Terraform provider instance. */
class Connection {
  private buffered: Buffer = Buffer.alloc(0);
  private prefaceSeen = false;
  private readonly hpack = new HpackDecoder();
  private readonly streams = new Map<number, Stream>();
  /** Streams with an answer waiting for flow-control window, in the order they answered. */
  private readonly sending: number[] = [];
  private headerBlock: { id: number; endStream: boolean; parts: Buffer[]; size: number } | null = null;
  private sendWindow = DEFAULT_WINDOW;
  private initialStreamWindow = DEFAULT_WINDOW;
  private maxFrame = DEFAULT_MAX_FRAME;
  private unacknowledged = 0;
  private lastStreamId = 0;
  /** GOAWAY sent: no new calls; the socket ends once the calls in flight have answered. */
  private goingAway = false;
  /** A connection error was sent: what else comes in is not read. */
  private failed = false;
  private readonly whenClosed: (() => void)[] = [];
  private output: Buffer[] = [];

  constructor(
    private readonly socket: Socket,
    private readonly methods: UnaryMethods,
    private readonly maxMessageBytes: number,
  ) {
    // Our preface: our stream window, then the connection's raised to match.
    const settings = Buffer.alloc(6);
    settings.writeUInt16BE(SETTING.INITIAL_WINDOW_SIZE, 0);
    settings.writeUInt32BE(RECEIVE_WINDOW, 2);
    this.send(FRAME.SETTINGS, 0, 0, settings);
    this.send(FRAME.WINDOW_UPDATE, 0, 0, uint32(RECEIVE_WINDOW - DEFAULT_WINDOW));
    socket.on('data', (chunk: Buffer) => {
      try {
        this.receive(chunk);
      } catch (failure) {
        this.fail(failure instanceof ConnectionError ? failure.code : failure instanceof HpackError ? ERROR.COMPRESSION : ERROR.PROTOCOL);
      }
    });
    socket.on('error', () => undefined); // the client went away: nothing to answer
    socket.once('close', () => this.whenClosed.splice(0).forEach(closed => closed()));
  }

  /** Takes no new calls; answers those in flight, then closes; `closed` once the socket is closed. */
  goAway(closed?: () => void): void {
    if (this.socket.destroyed) return closed?.();
    if (closed) this.whenClosed.push(closed);
    if (this.goingAway) return;
    this.goingAway = true;
    this.send(FRAME.GOAWAY, 0, 0, Buffer.concat([uint32(this.lastStreamId), uint32(0)]));
    this.endWhenIdle();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    if (this.failed) return;
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    if (!this.prefaceSeen) {
      if (this.buffered.length < PREFACE.length) return;
      if (!this.buffered.subarray(0, PREFACE.length).equals(PREFACE)) throw new ConnectionError(ERROR.PROTOCOL);
      this.prefaceSeen = true;
      this.buffered = this.buffered.subarray(PREFACE.length);
    }
    while (this.buffered.length >= 9) {
      const length = this.buffered.readUIntBE(0, 3);
      if (length > DEFAULT_MAX_FRAME) throw new ConnectionError(ERROR.FRAME_SIZE);
      if (this.buffered.length < 9 + length) return;
      const type = this.buffered[3];
      const flags = this.buffered[4];
      const id = this.buffered.readUInt32BE(5) & 0x7fffffff;
      const payload = this.buffered.subarray(9, 9 + length);
      this.buffered = this.buffered.subarray(9 + length);
      this.frame(type, flags, id, payload);
    }
  }

  private frame(type: number, flags: number, id: number, payload: Buffer): void {
    if (this.headerBlock && (type !== FRAME.CONTINUATION || id !== this.headerBlock.id)) throw new ConnectionError(ERROR.PROTOCOL);
    switch (type) {
      case FRAME.HEADERS: {
        if (id === 0) throw new ConnectionError(ERROR.PROTOCOL);
        const block = unpadded(flags, payload, flags & FLAG.PRIORITY ? 5 : 0);
        this.headerBlock = { id, endStream: (flags & FLAG.END_STREAM) !== 0, parts: [block], size: block.length };
        if (flags & FLAG.END_HEADERS) this.headersComplete();
        return;
      }
      case FRAME.CONTINUATION: {
        if (!this.headerBlock) throw new ConnectionError(ERROR.PROTOCOL);
        this.headerBlock.parts.push(payload);
        this.headerBlock.size += payload.length;
        if (this.headerBlock.size > MAX_HEADER_BLOCK) throw new ConnectionError(ERROR.PROTOCOL);
        if (flags & FLAG.END_HEADERS) this.headersComplete();
        return;
      }
      case FRAME.DATA:
        if (id === 0) throw new ConnectionError(ERROR.PROTOCOL);
        return this.data(id, (flags & FLAG.END_STREAM) !== 0, payload.length, unpadded(flags, payload, 0));
      case FRAME.SETTINGS:
        if (id !== 0 || payload.length % 6 !== 0) throw new ConnectionError(ERROR.FRAME_SIZE);
        if (flags & FLAG.ACK) return;
        for (let at = 0; at < payload.length; at += 6) this.setting(payload.readUInt16BE(at), payload.readUInt32BE(at + 2));
        this.send(FRAME.SETTINGS, FLAG.ACK, 0, Buffer.alloc(0));
        return this.flowAnswers();
      case FRAME.PING:
        if (payload.length !== 8) throw new ConnectionError(ERROR.FRAME_SIZE);
        if (!(flags & FLAG.ACK)) this.send(FRAME.PING, FLAG.ACK, 0, Buffer.from(payload));
        return;
      case FRAME.WINDOW_UPDATE: {
        if (payload.length !== 4) throw new ConnectionError(ERROR.FRAME_SIZE);
        const increment = payload.readUInt32BE(0) & 0x7fffffff;
        if (id === 0) this.sendWindow += increment;
        else {
          const stream = this.streams.get(id);
          if (stream) stream.sendWindow += increment;
        }
        return this.flowAnswers();
      }
      case FRAME.RST_STREAM:
        this.streams.delete(id); // the client gave up on the call: its answer is dropped
        return this.endWhenIdle();
      case FRAME.GOAWAY:
        return this.goAway();
      default:
        return; // PRIORITY, PUSH_PROMISE (never sent to a server) and unknown types are ignored (RFC 9113 5.5)
    }
  }

  private setting(key: number, value: number): void {
    if (key === SETTING.INITIAL_WINDOW_SIZE) {
      if (value > 0x7fffffff) throw new ConnectionError(ERROR.FLOW_CONTROL);
      for (const stream of this.streams.values()) stream.sendWindow += value - this.initialStreamWindow;
      this.initialStreamWindow = value;
    } else if (key === SETTING.MAX_FRAME_SIZE) {
      if (value < DEFAULT_MAX_FRAME || value > 0xffffff) throw new ConnectionError(ERROR.PROTOCOL);
      this.maxFrame = value;
    }
  }

  private headersComplete(): void {
    const { id, endStream, parts } = this.headerBlock!;
    this.headerBlock = null;
    // Decoded even when ignored: the client's later blocks refer to what this one added to the table.
    const fields = this.hpack.decode(parts.length === 1 ? parts[0] : Buffer.concat(parts));
    let stream = this.streams.get(id);
    if (!stream) {
      if (id <= this.lastStreamId || this.goingAway) return; // trailers of a call we dropped, or a call after GOAWAY
      this.lastStreamId = id;
      stream = { path: fields.find(([name]) => name === ':path')?.[1], chunks: [], size: 0, sendWindow: this.initialStreamWindow, unacknowledged: 0, answer: null };
      this.streams.set(id, stream);
    }
    if (endStream) this.call(id, stream);
  }

  private data(id: number, endStream: boolean, flowControlled: number, data: Buffer): void {
    // Every DATA byte counts against the windows, padding included; the connection's is raised whatever the stream.
    this.unacknowledged += flowControlled;
    if (this.unacknowledged >= RECEIVE_WINDOW / 2) {
      this.send(FRAME.WINDOW_UPDATE, 0, 0, uint32(this.unacknowledged));
      this.unacknowledged = 0;
    }
    const stream = this.streams.get(id);
    if (!stream || stream.answer) return;
    stream.size += data.length;
    if (stream.size > this.maxMessageBytes + 5) {
      this.refuse(id, GRPC_STATUS.RESOURCE_EXHAUSTED, `request larger than ${this.maxMessageBytes} bytes`);
      return this.send(FRAME.RST_STREAM, 0, id, uint32(0)); // NO_ERROR: answered, the rest of the request is not wanted
    }
    stream.chunks.push(data);
    if (endStream) return this.call(id, stream);
    stream.unacknowledged += flowControlled;
    if (stream.unacknowledged >= RECEIVE_WINDOW / 2) {
      this.send(FRAME.WINDOW_UPDATE, 0, id, uint32(stream.unacknowledged));
      stream.unacknowledged = 0;
    }
  }

  private call(id: number, stream: Stream): void {
    const handler = stream.path === undefined ? undefined : this.methods.get(stream.path);
    if (!handler) return this.refuse(id, GRPC_STATUS.UNIMPLEMENTED, `unknown method ${String(stream.path)}`);
    const message = unframe(stream.chunks.length === 1 ? stream.chunks[0] : Buffer.concat(stream.chunks, stream.size));
    stream.chunks = [];
    if (typeof message === 'string') return this.refuse(id, GRPC_STATUS.INTERNAL, message);
    handler(message).then(
      answer => this.answer(id, answer),
      (failure: Error) => this.refuse(id, GRPC_STATUS.UNKNOWN, failure.message),
    );
  }

  private answer(id: number, message: Buffer): void {
    const stream = this.streams.get(id);
    if (!stream || this.socket.destroyed) return;
    const prefix = Buffer.allocUnsafe(5);
    prefix[0] = 0;
    prefix.writeUInt32BE(message.length, 1);
    this.send(FRAME.HEADERS, FLAG.END_HEADERS, id, RESPONSE_HEADERS);
    stream.answer = Buffer.concat([prefix, message], 5 + message.length);
    this.sending.push(id);
    this.flowAnswers();
  }

  /** Sends what the windows allow of the answers waiting, in order; each answer's trailers end its stream. */
  private flowAnswers(): void {
    while (this.sending.length > 0) {
      const id = this.sending[0];
      const stream = this.streams.get(id);
      if (stream?.answer) {
        while (stream.answer.length > 0) {
          const size = Math.min(stream.answer.length, this.maxFrame, this.sendWindow, stream.sendWindow);
          if (size <= 0) return; // until the client's WINDOW_UPDATE
          this.send(FRAME.DATA, 0, id, stream.answer.subarray(0, size));
          stream.answer = stream.answer.subarray(size);
          this.sendWindow -= size;
          stream.sendWindow -= size;
        }
        this.send(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, id, OK_TRAILERS);
        this.streams.delete(id);
      }
      this.sending.shift();
    }
    this.endWhenIdle();
  }

  /** A trailers-only answer: the status in the response headers, no message. */
  private status(id: number, status: number, message: string): void {
    const block = Buffer.concat([RESPONSE_HEADERS, literalField('grpc-status', String(status)), literalField('grpc-message', percentEncoded(message))]);
    this.send(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, id, block);
  }

  /** Ends the call with a status and no message. */
  private refuse(id: number, status: number, message: string): void {
    if (!this.streams.delete(id) || this.socket.destroyed) return;
    this.status(id, status, message);
    this.endWhenIdle();
  }

  /** A connection error: GOAWAY with its code, then the socket is closed. */
  private fail(code: number): void {
    this.send(FRAME.GOAWAY, 0, 0, Buffer.concat([uint32(this.lastStreamId), uint32(code)]));
    this.failed = true;
    this.goingAway = true;
    this.streams.clear();
    this.endWhenIdle();
  }

  private endWhenIdle(): void {
    if (this.goingAway && this.streams.size === 0) process.nextTick(() => this.socket.end());
  }

  /** Frames are written together once the current callbacks are done: one write for the answers of a burst of calls. */
  private send(type: number, flags: number, id: number, payload: Buffer): void {
    if (this.socket.destroyed) return;
    const header = Buffer.allocUnsafe(9);
    header.writeUIntBE(payload.length, 0, 3);
    header[3] = type;
    header[4] = flags;
    header.writeUInt32BE(id, 5);
    if (this.output.length === 0) process.nextTick(() => this.flush());
    this.output.push(header, payload);
  }

  private flush(): void {
    const frames = this.output;
    this.output = [];
    if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.write(Buffer.concat(frames));
  }
}

class ConnectionError extends Error {
  constructor(readonly code: number) {
    super(`HTTP/2 connection error ${code}`);
  }
}

/** The frame's payload without its padding (and the priority fields a HEADERS frame may carry). */
function unpadded(flags: number, payload: Buffer, skip: number): Buffer {
  const padding = flags & FLAG.PADDED ? payload[0] : 0;
  const start = (flags & FLAG.PADDED ? 1 : 0) + skip;
  if (start + padding > payload.length) throw new ConnectionError(ERROR.PROTOCOL);
  return payload.subarray(start, payload.length - padding);
}

/** The one message of a unary request body, or why there is none. */
function unframe(body: Buffer): Buffer | string {
  if (body.length < 5) return 'request without a message';
  if (body[0] !== 0) return 'compressed messages are not supported';
  const length = body.readUInt32BE(1);
  if (body.length !== 5 + length) return 'request body is not exactly one message';
  return body.subarray(5);
}

/** A header field as an HPACK literal with a new name, not indexed. */
function literalField(name: string, value: string): Buffer {
  return Buffer.concat([Buffer.from([0]), hpackString(name), hpackString(value)]);
}

function hpackString(text: string): Buffer {
  const bytes = Buffer.from(text, 'latin1');
  // Length as an HPACK integer with a 7-bit prefix, no Huffman.
  const length: number[] = [];
  if (bytes.length < 127) length.push(bytes.length);
  else {
    length.push(127);
    let rest = bytes.length - 127;
    while (rest >= 128) {
      length.push((rest % 128) + 128);
      rest = Math.floor(rest / 128);
    }
    length.push(rest);
  }
  return Buffer.concat([Buffer.from(length), bytes]);
}

function uint32(value: number): Buffer {
  const bytes = Buffer.allocUnsafe(4);
  bytes.writeUInt32BE(value, 0);
  return bytes;
}

/** grpc-message is percent-encoded: printable ASCII except '%' stays as it is. */
function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')].map(b => (b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}
