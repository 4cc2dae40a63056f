/**
 * `procurement_policy`: the policy document the server enforces for its
 * environment (allow-list, conflicting scope sets, windows, exceptions), so
 * that changing it goes through the same plan and review as every object.
 *
 * Not a model object, so it brings its own checks (DocumentResourceModule):
 * - the document is validated by the policy layer at validate and plan, an
 *   exception without a written reason included, and must name the same
 *   environment as the resource and the server;
 * - compared in one spelling (`policyJson`): key order, whitespace and preset
 *   fields spelled out or left out never show as a change;
 * - a write happens only when the server enforces something else: so a write
 *   token applies a stack whose policy is already in force, and a change
 *   needs an admin token, which the plan says before anything is applied;
 * - destroy puts the environment's recommended preset back
 *   (`DELETE /admin/v1/policy`): the server is never without a policy.
 */
import { AdminApiError } from '../../client/admin-client';
import { POLICY_RESOURCE_TYPE, POLICY_SCHEMA } from '../../model/terraform-attributes';
import type { Problem } from '../../model/validate';
import { parsePolicyJson, PolicyDocument, policyChanges, policyJson, samePolicyJson } from '../../policy';
import { Diagnostic, error, warning } from '../framework/diagnostics';
import { nullObject } from '../framework/model-mapping';
import { DocumentResourceModule, Outcome, ProviderContext } from '../framework/resource-module';
import { isKnown, ObjectValue } from '../protocol/value-codec';

const schema = POLICY_SCHEMA;

/**
 * Where the document's diagnostics point. Never at `document`: Terraform prints the lines of the attribute a
 * diagnostic names, and the document's is the whole policy, escaped, on one line (cdk.tf.json); the detail says
 * where in the document instead, as a JSON path.
 */
const ENVIRONMENT = ['environment'];

export const policyResource = {
  typeName: POLICY_RESOURCE_TYPE,
  kind: null,
  noun: 'policy',
  schema,
  keyAttribute: 'environment',
  schemaVersion: 0,

  validate(value) {
    const parsed = parsedDocument(value);
    if (parsed === null) return [];
    if (!parsed.ok) return parsed.problems.map(invalidDocument);
    const environment = value.environment;
    if (typeof environment === 'string' && parsed.value.environment !== environment) {
      return [
        error(
          'Policy for another environment',
          `The document is for '${parsed.value.environment}' (at $.environment) but environment is '${environment}': set the document's ` +
            `environment to '${environment}'.`,
          ENVIRONMENT,
        ),
      ];
    }
    return [];
  },

  keepPrior(prior, planned) {
    const [was, now] = [prior?.document, planned.document];
    return typeof was === 'string' && typeof now === 'string' && isKnown(now) && was !== now && samePolicyJson(was, now) ? { ...planned, document: was } : planned;
  },

  async checkPlan(ctx, prior, planned) {
    if (prior !== null && prior.document === planned.document && prior.environment === planned.environment) return [];
    const parsed = parsedDocument(planned);
    if (parsed === null || !parsed.ok) return []; // judged at apply, or reported by validate already
    const live = await ctx.client.policy();
    const wrongServer = otherEnvironment(ctx, live.value, parsed.value.environment);
    if (wrongServer) return [wrongServer];
    if (policyJson(live.value as PolicyDocument) === policyJson(parsed.value)) return []; // in force already: nothing to write
    if (prior === null && live.source === 'stored') {
      return [
        error(
          `The '${parsed.value.environment}' policy is already set`,
          `The server at ${ctx.client.url} enforces a stored policy for '${parsed.value.environment}' that differs from this one (set through the ` +
            'admin API, or by another Terraform configuration). A create never takes over an existing object: to manage it from ' +
            `this resource, import it (\`terraform import procurement_policy.<name> ${parsed.value.environment}\`), and the next plan ` +
            'shows the difference. Nothing was applied.',
          ['environment'],
        ),
      ];
    }
    return roleForPolicyChange(ctx, parsed.value.environment, policyChanges(live.value as PolicyDocument, parsed.value));
  },

  proposedPolicy(planned) {
    const parsed = parsedDocument(planned);
    return parsed?.ok ? parsed.value : null;
  },

  async checkImport(ctx, key) {
    const live = await ctx.client.policy();
    return otherEnvironment(ctx, live.value, key);
  },

  async read(ctx, state) {
    const live = await ctx.client.policy();
    const document = live.value as PolicyDocument;
    // A server guarding another environment has no such policy: Terraform plans a create, which the plan refuses.
    if (document.environment !== state.environment) return { state: null, diagnostics: [] };
    const fresh = policyJson(document);
    // The state keeps the configuration's spelling while it means what the server enforces.
    const kept = typeof state.document === 'string' && samePolicyJson(state.document, fresh) ? state.document : fresh;
    return { state: { environment: document.environment, document: kept, id: document.environment }, diagnostics: [] };
  },

  create: (ctx, planned) => write(ctx, planned, null),
  update: (ctx, prior, planned) => write(ctx, planned, prior),

  async delete(ctx, prior) {
    const live = await ctx.client.policy();
    // Already the preset (or another environment's server): nothing to put back.
    if (live.source === 'preset' || (live.value as PolicyDocument).environment !== prior.environment) return { state: null, diagnostics: [] };
    return attemptWrite('delete', String(prior.environment), prior, async () => {
      await ctx.client.deletePolicy();
      return null;
    });
  },

  importState: id => nullObject(schema, { environment: id, id }),
  // Version 0 is the only version so far.
  upgradeState: (_version, stored) => nullObject(schema, stored as ObjectValue),
} satisfies DocumentResourceModule;

