/**
 * The words of the review, independent of format: a verdict, a summary line
 * and sections of tables and bullets. Markdown (pull requests) and plain text
 * (terminals) render the same document, so they never say different things.
 */
import { ClientEntry, Flag, Review, ScopeChange } from './review';

export interface Row {
  cells: string[];
  /** Rows with a risk flag stay visible when a long table is collapsed. */
  flagged: boolean;
}

export interface Section {
  title: string;
  table?: { columns: string[]; rows: Row[] };
  bullets?: string[];
}

export interface ReviewDocument {
  title: string;
  verdict: string;
  summary: string;
  sections: Section[];
}

const CHANGE_MARK = { gained: '+ gained', lost: '− lost', extended: '↑ extended' } as const;

export function reviewDocument(review: Review): ReviewDocument {
  const c = review.counts;
  // Terraform's own words and numbers, so that a reviewer can hold the review against the plan output.
  const planLine = `Plan: ${c.add} to add, ${c.change} to change, ${c.destroy} to destroy` + (c.forget ? `, ${c.forget} to forget` : '');
  const sections: (Section | null)[] = [
    review.policyChanges.length === 0 ? null : {
      title: 'Policy changed by this plan (its apply needs an admin token)',
      bullets: review.policyChanges,
    },
    findingsSection(review),
    accessSection(review),
    clientsSection('New clients', review.addedClients, 'Effective scopes after apply'),
    clientsSection('Removed clients', review.removedClients, 'Effective scopes it held'),
    review.clientAttributeChanges.length === 0 ? null : {
      title: 'Client settings changed',
      bullets: review.clientAttributeChanges.map(ch =>
        `${ch.clientId}: ${ch.attributes.map(a => `${a.name} ${show(a.before)} → ${show(a.after)}`).join('; ')}${flagText(ch.flags)}`),
    },
    review.definitions.length === 0 ? null : {
      title: 'Scope and role definitions',
      table: {
        columns: ['Kind', 'Name', 'Change', 'Details', 'Flags'],
        rows: review.definitions.map(d => ({
          cells: [d.kind, d.key, d.action, d.details.join('; '), d.flags.join(', ')],
          flagged: d.flags.length > 0,
        })),
      },
    },
    review.drift.length === 0 ? null : {
      title: 'Drift: changed outside Terraform',
      bullets: review.drift.map(d => {
        const what = d.action === 'delete' ? 'deleted' : d.action === 'create' ? 'created' : `changed (${d.attributes.join(', ') || 'no attribute'})`;
        const access = d.access.map(a => `${a.clientId} ${CHANGE_MARK[a.change]} ${a.scope}${a.risk ? ` [${a.risk}]` : ''}`);
        return `${d.address} (${d.key}) ${what} outside Terraform` +
          (access.length ? `; access: ${access.join(', ')}` : '') +
          (d.downstreamDrift ? `; ${d.downstreamDrift}` : '') +
          (d.revertedByPlan ? '; this plan puts it back' : '; this plan keeps the live value');
      }),
    },
    exceptionsSection(review),
    unusedSection(review),
    review.unknown.length === 0 ? null : {
      title: 'Known only after apply',
      bullets: review.unknown.map(u =>
        `${u.address}: ${u.paths.join(', ')}` + (u.affectsClients.length ? ` (access of ${u.affectsClients.join(', ')} may differ from this review)` : '')),
    },
  ];
  return {
    title: 'procurement-scopes review',
    verdict: review.verdict,
    summary: `${planLine}. Expiries evaluated at ${review.now.toISOString()}. ${policyLine(review)}`,
    sections: sections.filter((s): s is Section => s !== null),
  };
}

function policyLine(review: Review): string {
  const p = review.policy;
  if (!p) return "No policy judged: the plan manages none; pass --policy-from <server url> (the server's policy) or --policy <file>.";
  const from = { given: 'as given', plan: "from the plan's procurement_policy", server: 'as the server enforces it' }[p.source];
  const standing = review.findings.filter(f => !f.isNew && !f.exception).length;
  return `Policy '${p.environment}' ${from}${p.changed ? ', changed by this plan' : ''}.` +
    (standing ? ` ${standing} finding${standing === 1 ? ' was' : 's were'} already the case before this plan.` : '');
}

