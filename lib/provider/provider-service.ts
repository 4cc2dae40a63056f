/**
 * The Provider service of plugin protocol 6: decodes each request, dispatches
 * to the resource or data source module named by `type_name` (through the
 * registries, never a switch on type names), and encodes the answer.
 * Everything a phase does not need (ajv, the HTTP client) is created on first use.
 */
import { hostname } from 'node:os';
import { basename, resolve } from 'node:path';
import type { ModelValidator } from '../model/validate';
import { Diagnostic, diagnoseFailure, error, toProtocolDiagnostic, warning } from './framework/diagnostics';
import { renderTerraformField, terraformPathOf, toModel, withDefaults } from './framework/model-mapping';
import { AnyResourceModule, DataSourceModule, Outcome, ProviderContext, ResourceModule } from './framework/resource-module';
import { managerLabel, readPrivate, writePrivate } from './framework/ownership';
import { toProtocolSchema } from './framework/schema';
import { ValidationMemo } from './framework/validation-memo';
import { PlanChecks } from './plan-checks';
import { OwnershipPlanner } from './ownership-plan';
import { PROVIDER_SCHEMA, resolveSettings } from './provider-config';
import { ProviderRpc } from './protocol/definitions';
import { Message } from './protocol/messages';
import { decodeValue, encodeValue, isKnown, ObjectValue, Value } from './protocol/value-codec';

export type RpcHandlers = Record<ProviderRpc, (request: Message) => Promise<Message>>;

export interface ProviderServiceOptions {
  resources: readonly AnyResourceModule[];
  dataSources: readonly DataSourceModule[];
  env: NodeJS.ProcessEnv;
  /** Where operational messages go (retries); never secrets. */
  log: (line: string) => void;
  /** The Terraform working directory (the provider's cwd): names this provider's resources as managers, holds in-doubt creates. */
  cwd: string;
  /** Configurations already validated, shared by the services of one process. @default one of this service's own */
  validations?: ValidationMemo;
}

export class ProviderService {
  private readonly resources: Map<string, AnyResourceModule>;
  private readonly dataSources: Map<string, DataSourceModule>;
  private context: ProviderContext | null = null;
  private validator: ModelValidator | null = null;
  private readonly planChecks: PlanChecks;
  private readonly ownership = new OwnershipPlanner();
  private readonly validations: ValidationMemo;

  constructor(private readonly options: ProviderServiceOptions) {
    this.validations = options.validations ?? new ValidationMemo();
    this.resources = new Map(options.resources.map(r => [r.typeName, r]));
    this.dataSources = new Map(options.dataSources.map(d => [d.typeName, d]));
    this.planChecks = new PlanChecks(options.resources.filter(isModelResource));
  }

