/**
 * The access map (`/ui/`) in a real headless Chromium (Debian package
 * `chromium`, driven by playwright-core) against a real server with real data:
 * grants of every risk, one expiring in three days with its justification,
 * one never used, one used by a real token, a refused request, and a client
 * whose display name is markup. Asserts what the page says, that the token
 * given in the fragment leaves the address bar and never reaches the
 * server's log (at --log-level debug, where every request is logged), that a
 * wrong token gets a clear message, that the policy header holds (no inline
 * script ran, no console error), and checks a screenshot.
 *
 * The screenshot is checked by its properties, not against a checked-in
 * image: fonts and anti-aliasing differ between machines and Chromium
 * versions, so a pixel comparison would either fail on a font update or need
 * a tolerance too loose to mean much. What matters is checked instead: each
 * risk badge shows its colour at the place the page laid it out, the page has
 * the width it was given and is not blank. ACCESS_MAP_SCREENSHOT=<file.png>
 * also writes it there (docs/access-map.png was made so).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { Browser, Page, chromium } from 'playwright-core';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { tokenRequest } from '../support/token-requests';
import { waitFor } from '../support/wait-for';

const CHROMIUM = '/usr/bin/chromium';
const MARKUP_NAME = '<img src=x onerror="window.pwned=1">Evil & Co';
const DAY_MS = 86_400_000;
const VIEWPORT = { width: 1200, height: 900 };

let server: EmbeddedServer;
let browser: Browser;
let readToken: string;
/** What the page last opened reported: uncaught errors, console errors (a policy violation is one), dialogs. */
const pageErrors: string[] = [];
// The page's globals, in the functions run inside the page (the project compiles without the DOM's types).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;
type Node = any;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install the Debian package chromium (.ci/run does when it is missing)`);
  server = await startServer({ args: ['--log-level', 'debug'] });
  const { admin } = server;
  const scope = (name: string, risk: string, implies: string[] = []) => admin.put('scopes', { name, description: `Can ${name}`, risk, external: false, implies } as never, name);
  await scope('catalog.read', 'low');
  await scope('po.create', 'medium', ['catalog.read']);
  await scope('contract.sign', 'high');
  await scope('payment.release', 'critical');
  await admin.put('roles', { name: 'buyer', description: 'Buys', scopes: ['po.create'] }, 'buyer');
  await admin.put('roles', { name: 'approver', description: 'Approves', scopes: ['contract.sign'] }, 'approver');
  await admin.put('roles', { name: 'treasurer', description: 'Releases payments', scopes: ['payment.release'] }, 'treasurer');
  const erpSecret = (await admin.put('clients', { clientId: 'erp', displayName: 'ERP', owner: 'finance' } as never, 'erp')).clientSecret!;
  await admin.put('clients', { clientId: 'evil', displayName: MARKUP_NAME, owner: 'vendor <b>x</b>' } as never, 'evil');
  await admin.put('role-bindings', { name: 'buyers', role: 'buyer', subjects: [{ clientId: 'erp' }, { clientId: 'evil' }] } as never, 'buyers');
  const soon = new Date(Date.now() + 3 * DAY_MS + 3_600_000).toISOString();
  await admin.put('role-bindings', { name: 'approvers', role: 'approver', subjects: [{ clientId: 'erp', expiresAt: new Date(Date.now() + 60 * DAY_MS).toISOString(), justification: 'CHG-41 quarterly close' }] } as never, 'approvers');
  await admin.put('role-bindings', { name: 'treasury', role: 'treasurer', subjects: [{ clientId: 'erp', expiresAt: soon, justification: 'INC-7 <script>alert(1)</script>' }] } as never, 'treasury');
  // erp uses po.create (and catalog.read); contract.sign and payment.release stay unused. A refused scope for the refusals.
  expect((await tokenRequest(server.url, { basic: ['erp', erpSecret], form: { scope: 'po.create catalog.read' } })).status).toBe(200);
  expect((await tokenRequest(server.url, { basic: ['erp', erpSecret], form: { scope: 'invoice.pay' } })).body.error).toBe('invalid_scope');
  // The refusal counters reach the store once a second.
  await waitFor(async () => (await server.admin.refusals({ clientId: 'erp' })).items.length > 0, 'the refusal to be stored', 10_000);
  readToken = (await admin.createAdminToken('access-map-reader', 'read')).token;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--font-render-hinting=none'] });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(fragment: string): Promise<Page> {
  // Errors of this page only: a wrong token's 401 is a console error of its own page.
  pageErrors.length = 0;
  const page = await browser.newPage({ viewport: VIEWPORT });
  page.on('pageerror', error => pageErrors.push(String(error)));
  page.on('console', message => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  page.on('dialog', dialog => {
    pageErrors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(`${server.url}/ui/${fragment}`);
  await page.waitForFunction(() => ['ready', 'error', 'waiting'].includes(document.body.dataset.state ?? ''), undefined, { timeout: 30_000 });
  return page;
}

const text = (page: Page, selector: string) => page.$eval(selector, node => (node as Node).innerText);
/** The rows of the table in `selector`, each as its cells' text. */
const rows = (page: Page, selector: string) =>
  page.$$eval(`${selector} tbody tr`, trs => trs.map(tr => [...tr.querySelectorAll('td')].map(td => td.innerText.trim())));

test('with a read token in the fragment: clients by scope with risk, role, expiry, justification and last use; what expires soon; what is unused; recent refusals', async () => {
  const page = await open(`#token=${readToken}`);
  expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
  // The token left the address bar (and so the history) at once.
  expect(page.url()).toBe(`${server.url}/ui/`);

  expect(await text(page, '#summary')).toMatch(
    /^2 clients hold 6 grants \(2 high or critical\); 1 expiring within 14 days or expired; 4 unused for 30 days; 1 refused requests since .*Read with token 'access-map-reader' \(read\)/,
  );
  const expiring = await rows(page, '#expiring');
  expect(expiring).toEqual([[expect.stringMatching(/ UTC \(in 3 days\)$/), 'erp', 'payment.release', 'critical', 'treasury', 'INC-7 <script>alert(1)</script>']]);
  expect(await rows(page, '#unused')).toEqual([
    ['erp', 'payment.release', 'critical', 'treasurer', 'never'],
    ['erp', 'contract.sign', 'high', 'approver', 'never'],
    ['evil', 'po.create', 'medium', 'buyer', 'never'],
    ['evil', 'catalog.read', 'low', 'buyer', 'never'],
  ]);
  expect(await rows(page, '#refusals')).toEqual([['erp', 'token', 'invalid_scope', '1', expect.stringMatching(/ UTC \(today\)$/)]]);

  // Clients by scope: erp first (it holds a critical scope), its grants by risk.
  expect(await page.$$eval('#map h3', hs => hs.map(h => (h as Node).innerText))).toEqual(['erp ERP · owner finance', `evil ${MARKUP_NAME} · owner vendor <b>x</b>`]);
  const erp = await page.$$eval('#map table', tables => [...tables[0].querySelectorAll('tbody tr')].map(tr => [...tr.querySelectorAll('td')].map(td => (td as Node).innerText.trim())));
  expect(erp).toEqual([
    ['payment.release', 'critical', 'treasurer (treasury)', expect.stringMatching(/in 3 days/), 'INC-7 <script>alert(1)</script>', 'never'],
    ['contract.sign', 'high', 'approver (approvers)', expect.stringMatching(/in 60 days/), 'CHG-41 quarterly close', 'never'],
    ['po.create', 'medium', 'buyer (buyers)', 'never', '', expect.stringMatching(/ UTC \(today\)$/)],
    ['catalog.read (implied by po.create)', 'low', 'buyer (buyers)', 'never', '', expect.stringMatching(/ UTC \(today\)$/)],
  ]);

  // The markup in names and justifications stayed text: no element made of it, no script run.
  expect(await page.$$('img')).toHaveLength(0);
  expect(await page.$$('main script, main b')).toHaveLength(0);
  expect(await page.evaluate(() => window.pwned)).toBeUndefined();
  expect(pageErrors).toEqual([]);

  // The screenshot: each risk badge shows its colour where the page put it.
  const png = PNG.sync.read(await page.screenshot({ fullPage: true, type: 'png' }));
  if (process.env.ACCESS_MAP_SCREENSHOT) writeFileSync(process.env.ACCESS_MAP_SCREENSHOT, PNG.sync.write(png));
  expect(png.width).toBe(VIEWPORT.width);
  expect(png.height).toBeGreaterThan(VIEWPORT.height / 2);
  const colours = { critical: [0xb3, 0x26, 0x1e], high: [0xe8, 0x71, 0x0a], medium: [0xf9, 0xab, 0x00], low: [0x18, 0x80, 0x38] };
  for (const [risk, expected] of Object.entries(colours)) {
    const box = await page.$eval(`#map .risk-${risk}`, node => {
      const r = node.getBoundingClientRect();
      return { x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height };
    });
    // A pixel inside the badge but clear of its text: the left padding, half-way down.
    const at = (Math.round(box.y + box.height / 2) * png.width + Math.round(box.x + 2)) * 4;
    const seen = [png.data[at], png.data[at + 1], png.data[at + 2]];
    expect([risk, seen.every((value, i) => Math.abs(value - expected[i]) <= 8)]).toEqual([risk, true]);
  }
  // Not blank: most of it is the white page, and a good part is text and colour.
  const white = countPixels(png, (r, g, b) => r > 245 && g > 245 && b > 245);
  expect(white / (png.width * png.height)).toBeGreaterThan(0.5);
  expect(white / (png.width * png.height)).toBeLessThan(0.98);
  await page.close();

  // The token reached the server as an Authorization header only: never in the log, even with every request logged.
  await waitFor(() => server.stderr().includes('"path":"/admin/v1/refusals/summary"'), 'the page\'s requests in the log');
  expect(server.stderr()).toContain('"path":"/ui/"');
  expect(server.stderr()).not.toContain(readToken);
});

