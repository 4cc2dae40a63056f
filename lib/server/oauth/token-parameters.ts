/**
 * The parameters of a token request (RFC 6749 section 4.4.2 and 2.3.1,
 * RFC 7523, RFC 8707), read as oidc-provider reads them: a form body (any
 * other content type is refused; none at all reads as no parameters), only
 * the parameters the endpoint knows (others are ignored), an empty value as
 * absent, and a parameter sent twice refused by name, except `resource`,
 * which may repeat.
 */
import { IncomingMessage } from 'node:http';
import { ServerError } from '../errors';

/** Every parameter the token endpoint reads. */
const KNOWN = ['grant_type', 'scope', 'resource', 'client_id', 'client_secret', 'client_assertion', 'client_assertion_type'] as const;

export type TokenParameter = (typeof KNOWN)[number];

/** The client authentication parameters: checked for repeats before authentication, the rest after (oidc-provider's order). */
export const AUTHENTICATION_PARAMETERS: readonly TokenParameter[] = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'];

export class TokenParameters {
  private constructor(private readonly values: ReadonlyMap<TokenParameter, string[]>) {}

  static read(req: IncomingMessage, body: Buffer): TokenParameters {
    const type = req.headers['content-type'];
    const values = new Map<TokenParameter, string[]>();
    if (type === undefined || type === '') return new TokenParameters(values);
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
      throw new ServerError(400, 'invalid_request', `only application/x-www-form-urlencoded content-type bodies are supported on POST /token, got '${type}'`);
    }
    const form = new URLSearchParams(body.toString('utf8'));
    for (const name of KNOWN) {
      const all = form.getAll(name);
      // oidc-provider: a single empty value is no value; repeated values stay (and are refused as repeated).
      if (all.length > 1 || all[0]) values.set(name, all);
    }
    return new TokenParameters(values);
  }

  /** The single value of `name`; refuse repeats with `refuseRepeated` first. */
  get(name: Exclude<TokenParameter, 'resource'>): string | undefined {
    return this.values.get(name)?.[0];
  }

  /** Every `resource` sent (RFC 8707 allows several). */
  resources(): string[] {
    return this.values.get('resource') ?? [];
  }

  /** 400 invalid_request naming every parameter among `names` that was sent more than once. */
  refuseRepeated(names: readonly TokenParameter[]): void {
    const repeated = names.filter(name => (this.values.get(name)?.length ?? 0) > 1);
    if (repeated.length > 0) {
      throw new ServerError(400, 'invalid_request', `${repeated.map(n => `'${n}'`).join(', ')} ${repeated.length > 1 ? 'parameters' : 'parameter'} must not be provided twice`);
    }
  }
}
