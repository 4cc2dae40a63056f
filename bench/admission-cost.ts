/**
 * What server admission costs a write in a large store: 1,000 clients, 200
 * scopes, 50 roles and 50 bindings of 100 subjects (5,000 grants, the
 * benchmarks' large stack), written straight into the store. Times admin
 * PUTs over loopback against an in-process server on it, and, in the same
 * process, the admission step alone and what a whole-model evaluation per
 * write would cost instead.
 *
 *   npm run build && node dist/bench/admission-cost.js
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AdminClient } from '../lib/client/admin-client';
import { Client, Role, RoleBinding, Scope } from '../lib/model/types';
import { evaluatePolicy, modelOf, recommendedPolicy } from '../lib/policy';
import { judge } from '../lib/server/admission/admission';
import { PolicyHolder } from '../lib/server/admission/server-policy';
import { resolveConfig } from '../lib/server/defaults';
import { startServer } from '../lib/server/server';
import { SqliteStore } from '../lib/server/store/sqlite-store';
import { SILENT_LOG } from '../lib/server/log';

const CLIENTS = 1_000;
const SCOPES = 200;
const ROLES = 50;
const SUBJECTS_PER_BINDING = 100;

function estate(): { scopes: Scope[]; roles: Role[]; clients: Client[]; bindings: RoleBinding[] } {
  const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const scopes = Array.from({ length: SCOPES }, (_, i): Scope => ({ name: `resource${i}.use`, description: `Scope ${i}`, risk: i % 10 === 0 ? 'high' : 'low', external: false, implies: [] }));
  const roles = Array.from({ length: ROLES }, (_, r): Role => ({ name: `role-${r}`, description: `Role ${r}`, scopes: [0, 1, 2, 3].map(k => scopes[(r * 4 + k) % SCOPES].name) }));
  const clients = Array.from({ length: CLIENTS }, (_, c): Client => ({
    clientId: `client-${c}`,
    displayName: `Client ${c}`,
    owner: `team-${c % 40}`,
    external: false,
    grantTypes: ['client_credentials'],
    redirectUris: [],
    tokenLifetimeSeconds: 3600,
    secretRotationDays: 90,
  }));
  const bindings = roles.map((role, r): RoleBinding => ({
    name: `${role.name}-grants`,
    role: role.name,
    subjects: Array.from({ length: SUBJECTS_PER_BINDING }, (_, k) => ({ clientId: `client-${(r * 20 + k) % CLIENTS}`, expiresAt, justification: 'CHG-BENCH' })),
  }));
  return { scopes, roles, clients, bindings };
}

async function timed(label: string, count: number, fn: (i: number) => Promise<unknown> | unknown): Promise<void> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await fn(i);
  const ms = performance.now() - started;
  console.log(`${label.padEnd(58)} ${count} in ${(ms / 1000).toFixed(2)} s, ${(ms / count).toFixed(2)} ms each`);
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'procurement-admission-bench-'));
  const { scopes, roles, clients, bindings } = estate();
  const filling = await SqliteStore.open(dataDir);
  await filling.transaction(async tx => {
    for (const s of scopes) await tx.put('scopes', s.name, s);
    for (const r of roles) await tx.put('roles', r.name, r);
    for (const c of clients) await tx.put('clients', c.clientId, c);
    for (const b of bindings) await tx.put('role-bindings', b.name, b);
  });
  await filling.close();
  const server = await startServer(resolveConfig({ port: 0, dataDir, adminToken: 'bench-admin-token-0123456789' }), SILENT_LOG);
  try {
    const admin = new AdminClient({ url: server.url, adminToken: 'bench-admin-token-0123456789', actor: 'bench' });
    await timed('PUT client update in the full store', clients.length, i =>
      admin.put('clients', { ...clients[i], displayName: `Client ${i} renamed` }, clients[i].clientId),
    );
    await timed('PUT binding update (100 subjects) in the full store', bindings.length, i =>
      admin.put('role-bindings', { ...bindings[i], subjects: bindings[i].subjects.slice(1) }, bindings[i].name),
    );
    await timed('PUT scope update held by ~100 clients', 20, i => admin.put('scopes', { ...scopes[i * 10 + 1], description: 'renamed' }, scopes[i * 10 + 1].name));

    // The admission step alone, and the whole-model alternative, on the same store in this process.
    const store = await SqliteStore.open(dataDir);
    const policy = await (await PolicyHolder.open(store, 'dev')).current(store);
    const now = new Date();
    await timed('in process: admission of a client update (incremental)', clients.length, i =>
      judge(store, policy, [{ kind: 'clients', key: clients[i].clientId, value: { ...clients[i], displayName: 'x' } as Client }], now),
    );
    await timed('in process: admission of a binding update (incremental)', bindings.length, i =>
      judge(store, policy, [{ kind: 'role-bindings', key: bindings[i].name, value: bindings[i] }], now),
    );
    const document = recommendedPolicy('dev');
    await timed('in process: one whole-model evaluation (the alternative)', 20, async () => {
      const { revision: _, ...model } = await store.snapshot();
      return evaluatePolicy(modelOf(model), document, now);
    });
    await store.close();
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
