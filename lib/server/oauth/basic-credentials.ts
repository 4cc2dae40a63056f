/**
 * `Authorization: Basic` as the token endpoint and introspection read it:
 * `id:secret`, each form-urlencoded (RFC 6749 section 2.3.1). Two readings:
 * `basicCredentials`, lenient, tells the request guard which client a request
 * names and introspection who asks (a malformed header simply authenticates
 * nobody); `tokenEndpointBasic` is the token endpoint's, which refuses a
 * malformed header with the reason, by the rules oidc-provider applies.
 */
import { ServerError } from '../errors';

export interface BasicCredentials {
  /** Null when it cannot be decoded. Without a colon, the whole value is the id. */
  clientId: string | null;
  /** Null without a colon, or when it cannot be decoded. */
  secret: string | null;
}

/** Null when the header is absent or not Basic. */
export function basicCredentials(header: string | undefined): BasicCredentials | null {
  const basic = /^Basic (\S+)$/i.exec(header ?? '');
  if (!basic) return null;
  const text = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? { clientId: formDecode(text), secret: null } : { clientId: formDecode(text.slice(0, colon)), secret: formDecode(text.slice(colon + 1)) };
}

/** Visible ASCII and space only, once decoded (RFC 6749 appendix A.1 and A.2: VSCHAR). */
const VSCHAR = /^[\x20-\x7E]*$/;

/** The id and secret of a token request's Basic header; 400 invalid_request saying what is malformed. */
export function tokenEndpointBasic(header: string): { clientId: string; secret: string } {
  const malformed = (why: string) => new ServerError(400, 'invalid_request', `the Authorization header ${why}; send 'Basic ' and base64 of client_id:client_secret, each form-urlencoded`);
  const parts = header.split(' ');
  if (parts.length !== 2 || parts[0].toLowerCase() !== 'basic') throw malformed('is not Basic credentials');
  if (!isBase64(parts[1])) throw malformed('is not valid base64');
  const text = Buffer.from(parts[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) throw malformed('has no colon between client_id and client_secret');
  const clientId = formDecode(text.slice(0, colon));
  const secret = formDecode(text.slice(colon + 1));
  if (clientId === null || secret === null || !VSCHAR.test(clientId) || !VSCHAR.test(secret)) throw malformed('holds a client_id or client_secret that is not properly encoded');
  if (!secret) throw malformed('holds an empty client_secret');
  return { clientId, secret };
}

/** Strict base64 with its padding (what oidc-provider accepts). */
function isBase64(text: string): boolean {
  const match = /^([A-Za-z0-9+/]*)(={0,2})$/.exec(text);
  if (!match?.[1]) return false;
  const remainder = match[1].length % 4;
  return match[2] ? (match[1].length + match[2].length) % 4 === 0 && match[2].length === 4 - remainder : remainder !== 1;
}

function formDecode(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}
