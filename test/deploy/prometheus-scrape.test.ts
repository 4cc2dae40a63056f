/**
 * A real Prometheus scrapes a real server with a `read` admin token from a
 * credentials file and evaluates deploy/prometheus/alerts.yml: the refused
 * scope alert fires after real refused token requests (and not before), and
 * a high-risk grant ending in five days raises the expiry alert.
 */
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { Prometheus, startPrometheus, waitUntil } from '../support/prometheus';
import { catalogClient, tokenRequest } from '../support/token-requests';

let server: EmbeddedServer;
let prometheus: Prometheus | undefined;
let secret: string;
const WAIT_MS = 60_000;

interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}
interface Target {
  health: string;
  lastError: string;
}

const alerts = async () => (await prometheus!.api<{ alerts: Alert[] }>('alerts')).alerts;
const firing = async (name: string) => (await alerts()).filter(a => a.labels.alertname === name && a.state === 'firing');
const query = async (expr: string) => (await prometheus!.api<{ result: { value: [number, string] }[] }>(`query?query=${encodeURIComponent(expr)}`)).result;

/** Waits for `check`, and on timeout says what Prometheus saw. */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  await waitUntil(check, WAIT_MS).catch(async () => {
    throw new Error(`${what}: not within ${WAIT_MS} ms; alerts: ${JSON.stringify(await alerts())}; targets: ${JSON.stringify(await prometheus!.api('targets'))}\n${prometheus!.log()}`);
  });
}

beforeAll(async () => {
  server = await startServer();
  const { admin } = server;
  secret = await catalogClient(admin, 'erp');
  await admin.put('scopes', { name: 'po.approve', description: 'Approves orders', risk: 'high', external: false, implies: [] } as never, 'po.approve');
  await admin.put('roles', { name: 'approver', description: 'Approves', scopes: ['po.approve'] } as never, 'approver');
  const expiresAt = new Date(Date.now() + 5 * 86_400_000).toISOString();
  await admin.put('role-bindings', { name: 'approvers', role: 'approver', subjects: [{ clientId: 'erp', expiresAt, justification: 'CHG-1' }] } as never, 'approvers');
  const { token } = await admin.createAdminToken('prometheus', 'read');
  prometheus = await startPrometheus({ target: new URL(server.url).host, token });
});
afterAll(async () => {
  await prometheus?.stop();
  await server?.stop();
});

test('Prometheus scrapes with the read token; the refused-scope alert fires after real refusals; the expiring high-risk grant alerts', async () => {
  await eventually('the target is up', async () => {
    const { activeTargets } = await prometheus!.api<{ activeTargets: Target[] }>('targets');
    return activeTargets.length === 1 && activeTargets[0].health === 'up';
  });
  // erp's scope refusals are scraped as 0 before any refusal (server-metrics.ts), so the first one is an increase.
  await eventually('the zero refusal count is scraped', async () => {
    const result = await query('procurement_token_refusals_total{client_id="erp", reason="invalid_scope"}');
    return result.length === 1 && result[0].value[1] === '0';
  });
  await eventually('the expiry alert fires', async () => (await firing('ProcurementHighRiskGrantExpiringSoon')).length === 1);
  expect((await firing('ProcurementHighRiskGrantExpiringSoon'))[0].labels).toMatchObject({ client_id: 'erp', scope: 'po.approve', risk: 'high' });
  expect(await firing('ProcurementClientRefusedScope')).toEqual([]);

  // The 2 a.m. failure: erp asks for a scope it is not granted.
  for (let i = 0; i < 3; i++) expect((await tokenRequest(server.url, { basic: ['erp', secret], form: { scope: 'payment.approve' } })).body.error).toBe('invalid_scope');
  await eventually('the refused-scope alert fires', async () => (await firing('ProcurementClientRefusedScope')).length === 1);
  expect((await firing('ProcurementClientRefusedScope'))[0].labels).toEqual({ alertname: 'ProcurementClientRefusedScope', client_id: 'erp', severity: 'critical' });
});
