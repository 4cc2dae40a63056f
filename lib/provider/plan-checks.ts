/**
 * What the provider refuses at plan so that an apply never stops halfway:
 * a name of a role, scope or client that will not exist when this object is
 * written, and a write the server's policy would refuse (asked of the
 * server's dry-run admission). Each becomes a diagnostic on the attribute.
 *
 * "Created by this plan": Terraform plans a resource only after everything it
 * references through Terraform references (`procurement_role.buyer.name`), so
 * by the time this object is planned, this process has planned those and
 * recorded them here. A literal name that is neither on the live server nor
 * planned before this object has no dependency edge, so Terraform could as
 * well apply this object first and fail mid-apply: it is refused, and the
 * message says to reference the object (or add `depends_on`). A name not known
 * until apply (an unknown value) is left to the server's admission at apply.
 *
 * Asked only of objects that change (the provider service skips the others):
 * a no-change plan costs no request beyond the one snapshot.
 */
import { AdmissionFinding, ProposedChange } from '../model/admin-api';
import { referencesOf } from '../model/references';
import { Kind, KindObject, NOUN } from '../model/types';
import { Diagnostic, diagnoseFailure, error, warning } from './framework/diagnostics';
import { ModelObject, TerraformPath, terraformPathOf, toModel } from './framework/model-mapping';
import { ProviderContext, ResourceModule } from './framework/resource-module';
import { AdminApiError } from '../client/admin-client';
import { ObjectValue } from './protocol/value-codec';

export class PlanChecks {
  /** Objects this process has planned to create or change, by kind and key, with what is known of them. */
  private readonly planned = new Map<string, { kind: Kind; key: string; object: ModelObject; complete: boolean }>();

  /** The policy document this plan puts in force, once planned (see proposePolicy). */
  private policy: unknown | undefined;

  constructor(private readonly resources: readonly ResourceModule[]) {}

  /**
   * Records the policy document a planned procurement_policy puts in force. The objects that depend on it are
   * planned after it, in this process, and judged with it: a plan adding an exception together with the object it
   * covers is judged as its apply will be (policy first), not refused by the policy it replaces.
   */
  proposePolicy(document: unknown): void {
    this.policy = document;
  }

  async check(ctx: ProviderContext, resource: ResourceModule, planned: ObjectValue): Promise<Diagnostic[]> {
    const key = planned[resource.keyAttribute];
    if (typeof key !== 'string') return [];
    const { object, unknownFields } = toModel(resource.schema, planned);
    // Recorded before any await: whatever Terraform plans after this object (its dependents) sees it.
    this.planned.set(slot(resource.kind, key), { kind: resource.kind, key, object, complete: unknownFields.size === 0 });
    const action = `check ${resource.noun} '${key}' against the server`;
    try {
      const missing = await this.missingReferences(ctx, resource, object);
      const changes = missing.length === 0 ? this.changesFor(resource.kind, key) : null;
      // Values known only at apply (here or in a new object this one names) are judged by admission at apply.
      if (changes === null) return missing;
      return this.policyFindings(await ctx.client.admission(changes, this.policy), resource, key);
    } catch (failure) {
      if (failure instanceof AdminApiError && failure.status === 404) {
        return [warning('Policy not checked at plan', `The server at ${ctx.client.url} has no dry-run admission endpoint, so ${resource.noun} '${key}' was not checked against its policy until apply.`)];
      }
      return diagnoseFailure(failure, { action });
    }
  }

  private async missingReferences(ctx: ProviderContext, resource: ResourceModule, object: ModelObject): Promise<Diagnostic[]> {
    const out: Diagnostic[] = [];
    for (const ref of referencesOf(resource.kind, object as unknown as KindObject[Kind])) {
      if (this.planned.has(slot(ref.kind, ref.key)) || (await ctx.snapshot.find(ref.kind, ref.key))) continue;
      const target = this.resources.find(r => r.kind === ref.kind);
      out.push(
        error(
          `Unknown ${NOUN[ref.kind]}`,
          `${NOUN[ref.kind]} '${ref.key}' is not on the server and this configuration does not create it before this ${resource.noun}. ` +
            `Fix the name, or create it in this configuration and refer to it (e.g. ${target?.typeName}.<name>.${target?.keyAttribute}, ` +
            'or add depends_on) so that Terraform creates it first. Nothing was applied.',
          terraformPathOf(resource.schema, ref),
        ),
      );
    }
    return out;
  }

  /**
   * This object and the objects planned here that it names (transitively): a binding and its new role,
   * that role's new scopes, its new clients. The server judges them together, the rest as it stands.
   * Null when one of them is not fully known yet.
   */
  private changesFor(kind: Kind, key: string): ProposedChange[] | null {
    const changes: ProposedChange[] = [];
    const queue = [slot(kind, key)];
    const seen = new Set(queue);
    while (queue.length > 0) {
      const entry = this.planned.get(queue.shift()!)!;
      if (!entry.complete) return null;
      changes.push({ kind: entry.kind, key: entry.key, value: entry.object });
      for (const ref of referencesOf(entry.kind, entry.object as unknown as KindObject[Kind])) {
        const next = slot(ref.kind, ref.key);
        if (!seen.has(next) && this.planned.has(next)) seen.add(next) && queue.push(next);
      }
    }
    return changes;
  }

  /** The findings that involve this object and that it would introduce; existing ones are the store's, not this plan's. */
  private policyFindings(answer: { findings: AdmissionFinding[]; environment: string }, resource: ResourceModule, key: string): Diagnostic[] {
    return answer.findings
      .filter(f => !f.existing && f.objects.some(o => o.kind === resource.kind && o.key === key))
      .map(f => {
        const make = f.severity === 'error' ? error : warning;
        const summary = f.severity === 'error' ? `Refused by the '${answer.environment}' policy: ${f.ruleId}` : `Policy warning: ${f.ruleId}`;
        const others = f.objects.filter(o => !(o.kind === resource.kind && o.key === key)).map(o => `${NOUN[o.kind]} '${o.key}'`);
        const involving = others.length ? ` (involves ${others.join(', ')})` : '';
        const outcome = f.severity === 'error' ? ' The server would refuse this write at apply; nothing was applied.' : '';
        return make(summary, `${f.message}${involving}.${outcome}`, attributeOf(resource, key, f));
      });
  }
}

/** Where a finding points: its field when this object is the one at fault, else a binding's subjects or a role's scopes. */
function attributeOf(resource: ResourceModule, key: string, finding: AdmissionFinding): TerraformPath | undefined {
  const atFault = finding.objects[0];
  if (finding.field && atFault?.kind === resource.kind && atFault.key === key) return terraformPathOf(resource.schema, { path: finding.field });
  const field = resource.kind === 'role-bindings' ? 'subjects' : resource.kind === 'roles' ? 'scopes' : undefined;
  return field ? terraformPathOf(resource.schema, { path: [field] }) : undefined;
}

function slot(kind: Kind, key: string): string {
  return `${kind}\u0000${key}`;
}