test('a wrong token: a clear message, nothing shown', async () => {
  const page = await open('#token=not-a-token-0123456789');
  expect(await page.evaluate(() => document.body.dataset.state)).toBe('error');
  expect(await text(page, '#status')).toBe(
    'Cannot show the access map: the token was refused: the admin token is unknown or revoked: ask an admin for a token (procurement-scopes admin-token create). Give a read admin token (procurement-scopes admin-token create --role read).',
  );
  expect(await page.$eval('#content', node => (node as Node).hidden)).toBe(true);
  expect(page.url()).toBe(`${server.url}/ui/`);
  await page.close();
});

test('a token typed in shows the same map', async () => {
  const page = await open('');
  expect(await text(page, '#status')).toContain('Give a read admin token');
  await page.fill('#token-input', readToken);
  await page.click('button[type=submit]');
  await page.waitForFunction(() => document.body.dataset.state === 'ready', undefined, { timeout: 30_000 });
  expect(await text(page, '#summary')).toMatch(/^2 clients hold 6 grants/);
  // The field is emptied once read.
  expect(await page.$eval('#token-input', node => (node as Node).value)).toBe('');
  await page.close();
});

test('the files are served with a strict content security policy; nothing else under /ui/', async () => {
  for (const path of ['/ui/', '/ui/access-map.js', '/ui/access-map.css', '/ui/favicon.svg']) {
    const res = await fetch(`${server.url}${path}`);
    expect([path, res.status]).toEqual([path, 200]);
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  }
  const html = await (await fetch(`${server.url}/ui/`)).text();
  // No inline script or style for the policy to allow.
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).not.toMatch(/<style|style=/);
  expect((await fetch(`${server.url}/ui`, { redirect: 'manual' })).headers.get('location')).toBe('/ui/');
  for (const path of ['/ui/../package.json', '/ui/index.html.bak', '/ui/%2e%2e/package.json', '/ui/access-map.ts']) {
    expect([path, (await fetch(`${server.url}${path}`)).status]).toEqual([path, 404]);
  }
  expect((await fetch(`${server.url}/ui/`, { method: 'POST' })).status).toBe(405);
});

function countPixels(png: PNG, match: (r: number, g: number, b: number) => boolean): number {
  let count = 0;
  for (let i = 0; i < png.data.length; i += 4) if (match(png.data[i], png.data[i + 1], png.data[i + 2])) count++;
  return count;
}
