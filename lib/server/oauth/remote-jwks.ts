/**
 * The keys private_key_jwt clients publish at their `jwksUri`, fetched and
 * cached by jose's remote key set (it refetches on an unknown `kid`, at most
 * once per cooldown). Fetched by this server on behalf of whoever registered
 * the URI, so never from a loopback, private, link-local or otherwise
 * special-use address (SSRF): the address checked is the one the socket
 * actually connected to, after DNS, so a name that resolves (or is rebound)
 * to an inner address is cut before any byte of the request is sent. The
 * answer is bounded in size and time (jose's timeout, 5 seconds).
 */
import { request } from 'node:https';
import { Socket } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Largest JWKS answer read (the model allows 10 keys; a 4096-bit RSA key is under 1 KiB). */
export const JWKS_RESPONSE_LIMIT_BYTES = 256 * 1024;

/** Key sets kept at most, one per URI; past it the cache starts over (memory bound). */
const MAX_KEY_SETS = 1_000;

const loadJose = () => import('jose');
type RemoteKeySet = ReturnType<Awaited<ReturnType<typeof loadJose>>['createRemoteJWKSet']>;

export class RemoteJwks {
  private readonly keySets = new Map<string, RemoteKeySet>();

  /** The key set at `uri` (an https URL, as the model requires), as jose's `jwtVerify` takes it. */
  async at(uri: string): Promise<RemoteKeySet> {
    const jose = await loadJose();
    let keys = this.keySets.get(uri);
    if (!keys) {
      if (this.keySets.size >= MAX_KEY_SETS) this.keySets.clear();
      keys = jose.createRemoteJWKSet(new URL(uri), { [jose.customFetch]: addressCheckedFetch(isPublicAddress) });
      this.keySets.set(uri, keys);
    }
    return keys;
  }
}

/** Whether an address may be fetched from: only ordinary unicast addresses, never a special-use range. */
export function isPublicAddress(address: string): boolean {
  return ipaddr.isValid(address) && ipaddr.process(address).range() === 'unicast';
}

/** The fetch jose calls (GET, no redirects followed, its own timeout signal), over node:https, cut unless `allowed` the connected address. */
export function addressCheckedFetch(allowed: (address: string) => boolean) {
  return (url: string, init: { headers: Headers; signal: AbortSignal }): Promise<Response> =>
    new Promise((resolve, reject) => {
      const req = request(url, { method: 'GET', headers: Object.fromEntries(init.headers), signal: init.signal }, res => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > JWKS_RESPONSE_LIMIT_BYTES) req.destroy(new Error(`the JWKS at ${url} is larger than ${JWKS_RESPONSE_LIMIT_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode })));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.on('socket', (socket: Socket) => {
        socket.once('connect', () => {
          const address = socket.remoteAddress ?? '';
          if (!allowed(address)) req.destroy(new Error(`the JWKS URI ${url} leads to ${address}, a special-use address this server does not fetch from`));
        });
      });
      req.end();
    });
}
