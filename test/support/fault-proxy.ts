/**
 * A small reverse proxy on loopback in front of the embedded server, for
 * fault tests: it forwards every request, counts the answers by status (so a
 * test can prove that 429s really happened), and can answer some requests
 * itself instead (a fault such as 503 + Retry-After) without forwarding them.
 *
 *   const proxy = await startFaultProxy(server.url, { fault: req => (Math.random() < 0.3 ? { status: 503, headers: { 'retry-after': '1' } } : null) });
 *   ... point the provider at proxy.url ...
 *   expect(proxy.injected).toBeGreaterThan(0);
 */
import { createServer, IncomingMessage, request } from 'node:http';
import { AddressInfo } from 'node:net';

export interface InjectedFault {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface FaultProxyOptions {
  /** Decides per request whether the proxy answers with a fault instead of forwarding. @default never */
  fault?: (req: IncomingMessage) => InjectedFault | null;
}

export interface FaultProxy {
  readonly url: string;
  /** Answers the server gave, by status code. */
  readonly upstreamStatuses: Map<number, number>;
  /** Faults the proxy answered itself. */
  readonly injected: number;
  /** Requests received, faulted or not. */
  readonly requests: number;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const upstream = new URL(target);
  const upstreamStatuses = new Map<number, number>();
  let injected = 0;
  let requests = 0;
  const proxy = createServer((incoming, outgoing) => {
    requests++;
    const fault = options.fault?.(incoming) ?? null;
    if (fault) {
      injected++;
      // Drain the request body so the connection stays usable for the next request.
      incoming.resume();
      incoming.once('end', () => {
        const body = fault.body ?? JSON.stringify({ error: 'injected_fault', message: `fault injected by the test proxy (${fault.status})` });
        outgoing.writeHead(fault.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...fault.headers });
        outgoing.end(body);
      });
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
      answer => {
        const status = answer.statusCode ?? 502;
        upstreamStatuses.set(status, (upstreamStatuses.get(status) ?? 0) + 1);
        outgoing.writeHead(status, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    upstreamStatuses,
    get injected() {
      return injected;
    },
    get requests() {
      return requests;
    },
    close: () =>
      new Promise(resolve => {
        proxy.close(() => resolve());
        proxy.closeAllConnections();
      }),
  };
}
