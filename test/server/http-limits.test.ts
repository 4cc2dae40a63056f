/**
 * The listener's limits over raw TCP against the real server: slow headers,
 * slow bodies and idle keep-alive connections are closed, and connections
 * past the cap are refused while the open ones keep working.
 */
import { Socket, connect } from 'node:net';
import { EmbeddedServer, startServer } from '../support/embedded-server';

interface Watched {
  socket: Socket;
  /** Resolves when the server closes the connection: after how many ms, and what it sent. */
  closed: Promise<{ afterMs: number; received: string }>;
}

function open(url: string): Promise<Watched> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const started = Date.now();
  let received = '';
  socket.setEncoding('utf8').on('data', chunk => (received += chunk));
  socket.on('error', () => {}); // a reset is one way for the server to close
  const closed = new Promise<{ afterMs: number; received: string }>(resolve => socket.once('close', () => resolve({ afterMs: Date.now() - started, received })));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

/** Fails the test instead of hanging when the server keeps a connection open. */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: still open after ${ms} ms`)), ms))]);
}

describe('timeouts (--headers-timeout 1000 --request-timeout 2000 --idle-timeout 1000)', () => {
  let server: EmbeddedServer;
  beforeAll(async () => {
    server = await startServer({ args: ['--headers-timeout', '1000', '--request-timeout', '2000', '--idle-timeout', '1000'] });
  });
  afterAll(() => server.stop());

  test('closes a connection that never finishes its headers', async () => {
    const { socket, closed } = await open(server.url);
    socket.write('POST /token HTTP/1.1\r\nHost: x\r\n');
    const { afterMs, received } = await within(8_000, closed, 'slow headers');
    expect(afterMs).toBeGreaterThanOrEqual(900);
    expect(received).toMatch(/^HTTP\/1.1 408|^$/);
  });

  test('closes a connection that trickles its body, whatever it keeps sending', async () => {
    const { socket, closed } = await open(server.url);
    socket.write('POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('a'), 100);
    try {
      const { afterMs } = await within(10_000, closed, 'slow body');
      expect(afterMs).toBeGreaterThanOrEqual(1_900);
    } finally {
      clearInterval(trickle);
    }
  });

  test('closes an idle keep-alive connection after its answer', async () => {
    const { socket, closed } = await open(server.url);
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    const { received } = await within(8_000, closed, 'idle keep-alive');
    expect(received).toMatch(/^HTTP\/1.1 200/);
    expect(received).toMatch(/keep-alive: timeout=1/i);
  });
});

describe('connection cap (--max-connections 5)', () => {
  let server: EmbeddedServer;
  beforeAll(async () => {
    server = await startServer({ args: ['--max-connections', '5'] });
  });
  afterAll(() => server.stop());

  test('refuses connections past the cap at once and serves again once one closes', async () => {
    const held = await Promise.all(Array.from({ length: 5 }, () => open(server.url)));
    try {
      // The kernel may accept the TCP connection; the server then closes it at once without a byte.
      const extra = await open(server.url).then(
        watched => within(5_000, watched.closed, 'a connection past the cap').then(({ received }) => `closed, sent '${received}'`),
        () => `closed, sent ''`,
      );
      expect(extra).toBe(`closed, sent ''`);
      expect(held.every(h => !h.socket.destroyed)).toBe(true);
      held[0].socket.destroy();
      await held[0].closed;
      // The server learns of the close asynchronously: retry briefly until a sixth connection is served.
      const deadline = Date.now() + 5_000;
      let status = 0;
      while (status !== 200 && Date.now() < deadline) {
        status = await fetch(`${server.url}/healthz`, { headers: { connection: 'close' } }).then(r => r.status, () => 0);
      }
      expect(status).toBe(200);
    } finally {
      held.forEach(h => h.socket.destroy());
    }
  });
});
