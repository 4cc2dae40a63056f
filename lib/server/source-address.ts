/**
 * The source a request is counted and limited under: the address
 * request-source.ts answers (the peer, or behind --trust-proxy what the proxy
 * appended), with IPv4-mapped IPv6 as plain IPv4 and IPv6 cut to its /64
 * (one host usually holds a whole /64, so counting single addresses would
 * let it rotate through 2^64 of them).
 */
import { isIPv4, isIPv6 } from 'node:net';

export function sourceAddress(remoteAddress: string | undefined): string {
  if (!remoteAddress || remoteAddress === 'unknown') return 'none';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mapped) return mapped[1];
  if (isIPv4(remoteAddress)) return remoteAddress;
  if (!isIPv6(remoteAddress)) return 'other';
  return `${expandIPv6(remoteAddress).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, without leading zeros ('2001:db8::1' -> 2001, db8, 0, ..., 1); zone ids dropped. */
function expandIPv6(address: string): string[] {
  const [head, tail] = address.split('%')[0].toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::a.b.c.d) takes two groups; only the first four matter here.
  const missing = 8 - left.length - right.length;
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(missing, 0)).fill('0'), ...right];
  return groups.map(g => (g.includes('.') ? g : String(parseInt(g, 16).toString(16))));
}
