/**
 * The synth gate's input: every `procurement_*` resource an Authorization's
 * provider will deploy, read from the stack's synthesized configuration the
 * way cdk-nag reads CfnResource: L1s created by hand, escape-hatch overrides
 * and L2s alike. References between them (`${procurement_scope.x.name}`) are
 * resolved to the referenced object's key; values known only at apply
 * (variables, other resources' attributes) cannot be judged here and are left
 * to the plan and server gates.
 */
import { DefaultTokenResolver, StringConcat, TerraformResource, TerraformStack, Tokenization } from '../cdk';
import {
  KEY_ATTRIBUTE,
  KEY_FIELD,
  Kind,
  KIND_OF_RESOURCE_TYPE,
  ModelValidator,
  modelInputOf,
  Problem,
  RoleBinding,
  TERRAFORM_SCHEMA,
} from '../../model';
import { ClientEntry, ObjectRef, PolicyModel, PROPS_ID, references, RoleEntry, ScopeEntry } from '../../policy';

const REFERENCES_ID = references.id;
import { Finding } from './finding';

type Values = Record<string, unknown>;

/** Construct paths of each object: its declarations in model order (occurrence n is the n-th), then its references. */
export class ObjectLocations {
  private readonly byObject = new Map<string, { object: ObjectRef; declared: string[]; referenced: string[] }>();

  add(object: ObjectRef, path: string, declared: boolean): void {
    const id = `${object.kind} ${object.key}`;
    const entry = this.byObject.get(id) ?? { object: { kind: object.kind, key: object.key }, declared: [], referenced: [] };
    (declared ? entry.declared : entry.referenced).push(path);
    this.byObject.set(id, entry);
  }

  pathOf(object: ObjectRef): string | undefined {
    const entry = this.byObject.get(`${object.kind} ${object.key}`);
    return entry?.declared[object.occurrence ?? 0] ?? entry?.declared[0] ?? entry?.referenced[0];
  }

  /** Objects declared or referenced at `path` or below it. */
  objectsUnder(path: string): ObjectRef[] {
    const under = (p: string) => p === path || p.startsWith(`${path}/`);
    return [...this.byObject.values()].filter(e => e.declared.some(under) || e.referenced.some(under)).map(e => e.object);
  }
}

export interface StackModelOptions {
  /** Whether a resource is this gate's to judge (by its provider). */
  readonly claims: (resource: TerraformResource) => boolean;
  /** Construct paths of the L2 constructs owning resources, by resource: findings name the L2. */
  readonly owners: ReadonlyMap<TerraformResource, string>;
  /** Objects referenced by key (fromXxx), with their construct paths. */
  readonly references: readonly { readonly object: ObjectRef; readonly path: string }[];
  readonly validator: ModelValidator;
}

export interface StackModel {
  readonly model: PolicyModel;
  readonly locations: ObjectLocations;
  /** PROPS findings for resources whose values break the model's schemas. */
  readonly problems: Finding[];
}

interface Invalid {
  readonly path: string;
  readonly problems: readonly Problem[];
  readonly input: Values;
  readonly kind: Kind;
}

