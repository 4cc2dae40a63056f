/**
 * The provider's unary gRPC server, spoken to by node:http2's client (an
 * HTTP/2 implementation of its own: nghttp2) as a gRPC client speaks it
 * (mutual TLS, length-prefixed messages, status in trailers): the answer
 * framing, flow control, many calls in flight, UNIMPLEMENTED for unknown
 * methods, the message size limit, malformed bodies, a client without
 * Terraform's certificate refused, and shutdown.
 * Terraform itself drives it in every provider acceptance test.
 */
import { connect, constants, ClientHttp2Session, IncomingHttpHeaders } from 'node:http2';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPluginIdentity } from '../../../lib/provider/plugin/tls';
import { GRPC_STATUS, UnaryGrpcServer, UnaryHandler } from '../../../lib/provider/plugin/unary-grpc-server';

const serverIdentity = createPluginIdentity();
const terraformIdentity = createPluginIdentity();
const LIMIT = 1024;

interface Answer {
  headers: IncomingHttpHeaders;
  trailers: IncomingHttpHeaders;
  body: Buffer;
}

function framed(message: Buffer, compressed = 0): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = compressed;
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

function call(session: ClientHttp2Session, path: string, body: Buffer, extraHeaders: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ [constants.HTTP2_HEADER_METHOD]: 'POST', [constants.HTTP2_HEADER_PATH]: path, 'content-type': 'application/grpc', te: 'trailers', ...extraHeaders });
    let headers: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', h => (headers = h));
    stream.on('trailers', t => (trailers = t));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve({ headers, trailers, body: Buffer.concat(chunks) }));
    stream.on('error', reject);
    stream.end(body);
  });
}

/** An answer larger than a client's initial flow-control windows (64 KiB) and than one frame (16 KiB). */
const LARGE = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));

/** Methods of one connection: Reverse, Large, Fail, and Connection, which answers the connection's number. */
let connections = 0;
function echoMethods(): Map<string, UnaryHandler> {
  const number = ++connections;
  return new Map<string, UnaryHandler>([
    ['/test.Echo/Reverse', async (request: Buffer) => Buffer.from(request).reverse()],
    ['/test.Echo/Large', async () => LARGE],
    ['/test.Echo/Fail', async () => Promise.reject(new Error('broken: 100% wrong'))],
    ['/test.Echo/Connection', async () => Buffer.from(String(number))],
  ]);
}

/** gRPC puts the status in the trailers, or in the headers of a trailers-only answer. */
const statusOf = (answer: Answer) => Number(answer.trailers['grpc-status'] ?? answer.headers['grpc-status']);

