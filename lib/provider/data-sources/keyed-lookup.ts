/**
 * A data source that looks up one existing object by its key and exposes the
 * attributes of the matching resource type, all computed. Built from the
 * resource's schema so the two never disagree.
 */
import { error } from '../framework/diagnostics';
import { fromModel } from '../framework/model-mapping';
import { DataSourceModule, ResourceModule } from '../framework/resource-module';
import { ObjectSchema } from '../framework/schema';

/** The data source of `resource`'s type (`data "procurement_client"` beside `resource "procurement_client"`). */
export function keyedLookup(resource: ResourceModule): DataSourceModule {
  const key = resource.keyAttribute;
  const schema: ObjectSchema = {
    description: `Looks up an existing ${resource.noun} by \`${key}\`.`,
    // What an apply resolves (a client's downstream_drift) belongs to the resource's plans, not to a lookup.
    attributes: resource.schema.attributes.filter(spec => !spec.plannedNull).map(spec =>
      spec.name === key
        ? { ...spec, required: true, forcesReplacement: false, description: `The ${resource.noun} to look up.` }
        : { ...spec, required: false, optional: false, computed: true, default: undefined },
    ),
  };
  return {
    typeName: resource.typeName,
    schema,
    async read(ctx, config) {
      const wanted = String(config[key]);
      const live = await ctx.snapshot.find(resource.kind, wanted);
      if (!live) {
        return {
          state: null,
          diagnostics: [
            error(
              `${capitalize(resource.noun)} not found`,
              `No ${resource.noun} '${wanted}' exists on the authorization server. Check the spelling, or create it first (a \`${resource.typeName}\` resource).`,
              [key],
            ),
          ],
        };
      }
      return { state: fromModel(schema, live as unknown as Record<string, unknown>, wanted), diagnostics: [] };
    },
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
