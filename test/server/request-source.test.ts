/** The source address of a request: the peer, or behind a trusted proxy the address the proxy appended. */
import { IncomingMessage } from 'node:http';
import { requestSource } from '../../lib/server/request-source';

function request(forwardedFor?: string | string[]): IncomingMessage {
  return { socket: { remoteAddress: '10.0.0.5' }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } } as unknown as IncomingMessage;
}

test('answers the peer when the proxy is not trusted, whatever X-Forwarded-For says', () => {
  expect(requestSource(request('203.0.113.7'), false)).toBe('10.0.0.5');
});

test('answers the last X-Forwarded-For entry behind a trusted proxy: the entries before it are the client\'s own words', () => {
  expect(requestSource(request('198.51.100.1, 203.0.113.7'), true)).toBe('203.0.113.7');
  expect(requestSource(request(['198.51.100.1', '2001:db8::1']), true)).toBe('2001:db8::1');
});

test('falls back to the peer when the last entry is not an IP address, so nothing unbounded is answered', () => {
  expect(requestSource(request('203.0.113.7, not-an-address'), true)).toBe('10.0.0.5');
  expect(requestSource(request(`203.0.113.7,${'x'.repeat(10_000)}`), true)).toBe('10.0.0.5');
  expect(requestSource(request(), true)).toBe('10.0.0.5');
});
