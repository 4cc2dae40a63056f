/**
 * Every procurement resource is judged at synth by an Authorization: one that
 * claims it (its provider) in the same stack. A resource no Authorization
 * claims would skip every synth rule, so it is an error annotation itself,
 * which `skipValidation` does not silence. The mark is a `Symbol.for`, so a
 * second installed copy of the library still recognizes an Authorization.
 */
import { Annotations, Aspects, TerraformResource, TerraformStack } from '../cdk';
import { IConstruct } from 'constructs';

export const JUDGE_MARK = Symbol.for('procurement-scopes/Authorization');

export interface IResourceJudge extends IConstruct {
  /** Whether this judge's rules cover `resource`. */
  claims(resource: TerraformResource): boolean;
}

function isJudge(construct: IConstruct): construct is IResourceJudge {
  return (construct as unknown as Record<symbol, unknown>)[JUDGE_MARK] === true;
}

/** Registers the check that some Authorization of the stack claims `resource`. */
export function requireJudge(resource: TerraformResource): void {
  Aspects.of(resource).add({
    visit: node => {
      if (node !== resource) return;
      const judges = TerraformStack.of(resource).node.findAll().filter(isJudge);
      if (judges.some(j => j.claims(resource))) return;
      Annotations.of(resource).addError(
        `${resource.terraformResourceType} is not judged by any Authorization: no Authorization in stack '${TerraformStack.of(resource).node.id}' ` +
          'uses its provider. Create the resource inside an Authorization, or give it the provider of one (authorization.provider)',
      );
    },
  });
}
