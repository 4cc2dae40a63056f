/**
 * The Terraform configurations the benchmarks compare, all derived from one
 * synthesized stack so that every side describes the same estate:
 *
 * - `synthesizeStack`: our design, from the constructs (one binding per role);
 * - `withGrantsMoved`: the same after moving a fraction of the grants to other clients;
 * - `oneBindingPerGrant`: the naive design, one `procurement_role_binding` per
 *   (client, role) grant with a single subject;
 * - `asTerraformData`: the floor, one builtin `terraform_data` per resource, holding
 *   the same attribute values and the same references (so the same dependency graph).
 */
import { App } from 'cdktf';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildLargeStack, LargeStackSize } from './large-stack';

export type Attributes = Record<string, unknown>;

export interface TerraformJson {
  terraform?: Attributes;
  provider?: Attributes;
  resource: Record<string, Record<string, Attributes>>;
}

interface Subject {
  client_id: string;
  expires_at: string | null;
  justification: string | null;
}

const STACK = 'bench';
const BINDING = 'procurement_role_binding';
const CLIENT = 'procurement_client';

export function countResources(config: TerraformJson): number {
  return Object.values(config.resource).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
}

export function countGrants(config: TerraformJson): number {
  return bindingsOf(config).reduce((sum, binding) => sum + subjectsOf(binding).length, 0);
}

/** Synthesizes the generated stack with the cdktf App (guardrails on) and answers its JSON and how long that took. */
export function synthesizeStack(size: LargeStackSize): { config: TerraformJson; synthMs: number } {
  const outdir = mkdtempSync(join(tmpdir(), 'procurement-bench-synth-'));
  try {
    const started = performance.now();
    const app = new App({ outdir });
    const { authorization } = buildLargeStack(app, size, { stackName: STACK });
    const errors = authorization.findings().filter(f => f.severity === 'error');
    if (errors.length > 0) throw new Error(`the generated stack breaks its guardrails: ${errors[0].message}`);
    app.synth();
    const synthMs = performance.now() - started;
    const config = JSON.parse(readFileSync(join(outdir, 'stacks', STACK, 'cdk.tf.json'), 'utf8')) as TerraformJson;
    // cdktf writes an absolute local-backend path under the current directory: keep state in the benchmark's own directory.
    delete (config.terraform as { backend?: unknown } | undefined)?.backend;
    return { config, synthMs };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Moves `fraction` of the grants (at least one) to clients that did not hold
 * that role: a revoke and a grant each, spread over the bindings round-robin.
 */
export function withGrantsMoved(config: TerraformJson, fraction: number): { config: TerraformJson; moved: number } {
  const changed = structuredClone(config);
  const bindings = bindingsOf(changed);
  const clientRefs = Object.keys(changed.resource[CLIENT]).map(name => `\${${CLIENT}.${name}.client_id}`);
  const moved = Math.max(1, Math.round(countGrants(config) * fraction));
  // Clients that hold or held each role: a grant is never moved back onto a client that just lost it.
  const held = bindings.map(binding => new Set(subjectsOf(binding).map(s => s.client_id)));
  for (let i = 0; i < moved; i++) {
    const b = i % bindings.length;
    const subjects = subjectsOf(bindings[b]);
    const subject = subjects[Math.floor(i / bindings.length) % subjects.length];
    subject.client_id = clientWithout(clientRefs, held[b], i * 7);
    held[b].add(subject.client_id);
  }
  return { config: changed, moved };
}

/** The first client, from `start` on, that is not among `holders`. */
function clientWithout(clientRefs: string[], holders: Set<string>, start: number): string {
  for (let k = 0; k < clientRefs.length; k++) {
    const candidate = clientRefs[(start + k) % clientRefs.length];
    if (!holders.has(candidate)) return candidate;
  }
  throw new Error('every client already holds this role: cannot move a grant to another client');
}

/** The naive design: every (client, role) grant its own binding resource with one subject. */
export function oneBindingPerGrant(config: TerraformJson): TerraformJson {
  const clientIdOf = (ref: string) => {
    const name = /^\$\{procurement_client\.([^.]+)\.client_id\}$/.exec(ref)?.[1];
    return name ? String(config.resource[CLIENT][name].client_id) : ref;
  };
  const naive: Record<string, Attributes> = {};
  for (const [name, binding] of Object.entries(config.resource[BINDING])) {
    for (const subject of subjectsOf(binding)) {
      const clientId = clientIdOf(subject.client_id);
      naive[`${name}_${clientId}`] = { ...binding, name: `${binding.name}-${clientId}`, subject: [subject] };
    }
  }
  return { ...config, resource: { ...config.resource, [BINDING]: naive } };
}

/**
 * The floor: the same resources as builtin `terraform_data`, inputs equal to the attributes, references kept.
 * Meta-arguments stay meta-arguments (a `depends_on` is an edge of the graph, not a value), pointed at the
 * floor's names.
 */
export function asTerraformData(config: TerraformJson): TerraformJson {
  const rename = (type: string, name: string) => `${type}__${name}`;
  const rewrite = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value.replace(/\$\{(procurement_[a-z_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}/g, (_, type, name, attr) => `\${terraform_data.${rename(type, name)}.output.${attr}}`);
    }
    if (Array.isArray(value)) return value.map(rewrite);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v)]));
    return value;
  };
  const dependency = (address: string) => {
    const [type, name] = address.split('.');
    if (!type.startsWith('procurement_') || !name) throw new Error(`the floor cannot point depends_on entry '${address}' at a terraform_data resource`);
    return `terraform_data.${rename(type, name)}`;
  };
  const data: Record<string, Attributes> = {};
  for (const [type, byName] of Object.entries(config.resource)) {
    for (const [name, body] of Object.entries(byName)) {
      const { '//': _metadata, provider: _provider, depends_on: dependsOn, lifecycle, ...attributes } = body;
      data[rename(type, name)] = {
        input: rewrite(attributes),
        ...(dependsOn ? { depends_on: (dependsOn as string[]).map(dependency) } : {}),
        ...(lifecycle ? { lifecycle } : {}),
      };
    }
  }
  return { resource: { terraform_data: data } };
}

function bindingsOf(config: TerraformJson): Attributes[] {
  return Object.values(config.resource[BINDING] ?? {});
}

function subjectsOf(binding: Attributes): Subject[] {
  return binding.subject as Subject[];
}