/** A table, so that a long list folds in a pull request with the findings this plan introduces first. */
function findingsSection(review: Review): Section | null {
  if (review.findings.length === 0) return null;
  return {
    title: 'Policy findings after apply',
    table: {
      columns: ['Rule', 'Object', 'Finding', 'Since', 'Accepted by exception'],
      rows: review.findings.map(f => ({
        cells: [
          `${f.ruleId} (${f.severity})`,
          f.object ? `${f.object.kind} ${f.object.key}` : 'the policy',
          f.text,
          f.isNew ? 'this plan' : 'before this plan',
          f.exception ? `${f.exception.reason}${f.exception.expiresAt ? ` (until ${f.exception.expiresAt})` : ''}` : '',
        ],
        flagged: f.flagged,
      })),
    },
  };
}

function exceptionsSection(review: Review): Section | null {
  if (review.exceptions.length === 0) return null;
  return {
    title: 'Exceptions the policy makes',
    table: {
      columns: ['Rule', 'Object', 'Reason', 'Until', 'Status'],
      rows: review.exceptions.map(e => ({
        cells: [e.ruleId, `${e.object.kind} ${e.object.key}`, e.reason, e.expiresAt ?? 'no end', [e.isNew ? 'new in this plan' : '', e.inUse ? 'accepts a finding' : 'accepts nothing now'].filter(Boolean).join(', ')],
        flagged: e.isNew,
      })),
    },
  };
}

function accessSection(review: Review): Section | null {
  if (review.scopeChanges.length === 0) return null;
  const added = new Set(review.addedClients.map(c => c.clientId));
  const removed = new Set(review.removedClients.map(c => c.clientId));
  const clientLabel = (ch: ScopeChange) =>
    ch.clientId + (added.has(ch.clientId) ? ' (new)' : removed.has(ch.clientId) ? ' (removed)' : '');
  return {
    title: 'Access changes by client',
    table: {
      columns: ['Client', 'Change', 'Scope', 'Risk', 'Flags', 'Expires', 'Via role', 'Justification'],
      rows: review.scopeChanges.map(ch => ({
        cells: [
          clientLabel(ch),
          CHANGE_MARK[ch.change],
          ch.scope,
          ch.risk === 'unknown' ? 'unknown until apply' : ch.risk ?? 'not defined',
          ch.flags.join(', '),
          ch.change === 'extended' ? `${ch.previousExpiresAt} → ${ch.expiresAt ?? 'never'}` : ch.expiresAt ?? 'never',
          ch.via.join(', '),
          // Beside a gain, the reviewer asks why; a loss needs none.
          ch.change === 'lost' ? '' : ch.justifications.join('; ') || 'none given',
        ],
        flagged: ch.flags.length > 0,
      })),
    },
  };
}

function clientsSection(title: string, clients: ClientEntry[], scopesColumn: string): Section | null {
  if (clients.length === 0) return null;
  return {
    title,
    table: {
      columns: ['Client', 'Owner', 'External', scopesColumn],
      rows: clients.map(c => ({
        cells: [c.clientId, c.client?.owner ?? '', c.client?.external ? 'yes' : 'no', c.scopes.join(', ') || 'none'],
        flagged: c.flags.length > 0,
      })),
    },
  };
}

function unusedSection(review: Review): Section | null {
  if (!review.unused || review.unused.grants.length === 0) return null;
  return {
    title: `Grants kept but not used in the last ${review.unused.afterDays} days`,
    table: {
      columns: ['Client', 'Scope', 'Last used'],
      rows: review.unused.grants.map(g => ({ cells: [g.clientId, g.scope, g.lastUsedAt ?? 'never'], flagged: false })),
    },
  };
}

function flagText(flags: Flag[]): string {
  return flags.length ? ` [${flags.join(', ')}]` : '';
}

function show(value: unknown): string {
  return Array.isArray(value) ? `[${value.join(', ')}]` : String(value);
}
