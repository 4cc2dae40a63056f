/**
 * A generated configuration of realistic size for benchmarks: N clients, scopes
 * and roles, and G grants spread so that every client holds G/N distinct roles.
 * Grants go through `role.grantTo`, so they aggregate into one binding per role.
 * It passes the recommended guardrails: roles that carry a high-risk scope are
 * granted with an expiry inside the window and a justification.
 */
import { App, TerraformStack } from 'cdktf';
import { Authorization, ProcurementClient, ProcurementPolicy, Role, Scope, ScopeRisk } from '../lib/constructs';

export interface LargeStackSize {
  readonly clients: number;
  readonly scopes: number;
  readonly roles: number;
  readonly grants: number;
  /** @default 4 */
  readonly scopesPerRole?: number;
}

export interface LargeStackOptions {
  /** @default 'bench' */
  readonly stackName?: string;
  /** @default the system clock */
  readonly clock?: () => Date;
  /** The environment the stack's policy is for; the server it is applied to must guard the same one. @default 'bench' */
  readonly environment?: string;
}

/** Every tenth scope is high risk, so about a third of the roles need time-bound grants. */
const HIGH_RISK_EVERY = 10;
const SCOPES_PER_ROLE = 4;

export function buildLargeStack(app: App, size: LargeStackSize, options: LargeStackOptions = {}): { stack: TerraformStack; authorization: Authorization } {
  const perClient = Math.ceil(size.grants / size.clients);
  if (perClient > size.roles) throw new Error(`${size.grants} grants over ${size.clients} clients need ${perClient} distinct roles per client, but there are only ${size.roles} roles`);
  const stack = new TerraformStack(app, options.stackName ?? 'bench');
  const environment = options.environment ?? 'bench';
  const auth = new Authorization(stack, 'Procurement', { environment, policy: ProcurementPolicy.recommended(environment), clock: options.clock });
  const scopes = Array.from({ length: size.scopes }, (_, i) =>
    new Scope(auth, `Scope${i}`, {
      name: `resource${i}.use`,
      description: `Generated scope ${i}.`,
      risk: i % HIGH_RISK_EVERY === 0 ? ScopeRisk.HIGH : ScopeRisk.LOW,
    }),
  );
  const perRole = size.scopesPerRole ?? SCOPES_PER_ROLE;
  const scopeIndicesOf = (r: number) => Array.from({ length: perRole }, (_, k) => (r * perRole + k) % scopes.length);
  const roles = Array.from({ length: size.roles }, (_, r) =>
    new Role(auth, `Role${r}`, { name: `role-${r}`, description: `Generated role ${r}.`, scopes: scopeIndicesOf(r).map(i => scopes[i]) }),
  );
  const highRisk = new Set(roles.filter((_, r) => scopeIndicesOf(r).some(i => i % HIGH_RISK_EVERY === 0)));
  const clients = Array.from({ length: size.clients }, (_, c) =>
    new ProcurementClient(auth, `Client${c}`, { clientId: `client-${c}`, displayName: `Generated client ${c}`, owner: `team-${c % 40}` }),
  );
  const timeBound = { expiresAt: auth.daysFromNow(30), justification: 'CHG-BENCH generated grant' };
  // Grant g goes to client g mod N; the role steps by a stride coprime-ish with the
  // role count so that one client's roles are distinct.
  const stride = strideFor(size.roles, perClient);
  for (let g = 0; g < size.grants; g++) {
    const client = clients[g % size.clients];
    const role = roles[(g % size.clients + Math.floor(g / size.clients) * stride) % size.roles];
    role.grantTo(client, highRisk.has(role) ? timeBound : {});
  }
  return { stack, authorization: auth };
}

/** The smallest stride whose first `count` multiples are distinct modulo `roles`. */
function strideFor(roles: number, count: number): number {
  for (let stride = Math.floor(roles / count); stride >= 1; stride--) {
    if (new Set(Array.from({ length: count }, (_, k) => (k * stride) % roles)).size === count) return stride;
  }
  return 1;
}
