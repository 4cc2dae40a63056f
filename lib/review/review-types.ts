/** The review as data: what `buildReview` answers and the renderers read. */
import { Client, Risk } from '../model/types';
import { Flag } from './grant-flags';
import { ObjectChange } from './plan-models';
import { ExceptionEntry, ReviewFinding } from './review-policy';
import { UnusedGrant } from './unused-grants';

export interface ScopeChange {
  clientId: string;
  change: 'gained' | 'lost' | 'extended';
  scope: string;
  /**
   * Risk in the picture the change lands in; 'unknown' when the plan leaves it to apply (a variable, another
   * resource's attribute); null when that picture does not define the scope.
   */
  risk: Risk | 'unknown' | null;
  expiresAt: string | null;
  /** For `extended`: the expiry before. */
  previousExpiresAt?: string | null;
  via: string[];
  /** The justifications (change tickets, reasons) of the grants that give it, as the bindings say them. */
  justifications: string[];
  flags: Flag[];
}

export interface ClientEntry {
  clientId: string;
  client: Client | null;
  /** Effective scopes after (added) or before (removed). */
  scopes: string[];
  flags: Flag[];
}

export interface ClientAttributeChange {
  clientId: string;
  attributes: { name: string; before: unknown; after: unknown }[];
  flags: Flag[];
}

export interface DefinitionChange {
  kind: 'scope' | 'role';
  key: string;
  action: ObjectChange['action'];
  details: string[];
  flags: Flag[];
}

export interface DriftEntry {
  address: string;
  kind: ObjectChange['kind'];
  key: string;
  action: ObjectChange['action'];
  attributes: string[];
  /** Effective access that changed outside Terraform (last apply → live). */
  access: ScopeChange[];
  /** Whether this plan puts the object back as Terraform last wrote it. */
  revertedByPlan: boolean;
  /** A client's `downstream_drift` as the refresh read it: what the server's downstream holds instead, and why; null for none. */
  downstreamDrift: string | null;
}

export interface UnknownEntry {
  address: string;
  paths: string[];
  /** Clients whose effective scopes depend on these values. */
  affectsClients: string[];
}

export interface Review {
  verdict: string;
  /** True when something needs a reviewer's attention (the verdict starts with ⚠). */
  flagged: boolean;
  /**
   * Terraform's own plan summary ("Plan: X to add, Y to change, Z to destroy"), over every managed resource of the
   * plan (the procurement_policy and other providers' resources included): a replacement adds one and destroys one.
   */
  counts: Record<'add' | 'change' | 'destroy' | 'forget', number>;
  now: Date;
  scopeChanges: ScopeChange[];
  addedClients: ClientEntry[];
  removedClients: ClientEntry[];
  clientAttributeChanges: ClientAttributeChange[];
  /** The policy the plan was judged with; null when there was none to judge with. */
  policy: { environment: string; source: 'given' | 'plan' | 'server'; changed: boolean } | null;
  /** What this plan changes in the procurement_policy it manages (policyChanges); empty when it changes none. */
  policyChanges: string[];
  /** The policy's findings on the picture after apply (empty without a policy). */
  findings: ReviewFinding[];
  /** Exceptions of the policy that apply to objects in the picture after apply. */
  exceptions: ExceptionEntry[];
  definitions: DefinitionChange[];
  drift: DriftEntry[];
  unknown: UnknownEntry[];
  /** Kept grants unused for `unusedAfterDays`; null when no usage record was given. */
  unused: { afterDays: number; grants: UnusedGrant[] } | null;
}
