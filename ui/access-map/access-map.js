/*
 * The access map (served at /ui/ by lib/server/ui/access-map-endpoint.ts).
 * Plain browser JavaScript, no build step, no dependency. It reads the admin
 * API with a read token taken from the URL fragment (#token=..., removed from
 * the address bar at once; a browser never sends a fragment to a server) or
 * typed in, and sends it only as the Authorization header. Every value from
 * the server is written as text (textContent, append of strings), never as
 * markup: client names and justifications are other people's input.
 */
'use strict';

(() => {
  const API = '/admin/v1/';
  const SOON_DAYS = 14;
  const UNUSED_DAYS = 30;
  const DAY_MS = 86400000;
  const RISK_ORDER = { critical: 0, high: 1, medium: 2, low: 3 };

  const byId = id => document.getElementById(id);

  /** An element with attributes and children; strings become text nodes. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    node.append(...children.map(child => (child instanceof Node ? child : String(child))));
    return node;
  }

  function table(headings, rows) {
    if (rows.length === 0) return el('p', { class: 'muted' }, 'None.');
    return el('table', {}, el('thead', {}, el('tr', {}, ...headings.map(h => el('th', {}, h)))), el('tbody', {}, ...rows.map(cells => el('tr', {}, ...cells.map(c => el('td', {}, c))))));
  }

  function riskBadge(risk) {
    const known = Object.hasOwn(RISK_ORDER, risk) ? risk : 'unknown';
    return el('span', { class: `risk risk-${known}` }, risk);
  }

  function when(iso, now) {
    if (iso === null || iso === undefined) return '';
    const at = Date.parse(iso);
    if (Number.isNaN(at)) return String(iso);
    const days = Math.round((at - now) / DAY_MS);
    const relative = days === 0 ? 'today' : days > 0 ? `in ${days} day${days === 1 ? '' : 's'}` : `${-days} day${days === -1 ? '' : 's'} ago`;
    return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC (${relative})`;
  }

  function setStatus(state, message) {
    document.body.dataset.state = state;
    byId('status').textContent = message;
  }

  async function get(token, path) {
    let res;
    try {
      res = await fetch(API + path, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store', credentials: 'omit' });
    } catch (error) {
      throw new Error(`the server could not be reached (${error.message})`);
    }
    const body = await res.json().catch(() => ({}));
    if (res.status === 401) throw new Error(`the token was refused: ${body.message || 'unknown or revoked'}. Give a read admin token (procurement-scopes admin-token create --role read).`);
    if (!res.ok) throw new Error(`GET ${API}${path} answered ${res.status}: ${body.message || body.error || 'no explanation'}`);
    return body;
  }

  /** Every scope each binding gives each of its clients, implied scopes included, with when it ends and when it was last used. */
  function grantsOf(snapshot, usage, now) {
    const scopes = new Map(snapshot.scopes.map(s => [s.name, s]));
    const roles = new Map(snapshot.roles.map(r => [r.name, r]));
    const lastUse = new Map(usage.map(u => [`${u.clientId}\u0000${u.scope}`, u.lastUsedAt]));
    const grants = [];
    for (const binding of snapshot.roleBindings) {
      const direct = (roles.get(binding.role) || { scopes: [] }).scopes;
      const held = new Map();
      const visit = (scope, via) => {
        if (held.has(scope)) return;
        held.set(scope, via);
        for (const implied of (scopes.get(scope) || { implies: [] }).implies) visit(implied, scope);
      };
      for (const scope of direct) visit(scope, null);
      for (const subject of binding.subjects) {
        for (const [scope, via] of held) {
          const expiresAt = subject.expiresAt || null;
          grants.push({
            clientId: subject.clientId,
            scope,
            risk: (scopes.get(scope) || { risk: 'unknown' }).risk,
            role: binding.role,
            binding: binding.name,
            impliedBy: via,
            expiresAt,
            expired: expiresAt !== null && Date.parse(expiresAt) <= now,
            justification: subject.justification || '',
            lastUsedAt: lastUse.get(`${subject.clientId}\u0000${scope}`) || null,
          });
        }
      }
    }
    return grants;
  }

  const riskRank = risk => (Object.hasOwn(RISK_ORDER, risk) ? RISK_ORDER[risk] : 4);
  const byRiskThenClient = (a, b) => riskRank(a.risk) - riskRank(b.risk) || a.clientId.localeCompare(b.clientId) || a.scope.localeCompare(b.scope);

  function render({ whoami, snapshot, usage, refusals }) {
    const now = Date.now();
    const grants = grantsOf(snapshot, usage.items, now);
    const live = grants.filter(g => !g.expired);
    const expiring = grants.filter(g => g.expiresAt !== null && Date.parse(g.expiresAt) - now < SOON_DAYS * DAY_MS).sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt));
    const unused = live.filter(g => g.lastUsedAt === null || now - Date.parse(g.lastUsedAt) > UNUSED_DAYS * DAY_MS).sort(byRiskThenClient);
    const refused = refusals.items.slice().sort((a, b) => b.count - a.count || a.clientId.localeCompare(b.clientId));
    const highRisk = live.filter(g => riskRank(g.risk) <= 1).length;
    const refusalCount = refused.reduce((sum, r) => sum + r.count, 0);

    byId('summary').replaceChildren(
      `${snapshot.clients.length} clients hold ${live.length} grants (${highRisk} high or critical); ${expiring.length} expiring within ${SOON_DAYS} days or expired; ` +
        `${unused.length} unused for ${UNUSED_DAYS} days; ${refusalCount} refused requests since ${when(refusals.since, now)}. `,
      el('span', { class: 'muted' }, `Read with token '${whoami.name}' (${whoami.role}), revision ${snapshot.revision}.`),
    );
    const body = id => byId(id).querySelector('.body');
    body('expiring').replaceChildren(
      table(
        ['expires', 'client', 'scope', 'risk', 'binding', 'justification'],
        expiring.map(g => [el('span', g.expired ? { class: 'warn' } : {}, g.expired ? `expired ${when(g.expiresAt, now)}` : when(g.expiresAt, now)), g.clientId, g.scope, riskBadge(g.risk), g.binding, g.justification]),
      ),
    );
    body('unused').replaceChildren(
      table(
        ['client', 'scope', 'risk', 'role', 'last used'],
        unused.map(g => [g.clientId, g.scope, riskBadge(g.risk), g.role, g.lastUsedAt === null ? 'never' : when(g.lastUsedAt, now)]),
      ),
    );
    body('refusals').replaceChildren(
      table(
        ['client', 'endpoint', 'reason', 'refused', 'last'],
        refused.map(r => [r.clientId, r.endpoint, r.reason, String(r.count), when(r.lastMinute, now)]),
      ),
    );

    const clients = snapshot.clients.slice();
    const held = client => grants.filter(g => g.clientId === client.clientId).sort(byRiskThenClient);
    const topRisk = client => Math.min(4, ...held(client).map(g => riskRank(g.risk)));
    clients.sort((a, b) => topRisk(a) - topRisk(b) || a.clientId.localeCompare(b.clientId));
    body('map').replaceChildren(
      ...clients.flatMap(client => [
        el('h3', {}, client.clientId, ' ', el('span', { class: 'client-meta' }, `${client.displayName} · owner ${client.owner}${client.external ? ' · external' : ''}`)),
        table(
          ['scope', 'risk', 'role (binding)', 'expires', 'justification', 'last used'],
          held(client).map(g => [
            g.impliedBy === null ? g.scope : `${g.scope} (implied by ${g.impliedBy})`,
            riskBadge(g.risk),
            `${g.role} (${g.binding})`,
            g.expiresAt === null ? 'never' : el('span', g.expired ? { class: 'warn' } : {}, when(g.expiresAt, now)),
            g.justification,
            g.lastUsedAt === null ? 'never' : when(g.lastUsedAt, now),
          ]),
        ),
      ]),
    );
    byId('content').hidden = false;
  }

  async function show(token) {
    byId('content').hidden = true;
    setStatus('loading', 'Loading…');
    try {
      const whoami = await get(token, 'token');
      const [snapshot, usage, refusals] = await Promise.all([get(token, 'snapshot'), get(token, 'usage'), get(token, 'refusals/summary')]);
      render({ whoami, snapshot, usage, refusals });
      setStatus('ready', '');
    } catch (error) {
      setStatus('error', `Cannot show the access map: ${error.message}`);
    }
  }

  /** The token of `#token=...`, removed from the address bar (and so from the history) before anything else. */
  function tokenFromFragment() {
    const token = new URLSearchParams(location.hash.slice(1)).get('token');
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    return token;
  }

  byId('token-form').addEventListener('submit', event => {
    event.preventDefault();
    const input = byId('token-input');
    const token = input.value.trim();
    input.value = '';
    if (token) void show(token);
  });
  const token = tokenFromFragment();
  if (token) void show(token);
  else setStatus('waiting', 'Give a read admin token: type it in, or open /ui/#token=<token>.');
})();
