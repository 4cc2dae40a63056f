/**
 * What a Terraform JSON configuration of `procurement_*` resources declares,
 * read as model objects, and how a server snapshot differs from it.
 *
 * Deliberately independent of the provider's own attribute mapping: when the
 * provider maps a field wrongly, the server holds something the configuration
 * did not say, and this comparison sees it.
 *
 *   const declared = declaredObjects(config);          // from cdk.tf.json or a hand-written config
 *   expect(snapshotDifferences(declared, await server.admin.snapshot())).toEqual([]);
 */
import { Kind, KindObject, KEY_FIELD, Snapshot } from '../../lib/model/types';
import { ModelValidator } from '../../lib/model/validate';
import { canonicalJson } from '../../lib/model/canonical-json';

const KIND_OF_TYPE: Record<string, Kind> = {
  procurement_scope: 'scopes',
  procurement_role: 'roles',
  procurement_client: 'clients',
  procurement_role_binding: 'role-bindings',
};

/** Terraform meta-arguments and cdktf's metadata (`//`): not part of the object. */
const META_ARGUMENTS = new Set(['provider', 'lifecycle', 'depends_on', 'count', 'for_each', '//']);

/** Block names whose model field is the plural. */
const BLOCK_FIELDS: Record<string, string> = { subject: 'subjects' };

export interface DeclaredObject {
  kind: Kind;
  key: string;
  /** Normalized as the server stores it: defaults filled, sets sorted, dates in ISO form. */
  value: KindObject[Kind];
}

export interface TerraformConfig {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
}

/** Every declared procurement object, with `${type.name.attribute}` references resolved from the configuration. */
export function declaredObjects(config: TerraformConfig): DeclaredObject[] {
  const resources = config.resource ?? {};
  const validator = new ModelValidator();
  const resolve = (value: unknown, seen: string[]): unknown => {
    if (Array.isArray(value)) return value.map(v => resolve(v, seen));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, seen)]));
    }
    if (typeof value !== 'string' || !value.includes('${')) return value;
    const match = /^\$\{([a-z_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}$/.exec(value);
    if (!match) throw new Error(`declaredObjects: cannot resolve the expression '${value}' (only \${type.name.attribute} is supported)`);
    const [, type, name, attribute] = match;
    const target = resources[type]?.[name];
    if (!target || !(attribute in target)) throw new Error(`declaredObjects: '${value}' names nothing in the configuration`);
    if (seen.includes(value)) throw new Error(`declaredObjects: '${value}' refers to itself`);
    return resolve(target[attribute], [...seen, value]);
  };

  const out: DeclaredObject[] = [];
  for (const [type, byName] of Object.entries(resources)) {
    const kind = KIND_OF_TYPE[type];
    if (!kind) continue;
    for (const [name, attributes] of Object.entries(byName)) {
      const object = toModelShape(resolve(stripMeta(attributes), []) as Record<string, unknown>);
      const result = validator.validate(kind, object);
      if (!result.ok) throw new Error(`declaredObjects: ${type}.${name} is not a valid ${kind} object: ${JSON.stringify(result.problems)}`);
      const value = withIsoDates(result.value);
      out.push({ kind, key: (value as unknown as Record<string, string>)[KEY_FIELD[kind]], value });
    }
  }
  return out;
}

/**
 * How `snapshot` differs from `declared`, in words: objects missing, present
 * more than once, holding other values, or present without being declared.
 * An empty list means the server holds exactly the configuration.
 */
export function snapshotDifferences(declared: DeclaredObject[], snapshot: Snapshot): string[] {
  const differences: string[] = [];
  const live: Record<Kind, unknown[]> = {
    scopes: snapshot.scopes,
    roles: snapshot.roles,
    clients: snapshot.clients,
    'role-bindings': snapshot.roleBindings,
  };
  const declaredKeys = new Set(declared.map(d => `${d.kind}/${d.key}`));
  const liveByKey = new Map<string, unknown[]>();
  for (const [kind, objects] of Object.entries(live) as [Kind, unknown[]][]) {
    for (const object of objects) {
      const id = `${kind}/${(object as Record<string, string>)[KEY_FIELD[kind]]}`;
      liveByKey.set(id, [...(liveByKey.get(id) ?? []), object]);
      if (!declaredKeys.has(id)) differences.push(`${id} is on the server but not declared`);
    }
  }
  for (const { kind, key, value } of declared) {
    const id = `${kind}/${key}`;
    const found = liveByKey.get(id) ?? [];
    if (found.length === 0) differences.push(`${id} is declared but missing on the server`);
    else if (found.length > 1) differences.push(`${id} is on the server ${found.length} times`);
    else {
      const expected = canonicalJson(value);
      const actual = canonicalJson(withIsoDates(found[0] as KindObject[Kind]));
      if (expected !== actual) differences.push(`${id} differs: declared ${expected}, server ${actual}`);
    }
  }
  return differences;
}

function stripMeta(attributes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => !META_ARGUMENTS.has(name)));
}

/** snake_case attributes (and nested blocks) to the model's camelCase fields. */
function toModelShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toModelShape);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, v]) => [BLOCK_FIELDS[name] ?? name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), toModelShape(v)]),
  );
}

/** `2030-01-31T00:00:00Z` and `2030-01-31T00:00:00.000Z` are the same instant: compare them as one form. */
function withIsoDates<T>(value: T): T {
  const subjects = (value as { subjects?: { expiresAt: string | null }[] }).subjects;
  if (!subjects) return value;
  return {
    ...value,
    subjects: subjects.map(s => ({ ...s, expiresAt: s.expiresAt === null ? null : new Date(s.expiresAt).toISOString() })),
  };
}
