/**
 * Provider documentation in the Terraform registry's layout (docs/index.md,
 * docs/resources/<name>.md, docs/data-sources/<name>.md, the shape
 * tfplugindocs writes), rendered from what `terraform providers schema -json`
 * reports for the provider and from the examples/ folder. Hand-written
 * because the generator Terraform providers use, tfplugindocs, is a Go
 * program, and npm has no equivalent; it is short because the schema already
 * holds every description (in markdown).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One provider's entry of `terraform providers schema -json` (`provider_schemas[<source>]`). */
export interface ProviderSchemaJson {
  provider: SchemaJson;
  resource_schemas: Record<string, SchemaJson>;
  data_source_schemas: Record<string, SchemaJson>;
}

interface SchemaJson {
  block: { description?: string; attributes?: Record<string, AttributeJson> };
}

interface AttributeJson {
  /** Absent for a nested attribute, which has `nested_type` instead. */
  type?: unknown;
  nested_type?: { attributes: Record<string, AttributeJson>; nesting_mode: string };
  description?: string;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
}

/** The example files, by path under examples/ (e.g. `resources/procurement_scope/resource.tf`). */
export type Examples = ReadonlyMap<string, string>;

export const PROVIDER_NAME = 'procurement';

/**
 * Whether a path under docs/ is this generator's (the registry's layout): the
 * guides beside it, docs/*.md other than index.md, are written by hand, so the
 * generator replaces only these and the staleness test compares only these.
 */
export function isGeneratedDocsPath(path: string): boolean {
  return path === 'index.md' || path.startsWith('resources/') || path.startsWith('data-sources/');
}

