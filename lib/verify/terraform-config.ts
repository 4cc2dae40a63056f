/**
 * The model the CODE declares, read from synthesized Terraform JSON
 * (`cdktf.out/stacks/<stack>/cdk.tf.json`, or any `*.tf.json`). References
 * between our resources (`${procurement_scope.x.name}`, `${procurement_client.y.id}`)
 * are resolved from the referenced resource's own attributes, the way
 * Terraform would at plan time; anything else cannot be known before apply
 * and is reported, not guessed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../model/errors';
import { KEY_ATTRIBUTE, KIND_OF_RESOURCE_TYPE } from '../model/terraform-attributes';
import { isProcurementResource, Model, modelOf } from '../review/terraform-resources';

export interface ConfigLocation {
  /** A Terraform JSON file; wins over synthDir/stack. */
  config?: string;
  /** @default 'cdktf.out' */
  synthDir?: string;
  /** Required when the synth dir holds more than one stack. */
  stack?: string;
}

/** Which file to read: --config, or the one stack (or the named one) under the synth dir. */
export function locateConfig(location: ConfigLocation): string {
  if (location.config) {
    if (!existsSync(location.config)) throw new UsageError(`--config ${location.config} does not exist`);
    return location.config;
  }
  const synthDir = location.synthDir ?? 'cdktf.out';
  const stacksDir = join(synthDir, 'stacks');
  if (!existsSync(stacksDir)) {
    throw new UsageError(`no synthesized stacks in ${synthDir}: run 'npx cdktf synth' first, or pass --config <cdk.tf.json>`);
  }
  const stacks = readdirSync(stacksDir).filter(s => existsSync(join(stacksDir, s, 'cdk.tf.json'))).sort();
  const stack = location.stack ?? (stacks.length === 1 ? stacks[0] : undefined);
  if (!stack) throw new UsageError(`${synthDir} holds stacks ${stacks.join(', ') || '(none)'}: name one with --stack`);
  if (!stacks.includes(stack)) throw new UsageError(`no stack '${stack}' in ${synthDir}; it holds ${stacks.join(', ') || 'none'}`);
  return join(stacksDir, stack, 'cdk.tf.json');
}

export interface DeclaredModel {
  file: string;
  model: Model;
}

export function loadDeclaredModel(file: string): DeclaredModel {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read Terraform JSON ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const blocks = (json as { resource?: unknown })?.resource;
  if (typeof blocks !== 'object' || blocks === null) {
    throw new UsageError(`${file} has no "resource" block: pass a synthesized cdk.tf.json or another Terraform JSON file`);
  }
  const resources = new Map<string, { type: string; values: Record<string, unknown> }>();
  for (const [type, byName] of Object.entries(blocks as Record<string, Record<string, unknown>>)) {
    if (!isProcurementResource(type)) continue;
    for (const [name, body] of Object.entries(byName)) {
      // Terraform JSON allows a resource body as an object or a one-element array.
      const values = (Array.isArray(body) ? body[0] : body) as Record<string, unknown>;
      resources.set(`${type}.${name}`, { type, values: { ...values, subject: asBlockList(values.subject) } });
    }
  }
  const resolve = referenceResolver(file, resources);
  const resolved = [...resources].map(([address, r]) => ({ type: r.type, values: resolve(address, r.values) }));
  return { file, model: modelOf(resolved) };
}

/** Nested blocks in Terraform JSON may be one object or a list of them. */
function asBlockList(value: unknown): unknown {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

const REFERENCE_START = /\$\{/;
const REFERENCE = /\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}/g;

function referenceResolver(file: string, resources: Map<string, { type: string; values: Record<string, unknown> }>) {
  const resolving = new Set<string>();
  const attributeOf = (address: string, attribute: string, where: string): unknown => {
    const target = resources.get(address);
    if (!target) throw new UsageError(`${file}: ${where} refers to ${address}, which is not a procurement resource in this file`);
    // `id` is computed, and equal to the key (scope/role/binding name, client id).
    const name = attribute === 'id' ? KEY_ATTRIBUTE[KIND_OF_RESOURCE_TYPE[target.type]] : attribute;
    if (resolving.has(`${address}.${name}`)) throw new UsageError(`${file}: reference cycle through ${address}.${name}`);
    resolving.add(`${address}.${name}`);
    try {
      return resolveValue(target.values[name], `${address}.${name}`);
    } finally {
      resolving.delete(`${address}.${name}`);
    }
  };
  const resolveValue = (value: unknown, where: string): unknown => {
    if (typeof value === 'string') {
      const whole = /^\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.([a-z_]+)\}$/.exec(value);
      if (whole) return attributeOf(whole[1], whole[2], where);
      if (!REFERENCE_START.test(value)) return value;
      const out = value.replace(REFERENCE, (_m, type: string, name: string, attribute: string) => {
        const resolved = attributeOf(`${type}.${name}`, attribute, where);
        if (typeof resolved !== 'string') throw new UsageError(`${file}: ${where} interpolates ${type}.${name}.${attribute}, which is not a string`);
        return resolved;
      });
      if (REFERENCE_START.test(out)) {
        throw new UsageError(`${file}: ${where} is '${value}', which is known only after apply; verify needs values the code states`);
      }
      return out;
    }
    if (Array.isArray(value)) return value.map((v, i) => resolveValue(v, `${where}[${i}]`));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).filter(([k]) => k !== '//').map(([k, v]) => [k, resolveValue(v, `${where}.${k}`)]));
    }
    return value;
  };
  return (address: string, values: Record<string, unknown>) => resolveValue(values, address) as Record<string, unknown>;
}
