/**
 * The steps every side of a comparison goes through, in the same order:
 * apply from empty, a no-change plan, optionally the requests of a no-change
 * plan (counted through a proxy, in a separate run so the proxy never slows a
 * timed step), optionally a plan and apply of a changed configuration.
 */
import { countResources, TerraformJson } from './configurations';
import { StepFigures, TerraformSide } from './terraform-side';

export interface DesignFigures {
  resources: number;
  apply: StepFigures;
  noChangePlan: StepFigures;
  /** `METHOD path` of each HTTP request the server received during one no-change plan. */
  noChangePlanRequests?: string[];
  changePlan?: StepFigures;
  changeApply?: StepFigures;
}

export async function measureDesign(
  side: TerraformSide,
  config: TerraformJson,
  options: { countRequests?: boolean; changed?: TerraformJson } = {},
): Promise<DesignFigures> {
  const resources = countResources(config);
  side.write(config);
  await side.init();
  const apply = await side.step(`apply from empty (${resources} resources)`, ['apply', '-auto-approve'], [0]);
  const noChangePlan = await side.step('no-change plan', ['plan', '-detailed-exitcode'], [0]);
  const figures: DesignFigures = { resources, apply, noChangePlan };
  if (options.countRequests) figures.noChangePlanRequests = await side.countRequestsOfNoChangePlan();
  if (options.changed) {
    side.write(options.changed);
    figures.changePlan = await side.step('plan of the change', ['plan', '-detailed-exitcode', '-out=change.tfplan'], [2]);
    figures.changeApply = await side.step('apply of the change', ['apply', 'change.tfplan'], [0]);
  }
  return figures;
}
