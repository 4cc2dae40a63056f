/**
 * `procurement_client`: an OAuth client (an integration). Its secret is never
 * an attribute: the server answers it once, on create, and the provider hands
 * it to `secrets_command` and/or `secrets_dir` (one 0600 file per client),
 * or says how to get one.
 */
import { isDeepStrictEqual } from 'node:util';
import { LIMITS } from '../../model/schemas';
import { GRANT_TYPES } from '../../model/types';
import { Diagnostic, error, warning } from '../framework/diagnostics';
import { keyedResource } from '../framework/keyed-resource';
import { ProviderContext, ResourceModule } from '../framework/resource-module';
import { ID_ATTRIBUTE, ObjectSchema } from '../framework/schema';
import { ObjectValue } from '../protocol/value-codec';

const { tokenLifetimeSeconds: lifetime, secretRotationDays: rotation } = LIMITS;

const schema: ObjectSchema = {
  description:
    'An OAuth client of the authorization server. Its secret never enters state: on create it is handed to the provider\'s `secrets_command` ' +
    'and/or written to its `secrets_dir`; `procurement-scopes rotate-secret <client_id>` issues a new one. A client declared with `jwks` or ' +
    '`jwks_uri` authenticates with `private_key_jwt` instead and has no secret at all.',
  attributes: [
    {
      name: 'client_id',
      type: 'string',
      required: true,
      forcesReplacement: true,
      description: 'The client id: lower case letters, digits, dots, dashes or underscores (e.g. `erp-connector`). Changing it replaces the client.',
    },
    { name: 'display_name', type: 'string', required: true, description: 'A name people recognize (e.g. `ERP connector`).' },
    { name: 'owner', type: 'string', required: true, description: 'The team that owns the integration.' },
    {
      name: 'external',
      type: 'bool',
      optional: true,
      computed: true,
      default: false,
      description: 'A supplier or partner integration, outside the company: it may only hold scopes marked external. Default: false.',
    },
    {
      name: 'grant_types',
      type: 'set_of_string',
      optional: true,
      computed: true,
      default: ['client_credentials'],
      description: `OAuth grant types the client may use: any of ${GRANT_TYPES.join(', ')}. A set. Default: ["client_credentials"].`,
    },
    {
      name: 'redirect_uris',
      type: 'set_of_string',
      optional: true,
      computed: true,
      default: [],
      description: 'Absolute https URIs to send users back to; at least one is required with authorization_code. A set. Default: none.',
    },
    {
      name: 'token_lifetime_seconds',
      type: 'number',
      optional: true,
      computed: true,
      default: lifetime.default,
      description: `Lifetime of the client's access tokens, ${lifetime.min} to ${lifetime.max} seconds. Default: ${lifetime.default}.`,
    },
    {
      name: 'secret_rotation_days',
      type: 'number',
      optional: true,
      computed: true,
      default: rotation.default,
      description: `How often the client's secret must be rotated, ${rotation.min} to ${rotation.max} days. Default: ${rotation.default}.`,
    },
    {
      name: 'introspection',
      type: 'bool',
      optional: true,
      computed: true,
      default: false,
      description:
        'A resource server: may introspect the access tokens of every client (RFC 7662) and read their scopes. ' +
        'Without it a client introspects only its own tokens; any other token answers inactive. Default: false.',
    },
    {
      name: 'jwks',
      type: 'string',
      optional: true,
      json: true,
      description:
        'The public keys the client signs its token requests with (`private_key_jwt`, RFC 7523), as JWKS JSON text, e.g. `file("erp-jwks.json")` or ' +
        '`jsonencode({ keys = [...] })`. A client with keys has no secret: none is created, delivered or rotated. Public members only ' +
        `(kty, crv, x, y, n, e, kid, alg, use); at most ${LIMITS.jwksMaxKeys} keys. Conflicts with \`jwks_uri\`. Default: none (a server-issued secret).`,
    },
    {
      name: 'jwks_uri',
      type: 'string',
      optional: true,
      description:
        'An https URL where the client publishes those keys instead of `jwks`; it must resolve to a public address (the server never fetches from ' +
        'loopback or private ones). A client with keys has no secret. Conflicts with `jwks`. Default: none.',
    },
    ID_ATTRIBUTE,
  ],
};

/**
 * The server answers a new client's secret exactly once: hand it to `secrets_command` and/or keep it in `secrets_dir`,
 * or say how to get another. A failed hand-over is an error: the apply must not pass while an owner lacks a secret.
 * Terraform then marks the new client tainted, hence the `untaint` in the way out.
 */
async function keepClientSecret(ctx: ProviderContext, clientId: string, answer: { clientSecret?: string; downstreamClientId?: string }): Promise<Diagnostic[]> {
  if (!answer.clientSecret) return [];
  const rotate = `\`procurement-scopes rotate-secret ${clientId}\``;
  if (!ctx.secrets && !ctx.secretsCommand) {
    return [
      warning(
        'Client secret not kept',
        `The server issued a secret for client '${clientId}' once. The provider has no \`secrets_command\` or \`secrets_dir\` ` +
          `(PROCUREMENT_SECRETS_COMMAND, PROCUREMENT_SECRETS_DIR), so the secret was discarded; it is never written to Terraform state. ` +
          `Run ${rotate} to issue a new one, and set one of them to deliver the secrets of clients created later.`,
        ['client_id'],
      ),
    ];
  }
  const failures: string[] = [];
  if (ctx.secretsCommand) {
    await ctx.secretsCommand.deliver(clientId, answer.clientSecret, answer.downstreamClientId).catch((e: Error) => failures.push(e.message));
  }
  if (ctx.secrets) {
    try {
      ctx.secrets.save(clientId, answer.clientSecret, new Date(), answer.downstreamClientId);
    } catch (failure) {
      failures.push(`it could not be written to ${ctx.secrets.dir} (${(failure as Error).message})`);
    }
  }
  if (failures.length === 0) return [];
  return [
    error(
      'Client secret not delivered',
      `The client '${clientId}' was created, but its secret did not reach its owner: ${failures.join('; ')}. ` +
        'The secret was discarded (it is never written to state or logs), and Terraform marks the client tainted. To recover: fix the cause, ' +
        `run ${rotate} with the fixed command in PROCUREMENT_SECRETS_COMMAND (or --secrets-command; --secrets-dir for a file) to issue and deliver a new secret, then ` +
        '`terraform untaint <address of this procurement_client>` so that the next apply does not replace the client.',
      ['client_id'],
    ),
  ];
}

/** The server answers the JWKS as compact JSON; the configuration's text (spacing, key order) stays in state while it means the same keys. */
function keepJwksText(fresh: ObjectValue, prior: ObjectValue): ObjectValue {
  const same = typeof fresh.jwks === 'string' && typeof prior.jwks === 'string' && sameJson(fresh.jwks, prior.jwks);
  return same ? { ...fresh, jwks: prior.jwks } : fresh;
}

function sameJson(a: string, b: string): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(a), JSON.parse(b));
  } catch {
    return false;
  }
}

export const clientResource = {
  typeName: 'procurement_client',
  kind: 'clients',
  noun: 'client',
  schema,
  keyAttribute: 'client_id',
  // 1: `introspection` added (state written before it takes its default, see keyed-resource.ts). `jwks` and `jwks_uri`
  // came later without a new version: optional and without default, older state reads them as null, which they are.
  schemaVersion: 1,
  ...keyedResource({ kind: 'clients', schema, keyAttribute: 'client_id', afterCreate: keepClientSecret, keepEquivalent: keepJwksText }),
} satisfies ResourceModule;
