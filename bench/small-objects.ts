/**
 * Many small objects (issue #14): N scopes, N/5 roles of 3 scopes, N clients
 * and N/5 bindings of 5 subjects (2.4N resources), where the provider's own
 * cost shows (in the large stack, Terraform's handling of 100-subject lists
 * hides it). Ours and the floor (the same values and references as builtin
 * `terraform_data`) run side by side: both are applied from empty (ours as
 * `procurement-scopes terraform apply` runs it, one reattached provider process),
 * then their no-change plans alternate, ours as a plain `terraform plan` (a
 * provider process per launch), ours reattached, floor, ours..., and the
 * medians are compared, so a drift in the machine's load touches both sides alike.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { asTerraformData, countResources, synthesizeStack } from './configurations';
import { ProfileSummary, summarizeProfiles } from './cpu-profile';
import { LargeStackSize } from './large-stack';
import { StepFigures, TerraformSide } from './terraform-side';

const BUNDLER = resolve(__dirname, '../../scripts/bundle-provider.js');

export interface SmallObjectsSide {
  apply: StepFigures;
  /** Every no-change plan, in the order run. */
  noChangePlans: StepFigures[];
  /** The plan with the median wall time. */
  noChangePlan: StepFigures;
}

export interface SmallObjectsFigures {
  n: number;
  resources: number;
  /** Plain `terraform`: Terraform starts a provider process per phase (the plans; the apply is reattached, see below). */
  ours: SmallObjectsSide;
  /** Through `procurement-scopes terraform`: one reattached provider process for the command (the apply is this one). */
  oursReattached: { noChangePlans: StepFigures[]; noChangePlan: StepFigures };
  floor: SmallObjectsSide;
  /** Where the provider's CPU went in one more no-change plan of ours, under the profiler (--cpu-prof). */
  profile?: ProfileSummary;
}

export interface SmallObjectsOptions {
  /** No-change plans per side. */
  plans: number;
  log: (line: string) => void;
  /** Where the provider processes of one extra no-change plan of ours write their CPU profiles (`node --cpu-prof`). */
  cpuProfileDir?: string;
}

export function smallObjectsSize(n: number): LargeStackSize {
  return { clients: n, scopes: n, roles: Math.max(1, Math.round(n / 5)), grants: n, scopesPerRole: 3 };
}

export async function measureSmallObjects(n: number, options: SmallObjectsOptions): Promise<SmallObjectsFigures> {
  const { config } = synthesizeStack(smallObjectsSize(n));
  const resources = countResources(config);
  options.log(`Many small objects, N = ${n}: ${resources} resources, ours and the terraform_data floor side by side`);
  const ours = await TerraformSide.open(`ours-small-${resources}`, { withServer: true, log: options.log });
  try {
    const floor = await TerraformSide.open(`floor-small-${resources}`, { withServer: false, log: options.log });
    try {
      ours.write(config);
      floor.write(asTerraformData(config));
      await ours.init();
      await floor.init();
      const apply = (side: TerraformSide) => side.step(`apply from empty (${resources} resources)`, ['apply', '-auto-approve'], [0]);
      const applies = { ours: await apply(ours), floor: await apply(floor) };
      const plans: { ours: StepFigures[]; oursReattached: StepFigures[]; floor: StepFigures[] } = { ours: [], oursReattached: [], floor: [] };
      const plan = (side: TerraformSide, i: number, reattach = false) =>
        side.step(`no-change plan ${i + 1}/${options.plans}${reattach ? ', reattached' : ''}`, ['plan', '-detailed-exitcode'], [0], { reattach });
      for (let i = 0; i < options.plans; i++) {
        plans.ours.push(await plan(ours, i));
        plans.oursReattached.push(await plan(ours, i, true));
        plans.floor.push(await plan(floor, i));
      }
      const profile = options.cpuProfileDir ? await profiledPlan(ours, options.cpuProfileDir) : undefined;
      return {
        n,
        resources,
        ours: { apply: applies.ours, noChangePlans: plans.ours, noChangePlan: median(plans.ours) },
        oursReattached: { noChangePlans: plans.oursReattached, noChangePlan: median(plans.oursReattached) },
        floor: { apply: applies.floor, noChangePlans: plans.floor, noChangePlan: median(plans.floor) },
        ...(profile ? { profile } : {}),
      };
    } finally {
      await floor.close();
    }
  } finally {
    await ours.close();
  }
}

/**
 * One more no-change plan with the provider processes under `node --cpu-prof` (Node refuses the flag in
 * NODE_OPTIONS: the executable passes it), running the readable bundle so that samples name their modules.
 */
async function profiledPlan(side: TerraformSide, dir: string): Promise<ProfileSummary> {
  mkdirSync(dir, { recursive: true });
  const bundlePath = join(dir, 'procurement-provider.js');
  execFileSync(process.execPath, [BUNDLER, '--outfile', bundlePath, '--readable'], { stdio: 'ignore' });
  side.reinstall({ bundlePath, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  try {
    await side.step('no-change plan, providers under the profiler', ['plan', '-detailed-exitcode'], [0], { reattach: false });
  } finally {
    side.reinstall();
  }
  return summarizeProfiles(dir, bundlePath);
}

/** The step with the median wall time (the upper one of an even count). */
function median(steps: StepFigures[]): StepFigures {
  return [...steps].sort((a, b) => a.seconds - b.seconds)[Math.floor(steps.length / 2)];
}