  readonly handlers: RpcHandlers = {
    GetMetadata: async () => ({
      server_capabilities: CAPABILITIES,
      resources: [...this.resources.keys()].map(type_name => ({ type_name })),
      data_sources: [...this.dataSources.keys()].map(type_name => ({ type_name })),
    }),

    GetProviderSchema: async () => ({
      provider: toProtocolSchema(PROVIDER_SCHEMA, 0),
      resource_schemas: Object.fromEntries([...this.resources].map(([name, r]) => [name, toProtocolSchema(r.schema, r.schemaVersion)])),
      data_source_schemas: Object.fromEntries([...this.dataSources].map(([name, d]) => [name, toProtocolSchema(d.schema, 0)])),
      server_capabilities: CAPABILITIES,
    }),

    ValidateProviderConfig: async () => ({ diagnostics: [] }),

    ConfigureProvider: async request => {
      const { settings, diagnostics } = resolveSettings(decodeObject(request.config), this.options.env);
      // What an earlier layout of PROCUREMENT_SECRETS_DIR left (moved, or what to do with it): shown with the plan.
      const note = (text: string) => diagnostics.push(warning('Client secrets of an earlier version', `${text}.`));
      if (settings) this.context = await this.connect(settings, note);
      return { diagnostics: diagnostics.map(toProtocolDiagnostic) };
    },

    UpgradeResourceState: async request => {
      const resource = this.resource(request.type_name);
      const raw = request.raw_state as { json?: Buffer } | undefined;
      if (!raw?.json) {
        return diagnosticsOnly(error('Unsupported state format', 'This state was stored in the legacy flatmap format, which this provider never wrote.'));
      }
      const upgraded = resource.upgradeState(Number(request.version ?? 0), JSON.parse(raw.json.toString('utf8')));
      // Answered as JSON, like the state it came from (see readResult): cheaper to write than msgpack, and numbers decode alike.
      return { upgraded_state: { json: Buffer.from(JSON.stringify(upgraded)) } };
    },

    ValidateResourceConfig: async request => {
      const resource = this.resource(request.type_name);
      const problems = this.validations.problemsOf(resource.typeName, dynamicBytes(request.config), () => this.validateModel(resource, decodeObject(request.config)));
      return diagnosticsOnly(...problems);
    },

    ValidateDataResourceConfig: async () => ({ diagnostics: [] }),

    ReadResource: async request => {
      const resource = this.resource(request.type_name);
      const state = decodeObject(request.current_state);
      const key = String(state[resource.keyAttribute]);
      const { manager } = readPrivate(request.private as Buffer | undefined);
      const outcome = await this.attempt(`read ${resource.noun} '${key}'`, resource, state, async ctx => {
        const read = await resource.read(ctx, state);
        // The state holds this instance with its manager id: its create is no longer in doubt.
        if (manager !== null && resource.kind !== null) ctx.inDoubtCreates.settle(resource.kind, key, manager);
        return read;
      });
      return { new_state: readResult(outcome.state), diagnostics: outcome.diagnostics.map(toProtocolDiagnostic), private: request.private };
    },

    PlanResourceChange: async request => {
      const resource = this.resource(request.type_name);
      const proposed = decodeValue(dynamicBytes(request.proposed_new_state)) as ObjectValue | null;
      if (proposed === null) return { planned_state: dynamic(null) }; // destroy: nothing to decide
      const prior = decodeValue(dynamicBytes(request.prior_state)) as ObjectValue | null;
      const defaulted = withDefaults(resource.schema, proposed, decodeObject(request.config), resource.keyAttribute);
      const planned = isModelResource(resource) ? defaulted : resource.keepPrior(prior, defaulted);
      const replaced = prior === null ? [] : resource.schema.attributes.filter(a => a.forcesReplacement && !sameValue(prior[a.name], planned[a.name]));
      const manager = readPrivate(request.prior_private as Buffer | undefined).manager;
      const planning = `plan ${resource.noun} '${String(planned[resource.keyAttribute])}'`;
      const ownership = await this.attempt(planning, resource, null, async ctx => ({
        state: null,
        diagnostics: isModelResource(resource) ? await this.ownership.check(ctx, resource, prior, planned, manager, replaced.length > 0) : [],
      }));
      // An object the plan leaves as the refresh read it is what the server holds, and its configuration was
      // validated already (ValidateResourceConfig): nothing to validate or ask the server. Most of a no-change plan.
      const unchanged = isModelResource(resource) && prior !== null && isKnown(planned) && JSON.stringify(prior) === JSON.stringify(planned);
      const invalid = unchanged ? [] : this.validateModel(resource, planned);
      // Only a valid object is worth asking the server about; an unconfigured provider has said why already.
      const check = (ctx: ProviderContext) =>
        isModelResource(resource) ? this.planChecks.check(ctx, resource, planned) : this.attempt(planning, resource, null, async c => ({ state: null, diagnostics: await resource.checkPlan(c, prior, planned) })).then(o => o.diagnostics);
      const refused = invalid.length === 0 && !unchanged && this.context ? await check(this.context) : [];
      if (!isModelResource(resource) && invalid.length === 0 && !refused.some(d => d.severity === 'error')) {
        const policy = resource.proposedPolicy(planned);
        if (policy !== null) this.planChecks.proposePolicy(policy);
      }
      return {
        planned_state: dynamic(planned),
        requires_replace: replaced.map(a => ({ steps: [{ attribute_name: a.name }] })),
        planned_private: request.prior_private,
        diagnostics: [...invalid, ...ownership.diagnostics, ...refused].map(toProtocolDiagnostic),
      };
    },

    ApplyResourceChange: async request => {
      const resource = this.resource(request.type_name);
      const prior = decodeValue(dynamicBytes(request.prior_state)) as ObjectValue | null;
      const planned = decodeValue(dynamicBytes(request.planned_state)) as ObjectValue | null;
      const subject = planned ?? prior ?? {};
      const key = subject[resource.keyAttribute];
      // Terraform hands the instance's private state (its manager id) to apply as planned_private, destroys included.
      let manager = readPrivate(request.planned_private as Buffer | undefined).manager;
      const [verb, run] =
        planned === null
          ? ['delete', (ctx: ProviderContext) => resource.delete(ctx, prior!, manager)]
          : prior === null
            ? ['create', async (ctx: ProviderContext) => {
                const created = await resource.create(ctx, planned);
                manager = (created as { manager?: string | null }).manager ?? null; // a document resource has none
                return created;
              }]
            : ['update', (ctx: ProviderContext) => resource.update(ctx, prior, planned, manager)];
      // On failure the state stays what it was (nothing created, the old object kept): a re-run converges.
      const outcome = await this.attempt(`${verb} ${resource.noun} '${String(key)}'`, resource, prior, run);
      return { new_state: dynamic(outcome.state), private: writePrivate({ manager }), diagnostics: outcome.diagnostics.map(toProtocolDiagnostic) };
    },

    ImportResourceState: async request => {
      const resource = this.resource(request.type_name);
      const id = String(request.id ?? '');
      if (!id) return diagnosticsOnly(error('Missing import id', `Import a ${resource.noun} by its ${resource.keyAttribute}, e.g. \`terraform import ${resource.typeName}.example <${resource.keyAttribute}>\`.`));
      // Import adopts the object: this resource becomes its manager, and whoever managed it before loses it.
      let manager: string | null = null;
      const adopted = await this.attempt(`import ${resource.noun} '${id}'`, resource, null, async ctx => {
        if (!isModelResource(resource)) {
          const missing = await resource.checkImport(ctx, id);
          return { state: missing ? null : resource.importState(id), diagnostics: missing ? [missing] : [] };
        }
        if (!(await ctx.snapshot.find(resource.kind, id))) {
          const detail = `There is no ${resource.noun} '${id}' on the server at ${ctx.client.url}: check the ${resource.keyAttribute} you import by.`;
          return { state: null, diagnostics: [error('Cannot import non-existent remote object', detail)] };
        }
        manager = await resource.adopt(ctx, id);
        return { state: resource.importState(id), diagnostics: [] };
      });
      if (adopted.state === null) return { diagnostics: adopted.diagnostics.map(toProtocolDiagnostic) };
      return { imported_resources: [{ type_name: resource.typeName, state: dynamic(adopted.state), private: writePrivate({ manager }) }] };
    },

    ReadDataSource: async request => {
      const dataSource = known(this.dataSources, request.type_name);
      const config = decodeObject(request.config);
      const outcome = await this.attempt(`read data source ${dataSource.typeName}`, null, null, ctx => dataSource.read(ctx, config));
      return { state: dynamic(outcome.state), diagnostics: outcome.diagnostics.map(toProtocolDiagnostic) };
    },

    // Terraform lets in-flight calls finish after asking us to stop; every write is a single idempotent request.
    StopProvider: async () => ({}),
  };

