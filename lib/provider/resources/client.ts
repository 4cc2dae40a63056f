/**
 * `procurement_client`: an OAuth client (an integration). Its secret is never
 * an attribute: the server answers it once, on create, and the provider hands
 * it to `secrets_command` and/or `secrets_dir` (one 0600 file per client),
 * or says how to get one.
 */
import { isDeepStrictEqual } from 'node:util';
import { KEY_ATTRIBUTE, RESOURCE_TYPE, TERRAFORM_SCHEMA } from '../../model/terraform-attributes';
import { NOUN } from '../../model/types';
import { Diagnostic, error, warning } from '../framework/diagnostics';
import { keyedResource } from '../framework/keyed-resource';
import { ProviderContext, ResourceModule } from '../framework/resource-module';
import { AttributeSpec, withId } from '../framework/schema';
import { DownstreamOutOfSync } from '../../model/admin-api';
import { ObjectValue } from '../protocol/value-codec';

/**
 * What a refresh found the control plane's downstream holding for the client, when it is not what the model
 * allows now (drift there, a push still pending, a client not created or deleted there): the plan shows it as
 * changed outside Terraform and as an update, and the apply (a write of the client) pushes the model over it.
 */
const DOWNSTREAM_DRIFT: AttributeSpec = {
  name: 'downstream_drift',
  type: 'string',
  computed: true,
  plannedNull: true,
  description:
    "With a server that pushes to a downstream authorization server (`server --downstream`): null while the downstream holds what the model allows this client now; otherwise what it holds instead and why. A refresh that finds one plans an update; the apply puts the model's scopes back there.",
};

const schema = withId({ ...TERRAFORM_SCHEMA.clients, attributes: [...TERRAFORM_SCHEMA.clients.attributes, DOWNSTREAM_DRIFT] });

/** The `downstream_drift` text: what the downstream holds, what the model allows, why. */
function describeDrift({ kind, entry }: { kind: string; entry: DownstreamOutOfSync }): string {
  const list = (scopes: readonly string[]) => (scopes.length === 0 ? 'nothing (disabled)' : scopes.join(' '));
  return `the ${kind} downstream holds ${entry.held === null ? 'no such client' : list(entry.held)} where the model allows ${list(entry.wanted)}: ${entry.why}`;
}

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

const crud = keyedResource({ kind: 'clients', schema, keyAttribute: KEY_ATTRIBUTE.clients, afterCreate: keepClientSecret, afterDelete: (ctx, key) => ctx.secrets?.remove(key), keepEquivalent: keepJwksText });

export const clientResource = {
  typeName: RESOURCE_TYPE.clients,
  kind: 'clients',
  noun: NOUN.clients,
  schema,
  keyAttribute: KEY_ATTRIBUTE.clients,
  // 1: `introspection` added (state written before it takes its default, see keyed-resource.ts). `jwks` and `jwks_uri`
  // came later without a new version: optional and without default, older state reads them as null, which they are.
  schemaVersion: 1,
  ...crud,
  async read(ctx, state) {
    const read = await crud.read(ctx, state);
    if (read.state === null) return read;
    const drift = await ctx.snapshot.downstreamDrift(String(read.state.client_id));
    return { ...read, state: { ...read.state, downstream_drift: drift && describeDrift(drift) } };
  },
} satisfies ResourceModule;
