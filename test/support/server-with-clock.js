#!/usr/bin/env node
/**
 * The built embedded server (dist/) with a clock a test can move, for
 * behaviour that depends on time passing while a server runs (a grant
 * expiring while its token is live). The server takes its clock as an
 * argument (lib/server/server.ts `startServer(config, log, now)`); the CLI
 * has no option for it, on purpose, so tests start it through this script.
 * Plain JavaScript: it runs under node, not jest.
 *
 * Usage: node server-with-clock.js <dataDir> [port] [settings]
 * (settings: a JSON object of further resolveConfig inputs, e.g. {"clientRateLimit":1})
 * Prints `listening on <url>` like `procurement-scopes server`; reads lines
 * `advance <seconds>` from stdin and answers each with `now <ISO time>`.
 */
const { createInterface } = require('node:readline');
const { resolve } = require('node:path');

const dist = resolve(__dirname, '../../dist/lib/server');
const { resolveConfig } = require(`${dist}/defaults.js`);
const { startServer } = require(`${dist}/server.js`);
const { createLog } = require(`${dist}/log.js`);

let offsetMs = 0;
const now = () => new Date(Date.now() + offsetMs);

async function main() {
  const config = resolveConfig({
    ...JSON.parse(process.argv[4] ?? '{}'),
    port: Number(process.argv[3] ?? 0),
    dataDir: process.argv[2],
    storeUrl: process.env.PROCUREMENT_STORE_URL || null,
    adminToken: process.env.PROCUREMENT_ADMIN_TOKEN || null,
  });
  const server = await startServer(config, createLog(), now);
  process.stdout.write(`listening on ${server.url}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    const advance = /^advance (\d+)$/.exec(line.trim());
    if (!advance) {
      process.stderr.write(`server-with-clock: unknown command '${line}' (expected 'advance <seconds>')\n`);
      continue;
    }
    offsetMs += Number(advance[1]) * 1000;
    process.stdout.write(`now ${now().toISOString()}\n`);
  }
  await server.close();
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
