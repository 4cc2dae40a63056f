/**
 * What stands in front of the token endpoint and introspection: a body size
 * limit, rate limits answered with 429 and `Retry-After`, and the count of
 * every refusal (refusal-counter.ts).
 *
 * - Per registered client: at most `clientRate` requests a second. Only
 *   requests that authenticated as the client are charged, so nobody can
 *   spend another client's allowance by sending its id with a wrong secret.
 * - Per source address: at most `failureRate` refused requests a second
 *   that did not authenticate (a client that authenticated and asked for a
 *   scope it lacks spends its own allowance, not its address's).
 *   When they are spent, requests from that source that name no registered
 *   client get 429 at once; requests naming a registered client still go on
 *   to authentication. So a flood of failed requests never throttles a client
 *   that authenticates correctly from the same address.
 * - Past that limit, requests from the source that name a registered client
 *   on connections that never authenticated one wait in one lane per source
 *   (source-lanes.ts), each until the source may fail again: a wrong secret
 *   sent with a registered id cannot be told from the right one before
 *   authentication, but the real client's keep-alive connection has
 *   authenticated before, and goes straight on. So a flood costs at most
 *   `failureRate` authentications a second, and a client's new connection
 *   is delayed (at most by the request timeout), never refused. Scheduling
 *   only: every request still authenticates.
 * The caller's client id is read from `Authorization: Basic` or the form's
 * `client_id`; the body is read here (bounded) and handed on as a replay.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { RefusalEndpoint, RefusalReason, REFUSAL_REASONS } from '../../model/admin-api';
import { ServerError } from '../errors';
import { readBody, sendJson } from '../http';
import { TokenBuckets } from '../rate-limit';
import { requestSource } from '../request-source';
import { sourceAddress } from '../source-address';
import { basicCredentials } from './basic-credentials';
import { requestIdOf } from '../request-id';
import { Refusal, RefusalCounter } from './refusal-counter';
import { RefusalLog } from './refusal-log';
import { SourceLanes } from './source-lanes';
import { TokenReads } from './token-reads';

/** Buckets kept per guard, for clients and for sources each: bounds memory whatever ids and addresses callers rotate through. */
export const MAX_TRACKED_KEYS = 10_000;

export interface RequestGuardOptions {
  endpoint: RefusalEndpoint;
  /** Whether a client id is registered: read with the rest of the request's reads (token-reads.ts). */
  reads: Pick<TokenReads, 'client' | 'share'>;
  counter: RefusalCounter;
  /** Tells refusals in the log, bounded during floods. */
  refusalLog: RefusalLog;
  /** Requests a second per registered client (bursts up to the same number); null = no limit. */
  clientRate: number | null;
  /** Refused requests a second per source before its requests naming no registered client get 429; null = no limit. */
  failureRate: number | null;
  bodyLimitBytes: number;
  /** Behind a reverse proxy: the source is the last X-Forwarded-For entry (request-source.ts). */
  trustProxy: boolean;
  /** The server's clock, in milliseconds: the limits refill by it. */
  now: () => number;
}

/** `body`: the request's body as read here (null for a GET); `req` replays it to whoever reads the stream. */
type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer | null) => Promise<void> | void;

export class RequestGuard {
  private readonly clients: TokenBuckets | null;
  private readonly failures: TokenBuckets | null;
  /** Why a request was refused, when the endpoint said so (its ServerError's refusal reason, else its code). */
  private readonly reasons = new WeakMap<IncomingMessage, string>();
  /** Connections on which a client authenticated (and has not failed to since): they skip the lanes. */
  private readonly proven = new WeakSet<Socket>();
  private readonly lanes = new SourceLanes();

  constructor(private readonly options: RequestGuardOptions) {
    this.clients = options.clientRate === null ? null : new TokenBuckets(options.clientRate, MAX_TRACKED_KEYS, options.now);
    this.failures = options.failureRate === null ? null : new TokenBuckets(options.failureRate, MAX_TRACKED_KEYS, options.now);
  }

  /** Records the error code an endpoint refused `req` with (the request as the endpoint received it). */
  noteRefusal(req: IncomingMessage, code: string | undefined): void {
    if (code) this.reasons.set(req, code);
  }

  async handle(req: IncomingMessage, res: ServerResponse, handler: Handler): Promise<void> {
    const source = sourceAddress(requestSource(req, this.options.trustProxy));
    const basicId = basicCredentials(req.headers.authorization)?.clientId || null;
    let body: Buffer | null = null;
    if (req.method === 'POST') {
      try {
        body = await readBody(req, this.options.bodyLimitBytes);
      } catch (error) {
        if (!(error instanceof ServerError) || error.status !== 413) throw error;
        const clientId = await this.classify(req, basicId);
        return this.refuse(res, { clientId, source, reason: 'body_too_large' }, 413, `the request body exceeds the limit of ${this.options.bodyLimitBytes} bytes`);
      }
    }
    const clientId = await this.classify(req, basicId ?? formClientId(req, body));
    const registered = clientId !== 'unknown' && clientId !== 'none';
    if (this.waitMs(registered, clientId, source) > 0) return this.limited(res, clientId, source, registered);
    if (registered && (this.failures?.peek(source) ?? 0) > 0 && !this.proven.has(req.socket)) {
      if (!(await this.waitInLane(req, res, source))) return;
    }
    const replay = body === null ? req : replayOf(req, body);
    this.options.reads.share(req, replay);
    res.once('finish', () => this.settle(replay, res, clientId, source, registered));
    try {
      await handler(replay, res, body);
    } catch (error) {
      if (error instanceof ServerError) this.noteRefusal(replay, error.options.refusal ?? error.code);
      throw error;
    }
  }

