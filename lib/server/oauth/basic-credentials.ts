/**
 * `Authorization: Basic` as the token endpoint and introspection read it:
 * `id:secret`, each form-urlencoded (RFC 6749 section 2.3.1). One reading for
 * the request guard (which client a request names) and introspection (who
 * asks). The token fast path reads the header itself, more strictly: it takes
 * only values that need no decoding, and hands the rest on.
 */

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

function formDecode(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}
