/**
 * Who is asking for a token (RFC 6749 section 2.3, RFC 7523 section 3): a
 * client with a secret sends it with HTTP Basic (client_secret_basic) or in
 * the form (client_secret_post); a client registered with public keys signs
 * a client assertion (private_key_jwt, client-assertion.ts). Exactly one
 * mechanism per request. The checks and their order are oidc-provider's (the
 * differential suite holds both to the same status and error): a malformed
 * request is 400 invalid_request, a client that does not prove itself is
 * 401 invalid_client. Secrets are stored hashed (secrets.ts).
 */
import { IncomingMessage } from 'node:http';
import { clientAuthentication } from '../../model/types';
import { ServerError } from '../errors';
import { ClientSecrets } from '../secrets';
import { tokenEndpointBasic } from './basic-credentials';
import { ClientAssertions } from './client-assertion';
import { TokenParameters } from './token-parameters';
import { TokenReads } from './token-reads';

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** An authenticated client; `secretHash`: the hash it authenticated against, null for private_key_jwt. */
export interface AuthenticatedClient {
  clientId: string;
  secretHash: string | null;
}

type Presented = { method: 'secret'; clientId: string; secret: string } | { method: 'assertion'; clientId: string; assertion: string };

const invalidRequest = (description: string) => new ServerError(400, 'invalid_request', description);

export class ClientAuthentication {
  constructor(
    private readonly reads: TokenReads,
    private readonly secrets: ClientSecrets,
    private readonly assertions: ClientAssertions,
  ) {}

  async authenticate(req: IncomingMessage, params: TokenParameters): Promise<AuthenticatedClient> {
    const presented = await this.presented(req, params);
    const facts = await this.reads.client(req, presented.clientId);
    if (!facts) throw new ServerError(401, 'invalid_client', `no client '${presented.clientId}' is registered`);
    const method = clientAuthentication(facts.client);
    if (presented.method === 'secret' && method === 'client_secret' && facts.secretHash) {
      if (!(await this.secrets.verify(presented.clientId, presented.secret, facts.secretHash))) {
        throw new ServerError(401, 'invalid_client', `the client secret of '${presented.clientId}' is wrong (or was rotated)`);
      }
      return { clientId: presented.clientId, secretHash: facts.secretHash };
    }
    if (presented.method === 'assertion' && method === 'private_key_jwt') {
      await this.assertions.verify(presented.assertion, facts);
      return { clientId: presented.clientId, secretHash: null };
    }
    const registered = method === 'private_key_jwt' ? 'private_key_jwt (a client assertion signed with its keys)' : 'its client secret (client_secret_basic or client_secret_post)';
    throw new ServerError(401, 'invalid_client', `client '${presented.clientId}' authenticates with ${registered}, not the mechanism this request used`);
  }

  /** The credentials the request presents, read as oidc-provider reads them. */
  private async presented(req: IncomingMessage, params: TokenParameters): Promise<Presented> {
    const { authorization } = req.headers;
    const secret = params.get('client_secret');
    const assertion = params.get('client_assertion');
    if ([authorization, assertion, secret].filter(Boolean).length > 1) {
      throw invalidRequest('client authentication must only be provided using one mechanism: the Authorization header, client_secret or client_assertion');
    }
    let clientId = params.get('client_id');
    const setClientId = (value: string) => {
      if (clientId !== undefined && value !== clientId) throw invalidRequest(`client_id '${clientId}' does not match the client the credentials are for`);
      clientId = value;
    };
    if (secret) {
      if (!clientId) throw invalidRequest('client_secret was sent without client_id');
      return { method: 'secret', clientId, secret };
    }
    if (authorization !== undefined) {
      const basic = tokenEndpointBasic(authorization);
      setClientId(basic.clientId);
      return { method: 'secret', clientId: basic.clientId, secret: basic.secret };
    }
    if (assertion !== undefined) {
      const { decodeJwt } = await import('jose');
      let sub: unknown;
      try {
        ({ sub } = decodeJwt(assertion));
      } catch (error) {
        throw invalidRequest(`client_assertion is not a JWT: ${(error as Error).message}`);
      }
      if (typeof sub !== 'string' || !sub) throw new ServerError(401, 'invalid_client', 'the client assertion must carry sub, the client id');
      const type = params.get('client_assertion_type');
      if (type === undefined) throw invalidRequest(`client_assertion_type must be provided, with the value ${ASSERTION_TYPE}`);
      if (type !== ASSERTION_TYPE) throw invalidRequest(`client_assertion_type must have the value ${ASSERTION_TYPE}`);
      setClientId(sub);
      return { method: 'assertion', clientId: sub, assertion };
    }
    if (!clientId) throw invalidRequest('no client authentication mechanism provided: send the client id and secret with HTTP Basic, or a client assertion');
    // A client id alone (the `none` method): no client of this server may authenticate so.
    throw new ServerError(401, 'invalid_client', `client '${clientId}' sent no secret nor assertion; every client of this server must prove itself`);
  }
}
