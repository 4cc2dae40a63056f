/**
 * `procurement_client_effective_scopes`: the scopes a client may really ask
 * for now, computed by the model's one effective-scopes function from the same
 * live snapshot every read uses (no extra request).
 */
import { effectiveScopes } from '../../model/effective-scopes';
import { error } from '../framework/diagnostics';
import { DataSourceModule } from '../framework/resource-module';
import { ID_ATTRIBUTE, ObjectSchema } from '../framework/schema';

const schema: ObjectSchema = {
  description: 'The effective scopes of a client: the union of the scopes of its unexpired role bindings, widened by `implies`.',
  attributes: [
    { name: 'client_id', type: 'string', required: true, description: 'The client to look up.' },
    { name: 'scopes', type: 'set_of_string', computed: true, description: 'The scopes a token request of this client may be granted.' },
    ID_ATTRIBUTE,
  ],
};

export const clientEffectiveScopesDataSource = {
  typeName: 'procurement_client_effective_scopes',
  schema,
  async read(ctx, config) {
    const clientId = String(config.client_id);
    if (!(await ctx.snapshot.find('clients', clientId))) {
      return {
        state: null,
        diagnostics: [error('Client not found', `No client '${clientId}' exists on the authorization server. Check the spelling, or create it first.`, ['client_id'])],
      };
    }
    const scopes = effectiveScopes(clientId, await ctx.snapshot.model(), new Date());
    return { state: { client_id: clientId, scopes, id: clientId }, diagnostics: [] };
  },
} satisfies DataSourceModule;