/** Every file under `dir`, keyed by its path relative to it. */
export function readFilesUnder(dir: string): Examples {
  const files = new Map<string, string>();
  const walk = (relative: string) => {
    for (const entry of readdirSync(join(dir, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else files.set(path, readFileSync(join(dir, path), 'utf8'));
    }
  };
  if (existsSync(dir)) walk('');
  return files;
}

/** The documentation files, keyed by their path under docs/. Throws, naming it, when an example is missing. */
export function renderProviderDocs(schema: ProviderSchemaJson, examples: Examples): Map<string, string> {
  const docs = new Map<string, string>();
  const example = (path: string) => {
    const text = examples.get(path);
    if (text === undefined) throw new Error(`examples/${path} is missing: every resource and data source needs an example`);
    return text.trimEnd();
  };
  docs.set('index.md', renderIndex(schema.provider, example('provider/provider.tf')));
  for (const [name, resource] of sorted(schema.resource_schemas)) {
    docs.set(`resources/${shortName(name)}.md`, renderObject(name, 'Resource', resource, example(`resources/${name}/resource.tf`), example(`resources/${name}/import.sh`)));
  }
  for (const [name, dataSource] of sorted(schema.data_source_schemas)) {
    docs.set(`data-sources/${shortName(name)}.md`, renderObject(name, 'Data Source', dataSource, example(`data-sources/${name}/data-source.tf`)));
  }
  return docs;
}

function renderIndex(provider: SchemaJson, example: string): string {
  return [
    frontMatter(`${PROVIDER_NAME} Provider`, provider.block.description ?? ''),
    `# ${PROVIDER_NAME} Provider`,
    '',
    provider.block.description ?? '',
    '',
    'The provider is not on a registry: it ships in the `procurement-scopes` npm package, and',
    '`npx procurement-scopes install-provider --config-file <path>` installs it into a local filesystem mirror',
    'with a Terraform CLI configuration that uses it (`export TF_CLI_CONFIG_FILE=<path>`). The admin token is read',
    'from `PROCUREMENT_ADMIN_TOKEN`; client secrets never enter state (see `secrets_dir`).',
    '',
    '## Example Usage',
    '',
    fenced('terraform', example),
    '',
    ...renderSchema(provider),
  ].join('\n');
}

function renderObject(name: string, kind: 'Resource' | 'Data Source', schema: SchemaJson, example: string, importExample?: string): string {
  const description = schema.block.description ?? '';
  return [
    frontMatter(`${name} ${kind} - ${PROVIDER_NAME}`, description),
    `# ${name} (${kind})`,
    '',
    description,
    '',
    '## Example Usage',
    '',
    fenced('terraform', example),
    '',
    ...renderSchema(schema),
    ...(importExample ? ['## Import', '', 'Import is supported using the following syntax:', '', fenced('shell', importExample), ''] : []),
  ].join('\n');
}

/** Required, then optional, then read-only attributes, each sorted; nested object attributes after. */
function renderSchema(schema: SchemaJson): string[] {
  const attributes = sorted(schema.block.attributes ?? {});
  const groups: [string, (a: AttributeJson) => boolean][] = [
    ['Required', a => a.required === true],
    ['Optional', a => a.optional === true],
    ['Read-Only', a => !a.required && !a.optional && a.computed === true],
  ];
  const lines = ['<!-- schema generated by `npm run docs` from `terraform providers schema -json` -->', '## Schema', ''];
  for (const [title, belongs] of groups) {
    const members = attributes.filter(([, a]) => belongs(a));
    if (members.length === 0) continue;
    lines.push(`### ${title}`, '', ...members.map(([name, a]) => attributeLine(name, a)), '');
  }
  for (const [name, a] of attributes) {
    const object = objectOf(a);
    if (!object) continue;
    lines.push(`<a id="nestedatt--${name}"></a>`, `### Nested Schema for \`${name}\``, '');
    for (const [field, inner] of sorted(object)) {
      const description = inner.description ? ` ${oneLine(inner.description)}` : '';
      lines.push(`- \`${field}\` (${typeName(inner.type)}) ${inner.required ? 'Required.' : 'Optional.'}${description}`);
    }
    lines.push('');
  }
  return lines;
}

function attributeLine(name: string, a: AttributeJson): string {
  const nested = objectOf(a) ? ` (see [below for nested schema](#nestedatt--${name}))` : '';
  const type = a.nested_type ? `Attributes ${capitalized(a.nested_type.nesting_mode)}` : typeName(a.type);
  return `- \`${name}\` (${type}${a.sensitive ? ', Sensitive' : ''}) ${oneLine(a.description ?? '')}${nested}`;
}

function capitalized(word: string): string {
  return `${word[0].toUpperCase()}${word.slice(1)}`;
}

/** The cty type as the registry's docs name it: `String`, `Set of String`, `List of Object`. */
function typeName(type: unknown): string {
  if (typeof type === 'string') return { string: 'String', number: 'Number', bool: 'Boolean' }[type] ?? type;
  const [kind, element] = type as [string, unknown];
  if (kind === 'object') return 'Object';
  return `${capitalized(kind)} of ${typeName(element)}`;
}

/** The attributes of the objects an attribute holds: a nested attribute's, or those of `list(object)` / `set(object)`. */
function objectOf(a: AttributeJson): Record<string, AttributeJson> | undefined {
  if (a.nested_type) return a.nested_type.attributes;
  const type = a.type;
  if (!Array.isArray(type) || (type[0] !== 'list' && type[0] !== 'set')) return undefined;
  const element = type[1] as unknown;
  if (!Array.isArray(element) || element[0] !== 'object') return undefined;
  const optional = (element[2] as string[] | undefined) ?? [];
  const fields = Object.entries(element[1] as Record<string, unknown>);
  return Object.fromEntries(fields.map(([field, t]) => [field, { type: t, required: !optional.includes(field) }]));
}

function frontMatter(title: string, description: string): string {
  return ['---', `page_title: "${title}"`, 'subcategory: ""', 'description: |-', `  ${oneLine(description)}`, '---', ''].join('\n');
}

function fenced(language: string, text: string): string {
  return ['```' + language, text, '```'].join('\n');
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** `procurement_scope` → `scope`: the registry names pages without the provider prefix. */
function shortName(name: string): string {
  return name.startsWith(`${PROVIDER_NAME}_`) ? name.slice(PROVIDER_NAME.length + 1) : name;
}

function sorted<T>(record: Record<string, T>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
