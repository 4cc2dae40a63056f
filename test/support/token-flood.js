#!/usr/bin/env node
/**
 * A flood of failed token requests, from its own process (an attacker is not
 * the client being measured, and must not share its event loop). Plain
 * JavaScript: it runs under node, not jest.
 *
 * Usage: node token-flood.js <token endpoint URL> <requests> <connections> <body bytes> <registered client id> <time limit ms>
 * Sends, in turn: the registered id with a wrong secret (client_secret_basic),
 * a forged id (client_secret_basic), a forged id in the form
 * (client_secret_post); each with a scope filling the body to its size.
 * Prints one JSON line: { sent, ms, statuses: { <status>: <count> } }.
 */
const { Agent, request } = require('node:http');

const [url, total, connections, bodyBytes, clientId, limitMs] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: Number(connections) });
const scope = 'x'.repeat(Number(bodyBytes) - 200);
const basic = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

function send(i) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  const form = new URLSearchParams({ grant_type: 'client_credentials', scope });
  if (i % 3 === 0) headers.authorization = basic(clientId, `wrong-${i}`);
  else if (i % 3 === 1) headers.authorization = basic(`forged-${i}`, 'guess');
  else form.set('client_id', `forged-${i}`), form.set('client_secret', 'guess');
  const body = form.toString();
  headers['content-length'] = Buffer.byteLength(body);
  return new Promise(resolve => {
    const req = request(url, { method: 'POST', headers, agent }, res => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

async function main() {
  const statuses = {};
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Number(connections) }, async () => {
      while (next < Number(total) && Date.now() - started < Number(limitMs)) {
        const status = await send(next++);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  agent.destroy();
  const sent = Object.values(statuses).reduce((a, b) => a + b, 0);
  process.stdout.write(`${JSON.stringify({ sent, ms: Date.now() - started, statuses })}\n`);
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
