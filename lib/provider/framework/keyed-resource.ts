/**
 * CRUD, import and state upgrade of a resource whose key is chosen by the
 * author (scope name, role name, client id, binding name): every write is an
 * idempotent PUT of the whole object at its key, so a retried or re-run apply
 * never duplicates anything. Resource modules spread this into their
 * definition and add what is particular to them.
 */
import { AdminApiError } from '../../client/admin-client';
import { STORED_NOT_PUSHED } from '../../model/admin-api';
import { Kind, KindObject } from '../../model/types';
import { managerDigest } from '../../model/ownership';
import { ObjectValue } from '../protocol/value-codec';
import { Diagnostic } from './diagnostics';
import { fromModel, nullObject, toModel } from './model-mapping';
import { newManagerId } from './ownership';
import { Outcome, ProviderContext, ResourceModule } from './resource-module';
import { ObjectSchema } from './schema';

export interface KeyedResourceOptions<K extends Kind> {
  kind: K;
  schema: ObjectSchema;
  keyAttribute: string;
  /** Called when the server has just created the object (answered 201) or answered a secret, with what it answered once. */
  afterCreate?: (ctx: ProviderContext, key: string, answer: { clientSecret?: string; downstreamClientId?: string }) => Promise<Diagnostic[]>;
  /** Called when the object has been deleted on the server (or was already gone). */
  afterDelete?: (ctx: ProviderContext, key: string) => void;
  /** Keeps the prior spelling of values the server rewrote into an equal form (e.g. date-times) and the prior order of object lists, so they never show as drift. */
  keepEquivalent?: (fresh: ObjectValue, prior: ObjectValue) => ObjectValue;
}

type KeyedCrud = Pick<ResourceModule, 'read' | 'create' | 'update' | 'delete' | 'importState' | 'upgradeState' | 'adopt'>;

export function keyedResource<K extends Kind>(options: KeyedResourceOptions<K>): KeyedCrud {
  const { kind, schema, keyAttribute } = options;
  const keyOf = (value: ObjectValue) => String(value[keyAttribute] ?? value.id);

  const claim = (ctx: ProviderContext, manager: string | null) => (manager === null ? {} : { manager: { id: manager, label: ctx.managerLabel } });

  const write = async (ctx: ProviderContext, planned: ObjectValue, manager: string | null, creating: boolean): Promise<Outcome> => {
    const key = keyOf(planned);
    const object = toModel(schema, planned).object as unknown as KindObject[K];
    const answer = await ctx.client.put(kind, object, key, claim(ctx, manager));
    const since = new Date().toISOString();
    ctx.snapshot.remember(kind, answer.value, creating && manager !== null ? { digest: managerDigest(manager), since } : undefined);
    // A client that drops its keys gets its first secret on update: delivered like a new client's.
    const issued = (creating && answer.created) || answer.clientSecret !== undefined;
    const diagnostics = issued && options.afterCreate ? await options.afterCreate(ctx, key, answer) : [];
    // The planned value is what Terraform checks the result against; the server's normalized copy equals it.
    return { state: { ...planned, id: key }, diagnostics };
  };

  return {
    async read(ctx, state) {
      const key = keyOf(state);
      const live = await ctx.snapshot.find(kind, key);
      if (!live) return { state: null, diagnostics: [] };
      const fresh = fromModel(schema, live as unknown as Record<string, unknown>, key);
      return { state: options.keepEquivalent ? options.keepEquivalent(fresh, state) : fresh, diagnostics: [] };
    },
    async create(ctx, planned) {
      const key = keyOf(planned);
      // A create that may have landed without reaching the state is retried with its manager id: the server sees a
      // retry, not a takeover. Recorded before the request, since Terraform may die before it saves the answer.
      const earlier = ctx.inDoubtCreates.managerOf(kind, key);
      const manager = earlier ?? newManagerId();
      if (earlier === null) ctx.inDoubtCreates.remember(kind, key, manager);
      try {
        return { ...(await write(ctx, planned, manager, true)), manager };
      } catch (failure) {
        // Refused by the server: nothing landed under a new id. Stored but not pushed to the downstream: it landed,
        // and the next apply's create must be the same one, to receive the downstream credentials then.
        if (failure instanceof AdminApiError && earlier === null && !STORED_NOT_PUSHED.includes(failure.code)) ctx.inDoubtCreates.settle(kind, key, manager);
        throw failure;
      }
    },
    update: (ctx, _prior, planned, manager) => write(ctx, planned, manager, false),
    async delete(ctx, prior, manager) {
      const key = keyOf(prior);
      await ctx.client.delete(kind, key, claim(ctx, manager)); // already gone counts as deleted: a re-run converges
      ctx.snapshot.forget(kind, key);
      options.afterDelete?.(ctx, key);
      return { state: null, diagnostics: [] };
    },
    importState: id => nullObject(schema, { [keyAttribute]: id, id }),
    async adopt(ctx, key) {
      const manager = newManagerId();
      await ctx.client.adopt(kind, key, { id: manager, label: ctx.managerLabel });
      return manager;
    },
    // Every schema change so far only added optional attributes: state written before one takes its default
    // (what the server holds for an object stored before it, too), so the upgrade shows no change; others are null.
    upgradeState: (_version, stored) => nullObject(schema, { ...addedDefaults(schema, stored), ...(stored as ObjectValue) }),
  };
}

function addedDefaults(schema: ObjectSchema, stored: Record<string, unknown>): ObjectValue {
  const missing = schema.attributes.filter(spec => !(spec.name in stored) && spec.default !== undefined);
  return Object.fromEntries(missing.map(spec => [spec.name, structuredClone(spec.default)])) as ObjectValue;
}
