/**
 * The shape every resource and data source module has. One module per type,
 * listed in one registry (resources/index.ts, data-sources/index.ts); the
 * provider service dispatches through these interfaces, never on type names.
 */
import type { AdminClient } from '../../client/admin-client';
import type { SecretCommand } from '../../client/secret-command';
import type { SecretStore } from '../../client/secret-store';
import type { Kind } from '../../model/types';
import type { InDoubtCreates } from '../in-doubt-creates';
import type { LiveSnapshot } from '../live-snapshot';
import type { ObjectValue } from '../protocol/value-codec';
import type { Diagnostic } from './diagnostics';
import type { ObjectSchema } from './schema';

/** What a configured provider process works with. */
export interface ProviderContext {
  readonly client: AdminClient;
  readonly snapshot: LiveSnapshot;
  /** Where client secrets are written; null when the provider has no `secrets_dir`. */
  readonly secrets: SecretStore | null;
  /** The command new client secrets are handed to; null when the provider has no `secrets_command`. */
  readonly secretsCommand: SecretCommand | null;
  /** Where this provider's resources live, sent with their manager ids so that refusals elsewhere can name them. */
  readonly managerLabel: string;
  readonly inDoubtCreates: InDoubtCreates;
}

export interface Outcome {
  /** The new Terraform value; null when the object is gone. */
  state: ObjectValue | null;
  diagnostics: Diagnostic[];
}

export interface ResourceModule {
  /** Terraform type name, e.g. `procurement_client`. */
  readonly typeName: string;
  /** The admin API kind this resource manages. */
  readonly kind: Kind;
  /** The object in the user's words, for messages: "client", "role binding". */
  readonly noun: string;
  readonly schema: ObjectSchema;
  /** The attribute holding the key (author-chosen, forces replacement); also the import id. */
  readonly keyAttribute: string;
  /** Bumped with every schema change that needs stored state rewritten; `upgradeState` handles the older ones. */
  readonly schemaVersion: number;
  /** Answers the live object for `state` (null when it is gone, so Terraform plans to create it again). */
  read(ctx: ProviderContext, state: ObjectValue): Promise<Outcome>;
  /** Creates the object as its manager: answers the new manager id, to keep in the instance's private state. */
  create(ctx: ProviderContext, planned: ObjectValue): Promise<Outcome & { manager: string | null }>;
  /** `manager`: the instance's manager id (null for state written before ownership); the server refuses any other. */
  update(ctx: ProviderContext, prior: ObjectValue, planned: ObjectValue, manager: string | null): Promise<Outcome>;
  delete(ctx: ProviderContext, prior: ObjectValue, manager: string | null): Promise<Outcome>;
  /** The state Terraform reads after `terraform import <address> <id>`: the key; `read` fills in the rest. */
  importState(id: string): ObjectValue;
  /** Takes the object over for an import: answers the new manager id; the previous manager loses it. */
  adopt(ctx: ProviderContext, key: string): Promise<string>;
  /** Stored state (JSON, written under `version`) as the current schema's value. Called for every instance on every plan: keep it cheap. */
  upgradeState(version: number, stored: Record<string, unknown>): ObjectValue;
}

/**
 * A resource that is not one of the model's objects (the server's policy document, `procurement_policy`): the
 * provider service cannot derive its checks from the model (schemas, ownership, references, dry-run admission,
 * the snapshot), so the module brings them. It has no manager id: there is one such object per server.
 */
export interface DocumentResourceModule extends Omit<ResourceModule, 'kind' | 'adopt' | 'create'> {
  readonly kind: null;
  create(ctx: ProviderContext, planned: ObjectValue): Promise<Outcome>;
  /**
   * The planned value with the prior spelling of values that mean the same (Terraform accepts a provider's plan that
   * keeps the prior value in place of an equivalent configured one), so that spelling alone never shows as a change.
   */
  keepPrior(prior: ObjectValue | null, planned: ObjectValue): ObjectValue;
  /** Problems of a (possibly partly unknown) configuration or planned value, on their attributes. */
  validate(value: ObjectValue): Diagnostic[];
  /** At plan, for a create or a change (`prior` null: create): what apply would be refused, before anything is applied. */
  checkPlan(ctx: ProviderContext, prior: ObjectValue | null, planned: ObjectValue): Promise<Diagnostic[]>;
  /** For import: a diagnostic when there is nothing under `key` to import, else null. */
  checkImport(ctx: ProviderContext, key: string): Promise<Diagnostic | null>;
  /**
   * The policy document a planned value puts in force, once known and valid: the objects this plan changes after it
   * (they depend on it) are judged at plan with it, as their apply will be.
   */
  proposedPolicy(planned: ObjectValue): unknown | null;
}

/** What the provider service serves: model objects, and the one document resource. */
export type AnyResourceModule = ResourceModule | DocumentResourceModule;

export interface DataSourceModule {
  readonly typeName: string;
  readonly schema: ObjectSchema;
  read(ctx: ProviderContext, config: ObjectValue): Promise<Outcome>;
}
