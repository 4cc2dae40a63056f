import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { RetryingFetch, parseRetryAfter } from '../../lib/client/retrying-fetch';
import { ServerUnreachableError } from '../../lib/client/server-unreachable';

/** A loopback server answering each request with the next status in `statuses` (then 200). */
async function scriptedServer(statuses: number[]): Promise<{ url: string; server: Server; seen: () => number }> {
  let seen = 0;
  const server = createServer((_req, res) => {
    const status = statuses[seen++] ?? 200;
    res.writeHead(status, status === 200 ? {} : { 'retry-after': '0' }).end(String(status));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server, seen: () => seen };
}

async function closedPortUrl(): Promise<string> {
  const { url, server } = await scriptedServer([]);
  await new Promise(resolve => server.close(resolve));
  return url;
}

describe('RetryingFetch', () => {
  test('waits out 429 and 503 until the server answers', async () => {
    const { url, server, seen } = await scriptedServer([429, 503, 429]);
    const retries: string[] = [];
    const http = new RetryingFetch({ timeoutMs: 5_000, maxAttempts: 2, busyBudgetMs: 10_000, onRetry: r => retries.push(r.reason) });
    const response = await http.fetch(url, { method: 'GET' });
    server.close();
    expect(response.status).toBe(200);
    expect(seen()).toBe(4);
    expect(retries).toEqual(['HTTP 429', 'HTTP 503', 'HTTP 429']);
  });

  test('hands back the busy answer once the time budget is spent', async () => {
    const { url, server } = await scriptedServer([503, 503, 503, 503]);
    const http = new RetryingFetch({ timeoutMs: 5_000, maxAttempts: 6, busyBudgetMs: 0 });
    const response = await http.fetch(url, { method: 'GET' });
    server.close();
    expect(response.status).toBe(503);
  });

  test('fails when the server cannot be reached, and later requests then try only once', async () => {
    const url = await closedPortUrl();
    const http = new RetryingFetch({ timeoutMs: 5_000, maxAttempts: 3, busyBudgetMs: 10_000 });
    await expect(http.fetch(url, { method: 'GET' })).rejects.toThrow(ServerUnreachableError);
    expect(http.attempts).toBe(3);
    await expect(http.fetch(url, { method: 'GET' })).rejects.toThrow(/cannot reach the authorization server at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
    expect(http.attempts).toBe(4);
  });
});

describe('RetryingFetch on a kept-alive connection the server closed', () => {
  test('sends the request again on a new connection, even with maxAttempts 1', async () => {
    // What the server's idle timeout does to a client whose event loop was blocked past it: the client reuses the
    // connection before it sees the close, and the request gets no answer byte. Here the server closes the reused
    // connection on receiving the second request, which makes that race happen every time.
    const requestsOn = new Map<unknown, number>();
    const server = createServer((req, res) => {
      const count = (requestsOn.get(req.socket) ?? 0) + 1;
      requestsOn.set(req.socket, count);
      if (count > 1) req.socket.destroy();
      else res.end('ok');
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const http = new RetryingFetch({ timeoutMs: 5_000, maxAttempts: 1, busyBudgetMs: 0 });
      expect(await (await http.fetch(url, { method: 'GET' })).text()).toBe('ok');
      await new Promise(resolve => setImmediate(resolve)); // undici puts the connection back in its pool
      const again = await http.fetch(url, { method: 'PUT', body: '{}' });
      expect([again.status, await again.text()]).toEqual([200, 'ok']);
      expect([...requestsOn.values()]).toEqual([2, 1]);
      expect(http.attempts).toBe(3); // the reused connection got one request it closed on; a new one answered
    } finally {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    }
  });
});

describe('parseRetryAfter', () => {
  test('reads seconds and HTTP dates, capped at a minute', () => {
    expect(parseRetryAfter('2')).toBe(2_000);
    expect(parseRetryAfter('3600')).toBe(60_000);
    expect(parseRetryAfter(new Date(Date.now() - 5_000).toUTCString())).toBe(0);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
});
