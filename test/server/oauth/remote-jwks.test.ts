/**
 * The fetch behind a client's `jwksUri`, against a REAL https server on
 * loopback: cut before the request when the connected address is not
 * allowed (SSRF), bounded in size, and an ordinary answer otherwise.
 */
import { globalAgent, createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { createPluginIdentity } from '../../../lib/provider/plugin/tls';
import { addressCheckedFetch, isPublicAddress, JWKS_RESPONSE_LIMIT_BYTES } from '../../../lib/server/oauth/remote-jwks';

let server: Server;
let url: string;
let requests = 0;
let body = '{"keys":[]}';
const savedCa = globalAgent.options.ca;

beforeAll(async () => {
  const identity = createPluginIdentity();
  // The test's self-signed certificate, trusted by the default agent the fetch uses.
  globalAgent.options.ca = identity.certificatePem;
  server = createServer({ cert: identity.certificatePem, key: identity.privateKeyPem }, (_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  url = `https://localhost:${(server.address() as AddressInfo).port}/jwks.json`;
});
afterAll(async () => {
  globalAgent.options.ca = savedCa;
  globalAgent.destroy();
  server.closeAllConnections();
  await new Promise(resolve => server.close(resolve));
});

const init = () => ({ headers: new Headers({ accept: 'application/json' }), signal: AbortSignal.timeout(10_000) });

test('only ordinary unicast addresses are public', () => {
  const publicOnes = ['8.8.8.8', '2606:4700::1'];
  const special = ['127.0.0.1', '10.0.0.1', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '2001:db8::1', 'not-an-ip'];
  expect(publicOnes.filter(isPublicAddress)).toEqual(publicOnes);
  expect(special.filter(isPublicAddress)).toEqual([]);
});

test('fails before sending any request when the connected address is special-use (loopback here)', async () => {
  const before = requests;
  await expect(addressCheckedFetch(isPublicAddress)(url, init())).rejects.toThrow('a special-use address this server does not fetch from');
  expect(requests).toBe(before);
});

test('answers the key set when the address is allowed, and fails past the size limit', async () => {
  const fetchAny = addressCheckedFetch(() => true);
  const answer = await fetchAny(url, init());
  expect({ status: answer.status, json: await answer.json() }).toEqual({ status: 200, json: { keys: [] } });
  body = JSON.stringify({ keys: [], padding: 'x'.repeat(JWKS_RESPONSE_LIMIT_BYTES) });
  await expect(fetchAny(url, init())).rejects.toThrow(`is larger than ${JWKS_RESPONSE_LIMIT_BYTES} bytes`);
});