  private resource(typeName: unknown): AnyResourceModule {
    return known(this.resources, typeName);
  }

  /** Runs a call against the server; a failure becomes diagnostics and leaves `fallback` as the state. */
  private async attempt(
    action: string,
    resource: AnyResourceModule | null,
    fallback: ObjectValue | null,
    run: (ctx: ProviderContext) => Promise<Outcome>,
  ): Promise<Outcome> {
    if (!this.context) {
      return { state: fallback, diagnostics: [error('Provider not configured', `Could not ${action}: the provider configuration was not accepted (see the errors above).`)] };
    }
    try {
      return await run(this.context);
    } catch (failure) {
      const schema = resource?.schema;
      const diagnostics = diagnoseFailure(failure, {
        action,
        pathOf: schema && (p => terraformPathOf(schema, p)),
        fieldName: schema && (p => renderTerraformField(schema, p)),
      });
      return { state: fallback, diagnostics };
    }
  }

  /** Checks a (possibly partly unknown) value with the model's JSON Schemas; fields not known yet are checked later. */
  private validateModel(resource: AnyResourceModule, value: ObjectValue): Diagnostic[] {
    if (!isModelResource(resource)) return resource.validate(value);
    const { object, unknownFields } = toModel(resource.schema, value);
    const result = this.modelValidator().validate(resource.kind, object);
    if (result.ok) return [];
    return result.problems
      .filter(p => !unknownFields.has(String(p.path[0])))
      .map(p => error(`Invalid ${resource.noun}`, `${renderTerraformField(resource.schema, p)} ${p.message}.`, terraformPathOf(resource.schema, p)));
  }

  private modelValidator(): ModelValidator {
    // ajv compiles the schemas on construction: only phases that validate pay for it.
    this.validator ??= new (require('../model/validate') as typeof import('../model/validate')).ModelValidator();
    return this.validator;
  }