const REFERENCE = /^\$\{(procurement_[a-z_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}$/;
const UNKNOWN = Symbol('known only at apply');

export function readStackModel(stack: TerraformStack, options: StackModelOptions): StackModel {
  const { resources, declarations } = procurementResources(stack);
  const literal = literalResolver(resources);
  const model = { scopes: [] as ScopeEntry[], roles: [] as RoleEntry[], clients: [] as ClientEntry[], roleBindings: [] as RoleBinding[] };
  const locations = new ObjectLocations();
  const invalid: Invalid[] = [];
  const problems: Finding[] = [];

  for (const { object, path } of options.references) {
    addEntry(model, object.kind, referenceOf(object.kind, object.key));
    locations.add(object, path, false);
  }
  for (const { type, values, construct } of declarations) {
    const kind = KIND_OF_RESOURCE_TYPE[type];
    if (!options.claims(construct)) continue;
    const path = options.owners.get(construct) ?? construct.node.path;
    const read = resolved(kind, modelInputOf(TERRAFORM_SCHEMA[kind], values), literal);
    if (read === null) continue; // its key is known only at apply: the plan and the server judge it
    const key = read.input[KEY_FIELD[kind]] as string;
    problems.push(...read.unresolved.map(u => unresolvedReference(path, kind, key, u)));
    if (read.partial) {
      // Known only in part: judged by key, the rest is the plan's and the server's to judge.
      if (kind !== 'role-bindings') addEntry(model, kind, referenceOf(kind, key));
      locations.add({ kind, key }, path, false);
      continue;
    }
    const result = options.validator.validate(kind, read.input);
    const declared = result.ok;
    if (declared) addEntry(model, kind, result.value);
    else if (kind !== 'role-bindings' && isKeyValid(result, kind)) addEntry(model, kind, referenceOf(kind, key));
    locations.add({ kind, key }, path, declared);
    if (!result.ok) invalid.push({ path, problems: result.problems, input: read.input, kind });
  }
  return { model, locations, problems: [...propsFindings(invalid), ...problems] };
}

/**
 * The synthesized values of the stack's procurement resources (overrides
 * included), resolved as synth resolves them: by type and address for
 * references, and every declaration in tree order, two that share an address
 * (one key declared twice) included, so that DUPLICATES sees both. Only
 * these resources: resolving the whole stack would also resolve outputs that
 * ask the Authorization for its model (AuthorizationOutputs), in a circle.
 */
function procurementResources(stack: TerraformStack): { resources: Record<string, Record<string, Values>>; declarations: Declaration[] } {
  const resolver = new DefaultTokenResolver(new StringConcat());
  const resources: Record<string, Record<string, Values>> = {};
  const declarations: Declaration[] = [];
  for (const c of stack.node.findAll()) {
    if (!(c instanceof TerraformResource) || !KIND_OF_RESOURCE_TYPE[c.terraformResourceType]) continue;
    const fragment = Tokenization.resolve(c.toTerraform(), { scope: stack, resolver }) as { resource: Record<string, Record<string, Values>> };
    for (const [type, byId] of Object.entries(fragment.resource)) {
      for (const [logicalId, values] of Object.entries(byId)) {
        (resources[type] ??= {})[logicalId] ??= values;
        declarations.push({ type, values, construct: c });
      }
    }
  }
  return { resources, declarations };
}

interface Declaration {
  readonly type: string;
  readonly values: Values;
  readonly construct: TerraformResource;
}

/** `${procurement_x.id.<key attribute>}` → that object's key; any other `${...}` → UNKNOWN. */
function literalResolver(resources: Record<string, Record<string, Values>>) {
  const resolve = (value: unknown, seen: ReadonlySet<string>): unknown => {
    if (typeof value !== 'string' || !value.includes('${')) return value;
    const m = REFERENCE.exec(value);
    const kind = m && KIND_OF_RESOURCE_TYPE[m[1]];
    if (!m || !kind || (m[3] !== KEY_ATTRIBUTE[kind] && m[3] !== 'id') || seen.has(value)) return UNKNOWN;
    const target = resources[m[1]]?.[m[2]];
    return target === undefined ? UNKNOWN : resolve(target[KEY_ATTRIBUTE[kind]], new Set([...seen, value]));
  };
  return (value: unknown) => resolve(value, new Set());
}

/** Fields that name other objects: a value there that cannot be resolved is a REFERENCES finding, not a gap. */
const REFERENCE_FIELDS: Readonly<Record<Kind, readonly string[]>> = { scopes: ['implies'], roles: ['scopes'], clients: [], 'role-bindings': ['role', 'subjects'] };

interface Read {
  readonly input: Values;
  /** A field other than a reference was known only at apply: the object is judged by key only. */
  readonly partial: boolean;
  /** References known only at apply, as written (`${data.terraform_remote_state...}`). */
  readonly unresolved: readonly { readonly field: string; readonly value: string }[];
}

/**
 * The model input with references resolved; null when the key itself is
 * known only at apply. References that cannot be resolved are left out (and
 * listed); inside a subject, an expiry or justification known only at apply
 * reads as none, which is the stricter reading for every rule.
 */
function resolved(kind: Kind, input: Values, literal: (v: unknown) => unknown): Read | null {
  const unresolved: { field: string; value: string }[] = [];
  let partial = false;
  const out: Values = {};
  for (const [field, value] of Object.entries(input)) {
    const isReference = REFERENCE_FIELDS[kind].includes(field);
    const known = (item: unknown, at: string): boolean => {
      if (literal(item) !== UNKNOWN) return true;
      if (isReference) unresolved.push({ field: at, value: String(item) });
      else partial = true;
      return false;
    };
    if (field === 'subjects' && Array.isArray(value)) {
      out.subjects = (value as Values[])
        .filter(subject => known(subject.clientId, 'subject client_id'))
        .map(subject => Object.fromEntries(Object.entries(subject).map(([k, v]) => [k, literal(v) === UNKNOWN ? null : literal(v)])));
    } else if (Array.isArray(value)) {
      out[field] = value.filter(item => known(item, field)).map(literal);
    } else {
      out[field] = known(value, field) ? literal(value) : UNKNOWN;
    }
  }
  if (out[KEY_FIELD[kind]] === UNKNOWN) return null;
  return { input: out, partial: partial || out.role === UNKNOWN, unresolved };
}

function unresolvedReference(path: string, kind: Kind, key: string, u: { field: string; value: string }): Finding {
  const named = { implies: 'scope', scopes: 'scope', role: 'role', 'subject client_id': 'client' }[u.field] ?? 'object';
  const noun = { scopes: 'scope', roles: 'role', clients: 'client', 'role-bindings': 'binding' }[kind];
  return {
    ruleId: REFERENCES_ID,
    severity: 'error',
    path,
    message:
      `${noun} '${key}' names a ${named} by a value known only at apply (${u.value}), so no rule can judge what it grants; ` +
      `name a ${named} of this authorization, or reference an existing one with fromXxx inside it`,
  };
}

function isKeyValid(result: ReturnType<ModelValidator['validate']>, kind: Kind): boolean {
  return result.ok || !result.problems.some(p => p.path.length === 1 && p.path[0] === KEY_FIELD[kind]);
}

function referenceOf(kind: Kind, key: string): ScopeEntry | RoleEntry | ClientEntry {
  return kind === 'clients' ? { clientId: key, referenced: true } : { name: key, referenced: true };
}

function addEntry(model: { scopes: ScopeEntry[]; roles: RoleEntry[]; clients: ClientEntry[]; roleBindings: RoleBinding[] }, kind: Kind, entry: unknown): void {
  const list = { scopes: model.scopes, roles: model.roles, clients: model.clients, 'role-bindings': model.roleBindings }[kind] as unknown[];
  list.push(entry);
}

/**
 * One mistake, one finding: a name that is itself invalid is reported by the
 * object it names (a scope 'Read Users'), not again by every role that lists it.
 */
function propsFindings(invalid: readonly Invalid[]): Finding[] {
  const isKeyProblem = (i: Invalid, p: Problem) => p.path.length === 1 && p.path[0] === KEY_FIELD[i.kind];
  const badKeys = new Set(invalid.flatMap(i => i.problems.filter(p => isKeyProblem(i, p)).map(() => String(i.input[KEY_FIELD[i.kind]]))));
  return invalid.flatMap(i =>
    i.problems
      .filter(p => isKeyProblem(i, p) || !badKeys.has(String(valueAt(i.input, p.path))))
      .map(p => ({ ruleId: PROPS_ID, severity: 'error' as const, path: i.path, message: `${fieldName(i.input, p)}${p.message}` })),
  );
}

/** `name `, or for a binding's subject `subject 'erp-sync' expiresAt ` rather than `subjects[3].expiresAt `. */
function fieldName(input: Values, problem: Problem): string {
  if (!problem.field) return '';
  const [head, index, ...rest] = problem.path;
  if (head !== 'subjects' || typeof index !== 'number') return `${problem.field} `;
  const clientId = (input.subjects as { clientId?: unknown }[])[index]?.clientId;
  return `subject ${typeof clientId === 'string' ? `'${clientId}'` : index + 1}${rest.length ? ` ${rest.join('.')}` : ''} `;
}

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), input);
}
