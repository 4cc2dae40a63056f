/**
 * Synth benchmark: builds a stack of 1,000 clients, 200 scopes, 50 roles and
 * 5,000 grants (aggregated into one binding per role), synthesizes it with the
 * guardrails on, and prints how long each phase took and how many Terraform
 * resources came out, by type. Run: `npm run bench:synth`.
 */
import { App } from 'cdktf';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildLargeStack, LargeStackSize } from './large-stack';

export const DEFAULT_SIZE: LargeStackSize = { clients: 1_000, scopes: 200, roles: 50, grants: 5_000 };

export function runSynthBenchmark(size: LargeStackSize = DEFAULT_SIZE): { buildMs: number; guardrailsMs: number; synthMs: number; resources: Record<string, number> } {
  const outdir = mkdtempSync(join(tmpdir(), 'procurement-bench-'));
  try {
    const app = new App({ outdir });
    const started = performance.now();
    const { authorization } = buildLargeStack(app, size);
    const built = performance.now();
    const findings = authorization.findings();
    const checked = performance.now();
    if (findings.some(f => f.severity === 'error')) throw new Error(`the generated stack breaks its guardrails: ${findings[0].message}`);
    app.synth();
    const synthesized = performance.now();
    const json = JSON.parse(readFileSync(join(outdir, 'stacks', 'bench', 'cdk.tf.json'), 'utf8'));
    const resources = Object.fromEntries(Object.entries(json.resource as Record<string, object>).map(([type, byId]) => [type, Object.keys(byId).length]));
    return { buildMs: built - started, guardrailsMs: checked - built, synthMs: synthesized - checked, resources };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const result = runSynthBenchmark();
  const total = Object.values(result.resources).reduce((a, b) => a + b, 0);
  const size = DEFAULT_SIZE;
  console.log(`synth benchmark: ${size.clients} clients, ${size.scopes} scopes, ${size.roles} roles, ${size.grants} grants`);
  console.log(`  build construct tree   ${result.buildMs.toFixed(0)} ms`);
  console.log(`  guardrails (all rules) ${result.guardrailsMs.toFixed(0)} ms`);
  console.log(`  app.synth (guardrails again, annotations, JSON written) ${result.synthMs.toFixed(0)} ms`);
  console.log(`  total                  ${(result.buildMs + result.guardrailsMs + result.synthMs).toFixed(0)} ms`);
  console.log(`Terraform resources: ${total}`);
  for (const [type, count] of Object.entries(result.resources).sort()) console.log(`  ${type.padEnd(26)} ${count}`);
}
