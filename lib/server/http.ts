/** Small helpers over node:http: JSON answers and bounded JSON bodies. */
import { IncomingMessage, ServerResponse } from 'node:http';
import { ServerError, badRequest } from './errors';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

/**
 * Reads the whole body, refusing more than `limitBytes` with 413 without
 * buffering more than that. The refused rest is read and discarded, never
 * left unread: closing a connection the client is still writing to resets it,
 * and the client sees a broken pipe instead of the 413 (RFC 9112 section 9.6).
 * Node discards what a handler left unread once the answer is sent; the
 * server's request timeout bounds how long that may take.
 */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const tooLarge = () => new ServerError(413, 'body_too_large', `the request body exceeds the limit of ${limitBytes} bytes`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Leaving the loop would destroy the connection: keep reading, stop keeping.
    if (size <= limitBytes) chunks.push(chunk);
  }
  if (size > limitBytes) throw tooLarge();
  return Buffer.concat(chunks);
}

/** A JSON object body; anything else (no JSON content type, malformed, not an object) is a 4xx naming why. */
export async function readJsonObject(req: IncomingMessage, limitBytes: number): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new ServerError(415, 'unsupported_media_type', `the body must be JSON with content-type application/json, got '${type || 'none'}'`);
  }
  const text = (await readBody(req, limitBytes)).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ServerError(400, 'invalid_json', `the body is not valid JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badRequest(`the body must be a JSON object, got ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed}`);
  }
  // Later steps (cloning, validation) recurse: thousands of levels would overflow the stack and answer 500.
  if (nestedDeeperThan(parsed, MAX_JSON_DEPTH)) {
    throw badRequest(`the body is nested more than ${MAX_JSON_DEPTH} levels deep; no admin object is`);
  }
  return parsed as Record<string, unknown>;
}

/** Far deeper than any model object (a role binding's subject fields are 3 levels down). */
const MAX_JSON_DEPTH = 32;

/** Walks without recursion, so that the check itself cannot overflow. */
function nestedDeeperThan(value: object, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [next, depth] = pending.pop()!;
    if (next === null || typeof next !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(next)) pending.push([child, depth + 1]);
  }
  return false;
}
