/**
 * Ownership at plan time, so that a takeover, a lost object or two resources
 * for one object fail before anything is applied (the server refuses the
 * same writes again at apply: this is the early, friendlier half). Checked
 * against the live snapshot the plan's reads already fetched.
 */
import { describeManager, managerDigest } from '../model/ownership';
import { Diagnostic, error } from './framework/diagnostics';
import { ProviderContext, ResourceModule } from './framework/resource-module';
import { isKnown, ObjectValue } from './protocol/value-codec';

export class OwnershipPlanner {
  /** Objects some resource of this Terraform run plans to create: a second one is a duplicate. */
  private readonly creating = new Set<string>();

  /**
   * `prior` null: the resource plans a create; `manager`: the prior instance's manager id. `replacing`: the key
   * changed, so Terraform plans this instance again with a null prior (the create), which is checked then.
   */
  async check(
    ctx: ProviderContext,
    resource: ResourceModule,
    prior: ObjectValue | null,
    planned: ObjectValue,
    manager: string | null,
    replacing: boolean,
  ): Promise<Diagnostic[]> {
    const key = planned[resource.keyAttribute];
    // An unknown key is checked again once known (at apply).
    if (replacing || !isKnown(key) || typeof key !== 'string') return [];
    const object = `${resource.noun} '${key}'`;
    const address = `${resource.typeName}.<name>`;
    const exists = (await ctx.snapshot.find(resource.kind, key)) !== undefined;
    const live = await ctx.snapshot.managerOf(resource.kind, key);
    if (prior === null) {
      if (this.creating.has(`${resource.kind}/${key}`)) {
        return [
          error(
            `Two resources declare ${object}`,
            `Another ${resource.typeName} resource of this configuration also creates ${object}; one object has one manager. ` +
              'Keep one of the two resources.',
            [resource.keyAttribute],
          ),
        ];
      }
      this.creating.add(`${resource.kind}/${key}`);
      const earlier = ctx.inDoubtCreates.managerOf(resource.kind, key);
      if (!exists || (live !== null && earlier !== null && live.digest === managerDigest(earlier))) return [];
      return [
        error(
          `${capitalize(object)} already exists`,
          `This resource would create ${object}, but it already exists on the server and ` +
            `${live ? `is managed by ${describeManager(live)}` : 'no Terraform resource manages it'}. A create never takes over an ` +
            `existing object. To manage it from this resource, import it: \`terraform import ${address} ${key}\` (or an \`import\` block); ` +
            'the import takes it over and its previous manager can then neither change nor delete it. If this resource was renamed, ' +
            'add a `moved` block from its old address instead. Otherwise remove this resource from the configuration.',
          [resource.keyAttribute],
        ),
      ];
    }
    // The server answers a manager's digest, never its id: this resource compares the digest of the id its state holds.
    if (!exists || (live?.digest ?? null) === (manager === null ? null : managerDigest(manager))) return [];
    return [
      error(
        `${capitalize(object)} is managed elsewhere`,
        `This resource's state manages ${object}, but on the server ${live ? `it is managed by ${describeManager(live)}` : 'no Terraform resource manages it'} ` +
          '(it was imported elsewhere, or this state was copied). This resource will neither change nor delete it. If the other manager ' +
          `is right, remove this resource from the configuration and the state (\`terraform state rm ${address}\`); to take the object ` +
          `back, \`terraform state rm ${address}\` and then \`terraform import ${address} ${key}\`.`,
        [resource.keyAttribute],
      ),
    ];
  }
}

function capitalize(text: string): string {
  return text[0].toUpperCase() + text.slice(1);
}