  /**
   * Loads now what the first calls of a plan would load (the model's validators, the HTTP client and the live
   * snapshot, Node's fetch implementation), for a process that has time before Terraform's first call.
   */
  static prepare(): void {
    require('../model/validate');
    require('../client/admin-client');
    require('../client/secret-store');
    require('../client/secrets-layout');
    require('../client/secret-command');
    require('./live-snapshot');
    require('./in-doubt-creates');
    void globalThis.Response; // Node loads its fetch implementation (undici) when first used: about 50 ms
  }

  private async connect(settings: NonNullable<ReturnType<typeof resolveSettings>['settings']>, note: (text: string) => void): Promise<ProviderContext> {
    const [{ AdminClient }, { SecretStore }, { openStackSecrets }, { SecretCommand }, { LiveSnapshot }] = [
      require('../client/admin-client') as typeof import('../client/admin-client'),
      require('../client/secret-store') as typeof import('../client/secret-store'),
      require('../client/secrets-layout') as typeof import('../client/secrets-layout'),
      require('../client/secret-command') as typeof import('../client/secret-command'),
      require('./live-snapshot') as typeof import('./live-snapshot'),
    ];
    const client = new AdminClient({
      url: settings.url,
      adminToken: settings.adminToken,
      timeoutMs: settings.timeoutMs,
      actor: 'terraform-provider-procurement',
      onRetry: ({ attempt, delayMs, reason }) => this.options.log(`admin API ${reason}: retry ${attempt} in ${Math.round(delayMs)} ms`),
    });
    const { InDoubtCreates } = require('./in-doubt-creates') as typeof import('./in-doubt-creates');
    const { cwd, env } = this.options;
    return {
      client,
      snapshot: new LiveSnapshot(client),
      // Relative to the Terraform working directory (the provider's own cwd, however it was started); under
      // PROCUREMENT_SECRETS_DIR, in the directory of this stack (named after that working directory) on this server.
      secrets: !settings.secretsDir
        ? null
        : settings.secretsDirIsRoot
          ? openStackSecrets(
              { root: resolve(cwd, settings.secretsDir), stack: basename(resolve(cwd)), serverUrl: settings.url, serverName: settings.serverName },
              note,
            )
          : new SecretStore(resolve(cwd, settings.secretsDir)),
      secretsCommand: settings.secretsCommand ? new SecretCommand(settings.secretsCommand, { env, cwd }) : null,
      managerLabel: managerLabel(cwd, hostname()),
      inDoubtCreates: new InDoubtCreates(resolve(cwd, env.TF_DATA_DIR ?? '.terraform')),
    };
  }
}

function isModelResource(resource: AnyResourceModule): resource is ResourceModule {
  return resource.kind !== null;
}

const CAPABILITIES = { plan_destroy: false, get_provider_schema_optional: true };

/** Terraform only asks for types the schema listed; anything else is a bug, reported by the gRPC layer as a diagnostic. */
function known<T>(registry: Map<string, T>, typeName: unknown): T {
  const module = registry.get(String(typeName));
  if (!module) throw new Error(`the procurement provider has no type '${String(typeName)}'`);
  return module;
}

function diagnosticsOnly(...diagnostics: Diagnostic[]): Message {
  return { diagnostics: diagnostics.map(toProtocolDiagnostic) };
}

function dynamicBytes(value: unknown): Buffer | undefined {
  return (value as { msgpack?: Buffer } | undefined)?.msgpack;
}

function decodeObject(value: unknown): ObjectValue {
  return (decodeValue(dynamicBytes(value)) as ObjectValue | null) ?? {};
}

function dynamic(value: Value): Message {
  return { msgpack: encodeValue(value) };
}

/**
 * A read answered as JSON, not msgpack, so that a clean `plan -refresh-only -detailed-exitcode` exits 0.
 * Terraform 1.11 decides whether a refresh changed anything with reflect.DeepEqual over state objects that
 * cache their decoded value; a number decoded from msgpack is a 64-bit big.Float, the same number decoded
 * from the state's JSON a 512-bit one, so every resource with a number attribute (procurement_client)
 * counted as changed while the plan printed "No changes". JSON decodes like the state does. Reads are
 * always fully known, which JSON can carry.
 */
function readResult(value: ObjectValue | null): Message {
  return isKnown(value) ? { json: Buffer.from(JSON.stringify(value)) } : dynamic(value);
}

function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
