/**
 * `GET /ui/`: the access map, a read-only page of static files shipped in the
 * package (ui/access-map/), that reads the admin API from the browser with a
 * `read` token the reader gives in the URL fragment (`/ui/#token=...`, which
 * a browser never sends to a server) or types in. The files hold no data and
 * need no token. The policy header lets the page run only its own script and
 * style and talk only to this server: no inline script, nothing from
 * elsewhere, no framing; the script writes data as text, never as markup.
 */
import { readFileSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { findPackageRoot } from '../../package-root';
import { ServerError } from '../errors';

export const UI_PATH = '/ui/';

export const UI_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-cache',
};

/** The only files served, by the path under /ui/; read once, at start. */
const FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '': { file: 'index.html', type: 'text/html; charset=utf-8' },
  'access-map.js': { file: 'access-map.js', type: 'text/javascript; charset=utf-8' },
  'access-map.css': { file: 'access-map.css', type: 'text/css; charset=utf-8' },
  'favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};

export function accessMapEndpoint() {
  const root = findPackageRoot(__dirname);
  if (!root) throw new Error(`cannot find the procurement-scopes package above ${__dirname} (the access map's files ship in its ui/ folder)`);
  const contents = new Map(Object.entries(FILES).map(([path, { file, type }]) => [path, { type, body: readFileSync(join(root, 'ui', 'access-map', file)) }]));
  return (req: IncomingMessage, res: ServerResponse, pathname: string): void => {
    if (pathname === '/ui') {
      res.writeHead(308, { location: UI_PATH, ...UI_SECURITY_HEADERS }).end();
      return;
    }
    const found = contents.get(pathname.slice(UI_PATH.length));
    if (!found) throw new ServerError(404, 'not_found', `no such file of the access map; it is at ${UI_PATH}`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new ServerError(405, 'method_not_allowed', `${UI_PATH} takes GET, got ${req.method}`, { headers: { allow: 'GET, HEAD' } });
    }
    res.writeHead(200, { 'content-type': found.type, 'content-length': found.body.length, ...UI_SECURITY_HEADERS });
    res.end(req.method === 'HEAD' ? undefined : found.body);
  };
}
