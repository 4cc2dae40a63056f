/** `verify`'s answer for a person: per client what was asked, what was granted, and the verdict. */
import { ClientVerification } from './verify';

export interface VerifyReportContext {
  file: string;
  url: string;
}

const MARK = { match: '✓', mismatch: '✗', 'no-secret': '?' } as const;
const WORD = { match: 'match', mismatch: 'MISMATCH', 'no-secret': 'not verified' } as const;

export function renderVerifyReport(results: readonly ClientVerification[], context: VerifyReportContext): string {
  const out = [`Verifying ${plural(results.length, 'client')} declared in ${context.file} against ${context.url}`, ''];
  for (const r of results) {
    out.push(`${MARK[r.status]} ${r.clientId}: ${WORD[r.status]}`);
    if (r.status !== 'no-secret') {
      out.push(`    asked: ${r.declared.join(' ') || '(no scopes declared: nothing asked)'}`);
      out.push(`    got:   ${r.granted ? r.granted.join(' ') || '(no scopes)' : r.refusal ? `(refused: ${r.refusal})` : '-'}`);
      out.push(`    other scopes the code defines: ${r.refusedAsExpected} refused as expected${r.extra.length ? `, ${r.extra.length} granted` : ''}`);
    }
    out.push(...r.problems.map(p => `    ${r.status === 'no-secret' ? '?' : '✗'} ${p}`));
  }
  out.push('', summaryOf(results));
  return `${out.join('\n')}\n`;
}

export function summaryOf(results: readonly ClientVerification[]): string {
  const mismatched = results.filter(r => r.status === 'mismatch');
  const unverified = results.filter(r => r.status === 'no-secret');
  if (mismatched.length === 0 && unverified.length === 0) {
    return `✓ All ${plural(results.length, 'client')} get exactly the scopes the code declares`;
  }
  const parts: string[] = [];
  if (mismatched.length > 0) {
    const names = mismatched.map(r => `${r.clientId} (${[...r.missing.map(s => `-${s}`), ...r.extra.map(s => `+${s}`)].join(' ') || r.refusal || 'refused'})`);
    parts.push(`${plural(mismatched.length, 'client')} of ${results.length} ${mismatched.length === 1 ? 'does' : 'do'} not match the code: ${names.join(', ')}`);
  }
  if (unverified.length > 0) parts.push(`${plural(unverified.length, 'client')} not verified (no secret or key on hand): ${unverified.map(r => r.clientId).join(', ')}`);
  return `✗ ${parts.join('; ')}`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