describe('unary gRPC server', () => {
  let dir: string;
  let server: UnaryGrpcServer;
  let session: ClientHttp2Session;
  const socketPath = () => join(dir, 'plugin.sock');
  const open = (identity = terraformIdentity) =>
    connect('https://localhost', {
      createConnection: () =>
        require('node:tls').connect({ path: socketPath(), servername: 'localhost', ca: serverIdentity.certificatePem, cert: identity.certificatePem, key: identity.privateKeyPem, ALPNProtocols: ['h2'] }),
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'procurement-grpc-'));
    server = new UnaryGrpcServer({
      methodsOf: echoMethods,
      tls: { certificatePem: serverIdentity.certificatePem, privateKeyPem: serverIdentity.privateKeyPem, clientCertificatePem: terraformIdentity.certificatePem },
      maxMessageBytes: LIMIT,
    });
    await server.listen(socketPath());
    session = open();
  });

  afterAll(() => {
    session.destroy();
    server.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  test('answers one length-prefixed message with grpc-status 0 in the trailers', async () => {
    const answer = await call(session, '/test.Echo/Reverse', framed(Buffer.from('abc')));
    expect(answer.headers[':status']).toBe(200);
    expect(answer.headers['content-type']).toBe('application/grpc');
    expect(answer.body).toEqual(framed(Buffer.from('cba')));
    expect(statusOf(answer)).toBe(GRPC_STATUS.OK);
  });

  test('sends an answer larger than the client\'s flow-control windows as the client\'s WINDOW_UPDATEs allow', async () => {
    const answer = await call(session, '/test.Echo/Large', framed(Buffer.alloc(0)));
    expect(statusOf(answer)).toBe(GRPC_STATUS.OK);
    expect(answer.body).toEqual(framed(LARGE));
  });

  test('answers many calls in flight on one connection, each its own, while the client\'s header table fills and evicts', async () => {
    // A header of its own per call: the client indexes each into the table that later calls' headers refer to.
    const payloads = Array.from({ length: 200 }, (_, i) => Buffer.from(`call ${i} ${'x'.repeat(i)}`));
    const answers = await Promise.all(payloads.map((p, i) => call(session, '/test.Echo/Reverse', framed(p), { 'x-call': `${i}-${'y'.repeat(100)}` })));
    answers.forEach((answer, i) => expect(answer.body).toEqual(framed(Buffer.from(payloads[i]).reverse())));
    expect(answers.every(answer => statusOf(answer) === GRPC_STATUS.OK)).toBe(true);
  });

  test('fails when the method is unknown: UNIMPLEMENTED, as Terraform expects of GRPCStdio and GRPCBroker', async () => {
    const answer = await call(session, '/plugin.GRPCStdio/StreamStdio', framed(Buffer.alloc(0)));
    expect(statusOf(answer)).toBe(GRPC_STATUS.UNIMPLEMENTED);
    expect(answer.body).toHaveLength(0);
  });

  test('fails when the handler fails: UNKNOWN with the message percent-encoded', async () => {
    const answer = await call(session, '/test.Echo/Fail', framed(Buffer.from('x')));
    expect(statusOf(answer)).toBe(GRPC_STATUS.UNKNOWN);
    expect(answer.headers['grpc-message']).toBe('broken: 100%25 wrong');
  });

  test('fails when a request is larger than the limit: RESOURCE_EXHAUSTED', async () => {
    const answer = await call(session, '/test.Echo/Reverse', framed(Buffer.alloc(LIMIT + 1)));
    expect(statusOf(answer)).toBe(GRPC_STATUS.RESOURCE_EXHAUSTED);
    expect((await call(session, '/test.Echo/Reverse', framed(Buffer.alloc(LIMIT)))).body).toHaveLength(LIMIT + 5);
  });

  test('fails when the body is not exactly one uncompressed message: INTERNAL', async () => {
    expect(statusOf(await call(session, '/test.Echo/Reverse', Buffer.from([0, 0])))).toBe(GRPC_STATUS.INTERNAL);
    expect(statusOf(await call(session, '/test.Echo/Reverse', framed(Buffer.from('ab'), 1)))).toBe(GRPC_STATUS.INTERNAL);
    expect(statusOf(await call(session, '/test.Echo/Reverse', Buffer.concat([framed(Buffer.from('a')), framed(Buffer.from('b'))])))).toBe(GRPC_STATUS.INTERNAL);
  });

  test('fails when the client does not present Terraform\'s certificate', async () => {
    const stranger = open(createPluginIdentity());
    const outcome = await new Promise<string>(resolve => {
      stranger.once('error', () => resolve('refused'));
      stranger.once('close', () => resolve('refused'));
      const stream = stranger.request({ [constants.HTTP2_HEADER_METHOD]: 'POST', [constants.HTTP2_HEADER_PATH]: '/test.Echo/Reverse' });
      stream.on('response', () => resolve('answered'));
      stream.on('error', () => resolve('refused'));
      stream.on('close', () => resolve('refused'));
      stream.end(framed(Buffer.from('x')));
    });
    expect(outcome).toBe('refused');
    stranger.destroy();
  });
});

describe('unary gRPC server without TLS (a reattached provider, its socket in a private directory)', () => {
  test('answers over plain HTTP/2, and each connection has methods of its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procurement-grpc-'));
    const server = new UnaryGrpcServer({ methodsOf: echoMethods, maxMessageBytes: LIMIT });
    const sessions: ClientHttp2Session[] = [];
    try {
      await server.listen(join(dir, 'plugin.sock'));
      const open = () => {
        const session = connect('http://localhost', { createConnection: () => require('node:net').connect(join(dir, 'plugin.sock')) });
        sessions.push(session);
        return session;
      };
      const [first, second] = [open(), open()];
      const numberOf = async (session: ClientHttp2Session) => (await call(session, '/test.Echo/Connection', framed(Buffer.alloc(0)))).body.subarray(5).toString();
      const a = await numberOf(first);
      const b = await numberOf(second);
      expect(a).not.toBe(b);
      expect(await numberOf(first)).toBe(a);
      expect((await call(second, '/test.Echo/Reverse', framed(Buffer.from('abc')))).body).toEqual(framed(Buffer.from('cba')));
    } finally {
      for (const session of sessions) session.destroy();
      server.forceShutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('on shutdown takes no new call, answers the one in flight, then closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procurement-grpc-'));
    let release = () => undefined as void;
    const released = new Promise<void>(resolve => (release = resolve));
    let started = () => undefined as void;
    const inFlight = new Promise<void>(resolve => (started = resolve));
    const server = new UnaryGrpcServer({
      methodsOf: () => new Map<string, UnaryHandler>([['/test.Echo/Slow', async () => (started(), await released, Buffer.from('late'))]]),
      maxMessageBytes: LIMIT,
    });
    await server.listen(join(dir, 'plugin.sock'));
    const session = connect('http://localhost', { createConnection: () => require('node:net').connect(join(dir, 'plugin.sock')) });
    try {
      const answer = call(session, '/test.Echo/Slow', framed(Buffer.alloc(0)));
      await inFlight;
      const shutDown = new Promise<void>(resolve => server.tryShutdown(resolve));
      const goaway = new Promise<void>(resolve => session.once('goaway', () => resolve()));
      await goaway;
      release();
      expect((await answer).body).toEqual(framed(Buffer.from('late')));
      await shutDown;
    } finally {
      session.destroy();
      server.forceShutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