  /**
   * The source's lane: one request at a time, each once the source may fail again, so that wrong
   * secrets sent with a registered id cost at most `failureRate` authentications a second. False when
   * the caller left while it waited.
   */
  private async waitInLane(req: IncomingMessage, res: ServerResponse, source: string): Promise<boolean> {
    const leave = await this.lanes.enter(source);
    for (let wait = this.failures!.peek(source); wait > 0 && !req.socket.destroyed; wait = this.failures!.peek(source)) {
      await new Promise(resolve => setTimeout(resolve, wait));
    }
    // Gone while it waited: its answer's close event has passed.
    if (req.socket.destroyed) {
      leave();
      return false;
    }
    res.once('close', leave);
    return true;
  }

  private waitMs(registered: boolean, clientId: string, source: string): number {
    return (registered ? this.clients?.peek(clientId) : this.failures?.peek(source)) ?? 0;
  }

  /** 429 with Retry-After: the client's limit when it is registered, else the source's. */
  private limited(res: ServerResponse, clientId: string, source: string, registered: boolean): void {
    const waitMs = this.waitMs(registered, clientId, source);
    const why = registered
      ? `client '${clientId}' made more than ${this.options.clientRate} requests a second`
      : `more than ${this.options.failureRate} requests a second from your address were refused`;
    this.refuse(res, { clientId, source, reason: 'rate_limited' }, 429, `${why}: retry later`, {
      'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))),
    });
  }

  /** Charges the limits once the answer is known, counts a refusal, and remembers connections that authenticated. */
  private settle(req: IncomingMessage, res: ServerResponse, clientId: string, source: string, registered: boolean): void {
    const status = res.statusCode;
    if (status < 400) {
      if (registered) {
        this.clients?.take(clientId);
        this.proven.add(req.socket);
      }
      return;
    }
    const reason = reasonOf(this.reasons.get(req), status);
    this.count({ endpoint: this.options.endpoint, clientId, source, reason }, res);
    if (registered && reason !== 'invalid_client') {
      // Refused after authentication (invalid_scope, ...): the client's own request, charged to the client
      // alone, so that `verify` probing scopes from a CI runner does not slow the runner's other clients.
      this.clients?.take(clientId);
      return;
    }
    this.failures?.take(source);
    this.proven.delete(req.socket);
  }

  private refuse(
    res: ServerResponse,
    refusal: { clientId: string; source: string; reason: RefusalReason },
    status: number,
    description: string,
    headers: Record<string, string> = {},
  ): void {
    this.count({ endpoint: this.options.endpoint, ...refusal }, res);
    if (refusal.reason !== 'rate_limited') this.failures?.take(refusal.source);
    sendJson(res, status, { error: refusal.reason, error_description: description }, headers);
  }

  private count(refusal: Refusal, res: ServerResponse): void {
    this.options.counter.record(refusal);
    this.options.refusalLog.record(refusal, requestIdOf(res));
  }

  /** The client id as it may be stored: a registered client's, or `unknown` (never the id as sent), or `none`. */
  private async classify(req: IncomingMessage, claimed: string | null): Promise<string> {
    if (!claimed) return 'none';
    return (await this.registered(req, claimed)) ? claimed : 'unknown';
  }

  private async registered(req: IncomingMessage, claimed: string): Promise<boolean> {
    return (await this.options.reads.client(req, claimed)) !== null;
  }
}

function reasonOf(code: string | undefined, status: number): RefusalReason {
  if (code && (REFUSAL_REASONS as readonly string[]).includes(code)) return code as RefusalReason;
  if (status === 401) return 'invalid_client';
  if (status === 413) return 'body_too_large';
  return code === undefined && status === 400 ? 'invalid_request' : 'other';
}

function formClientId(req: IncomingMessage, body: Buffer | null): string | null {
  if (!body || !/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) return null;
  return new URLSearchParams(body.toString('utf8')).get('client_id') || null;
}

/**
 * The request again, with the body already read: the introspection endpoint reads the body from
 * the stream itself (the token endpoint takes the buffer). Same
 * socket, method, URL and headers. `complete` tells node that the message ended normally, so that
 * ending the replay never destroys the socket.
 */
function replayOf(req: IncomingMessage, body: Buffer): IncomingMessage {
  const replay = new IncomingMessage(req.socket);
  replay.method = req.method;
  replay.url = req.url;
  replay.headers = req.headers;
  replay.rawHeaders = req.rawHeaders;
  replay.httpVersion = req.httpVersion;
  replay.httpVersionMajor = req.httpVersionMajor;
  replay.httpVersionMinor = req.httpVersionMinor;
  replay.complete = true;
  replay.push(body);
  replay.push(null);
  return replay;
}
