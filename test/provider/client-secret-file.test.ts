/**
 * The secret file of a client the provider created is removed when the client
 * is deleted: a stale file would be read back by `verify` and the main job as
 * if it were still the client's secret.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { createWorkspace, expectExit, Workspace } from '../support/terraform';

let server: EmbeddedServer;
let dir: string;
let tf: Workspace;

const scope = { catalog_read: { name: 'catalog.read', description: 'Read the catalog', risk: 'low' } };

beforeAll(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'secret-file-tf-'));
  tf = await createWorkspace({ url: server.url, adminToken: server.adminToken, provider: { secrets_dir: join(dir, 'secrets') } });
});
afterAll(async () => {
  tf?.remove();
  rmSync(dir, { recursive: true, force: true });
  await server?.stop();
});

test('a removed client loses its secret file; the other client keeps its own', async () => {
  tf.writeConfig({
    resource: {
      procurement_scope: scope,
      procurement_client: { bot: { client_id: 'bot', display_name: 'Bot', owner: 'team' }, desk: { client_id: 'desk', display_name: 'Desk', owner: 'team' } },
    },
  });
  expectExit(await tf.init(), 0);
  expectExit(await tf.apply(), 0);
  expect(existsSync(join(dir, 'secrets/bot.json'))).toBe(true);
  expect(existsSync(join(dir, 'secrets/desk.json'))).toBe(true);

  tf.writeConfig({ resource: { procurement_scope: scope, procurement_client: { desk: { client_id: 'desk', display_name: 'Desk', owner: 'team' } } } });
  expectExit(await tf.apply(), 0);
  expect(existsSync(join(dir, 'secrets/bot.json'))).toBe(false);
  expect(existsSync(join(dir, 'secrets/desk.json'))).toBe(true);
  expect(await server.admin.get('clients', 'bot')).toBeNull();
});