/** The planned document in force on the server: PUT only when the server enforces something else. */
async function write(ctx: ProviderContext, planned: ObjectValue, prior: ObjectValue | null): Promise<Outcome> {
  const parsed = parsedDocument(planned);
  if (parsed === null || !parsed.ok) throw new Error('the policy document is not known or not valid at apply'); // validate and plan refuse it before
  const environment = parsed.value.environment;
  const live = await ctx.client.policy();
  const state: ObjectValue = { ...planned, id: environment };
  if (policyJson(live.value as PolicyDocument) === policyJson(parsed.value)) return { state, diagnostics: [] };
  return attemptWrite(prior === null ? 'create' : 'update', environment, prior, async () => {
    await ctx.client.putPolicy(parsed.value);
    return state;
  });
}

/** A write refused for the token's role gets the policy's own explanation; other failures go to the service's. */
async function attemptWrite(
  verb: string,
  environment: string,
  prior: ObjectValue | null,
  run: () => Promise<ObjectValue | null>,
): Promise<Outcome> {
  try {
    return { state: await run(), diagnostics: [] };
  } catch (failure) {
    if (!(failure instanceof AdminApiError && failure.status === 403 && failure.code === 'insufficient_role')) throw failure;
    return { state: prior, diagnostics: [needsAdmin(environment, `Could not ${verb} the policy: ${failure.message}.`)] };
  }
}

/**
 * At plan: who may apply this change. A write token is refused now; a read token (a pull request's plan) is told,
 * with what changes. Both point at `environment` (see ENVIRONMENT).
 */
async function roleForPolicyChange(ctx: ProviderContext, environment: string, changes: string[]): Promise<Diagnostic[]> {
  let role: string;
  try {
    role = (await ctx.client.whoami()).role;
  } catch (failure) {
    if (failure instanceof AdminApiError && failure.status === 404) return []; // a server that cannot say: apply will
    throw failure;
  }
  if (role === 'admin') return [];
  const token = `This plan runs with a ${role} token.`;
  const what = `This plan changes the '${environment}' policy:\n${changes.map(c => `- ${c}`).join('\n')}\n`;
  if (role === 'write') return [needsAdmin(environment, `${what}${token} Nothing was applied.`)];
  return [
    warning(
      `Applying this plan needs an admin token`,
      `${what}${token} Its apply needs an admin token: a write token's apply is refused. See "Shipping a policy change" in docs/ci-workflows.md.`,
      ENVIRONMENT,
    ),
  ];
}

function needsAdmin(environment: string, what: string): Diagnostic {
  return error(
    'Policy changes need an admin token',
    `${what} The '${environment}' policy decides what every other write may do, so only an admin token changes it. Apply this ` +
      'configuration with an admin token (procurement-scopes admin-token create --role admin), e.g. in the apply job for policy ' +
      'changes (docs/ci-workflows.md, "Shipping a policy change"), or leave the document as the server has it.',
    ENVIRONMENT,
  );
}

/** One problem of the document: what is wrong, where (a JSON path into the document) and what to do; never the document. */
function invalidDocument(problem: Problem): Diagnostic {
  return error(
    'Invalid policy',
    `The policy document is not valid at ${jsonPath(problem.path)}: ${problem.path.length > 0 ? '' : 'the document '}${problem.message}. ` +
      'Correct it where the document is written (in a CDK stack, the ProcurementPolicy and the suppressions of the Authorization; ' +
      'in HCL, the value of document); docs/guardrails.md, "The policy document", lists its fields. Nothing was applied.',
    ENVIRONMENT,
  );
}

/** `['exceptions', 0, 'reason']` → `$.exceptions[0].reason`. */
function jsonPath(path: readonly (string | number)[]): string {
  return `$${path.map(step => (typeof step === 'number' ? `[${step}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`)).join('')}`;
}

function otherEnvironment(ctx: ProviderContext, live: unknown, environment: string): Diagnostic | null {
  const guarded = (live as PolicyDocument).environment;
  if (guarded === environment) return null;
  return error(
    `The server guards '${guarded}', not '${environment}'`,
    `The server at ${ctx.client.url} enforces the '${guarded}' policy (its --environment). Point the provider at the server of ` +
      `'${environment}', or declare the '${guarded}' policy here. Nothing was applied.`,
    ['environment'],
  );
}

/** The document of a value, parsed and validated; null while it is not known (or not set). */
function parsedDocument(value: ObjectValue): ReturnType<typeof parsePolicyJson> | null {
  const document = value.document;
  return isKnown(document) && typeof document === 'string' ? parsePolicyJson(document) : null;
}
