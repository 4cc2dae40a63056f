/**
 * Markdown for a pull-request comment. Long tables stay readable: beyond
 * MAX_VISIBLE_ROWS, flagged rows come first and what does not fit folds into
 * <details>, whose summary says how many of the folded rows carry a flag.
 */
import { ReviewDocument, Row, Section } from './review-document';

export const MAX_VISIBLE_ROWS = 20;

/** Marks the comment so that CI can find and update it instead of adding a new one. */
export const COMMENT_MARKER = '<!-- procurement-scopes-review -->';

export function renderMarkdown(doc: ReviewDocument): string {
  const out = [COMMENT_MARKER, `### ${doc.title}`, '', `**${escape(doc.verdict)}**`, '', doc.summary];
  for (const section of doc.sections) out.push('', `#### ${section.title}`, '', ...renderSection(section));
  return `${out.join('\n')}\n`;
}

function renderSection(section: Section): string[] {
  const lines: string[] = [];
  if (section.bullets) lines.push(...section.bullets.map(b => `- ${escape(b)}`));
  if (section.table) {
    const { columns, rows } = section.table;
    const ordered = rows.length <= MAX_VISIBLE_ROWS ? rows : [...rows.filter(r => r.flagged), ...rows.filter(r => !r.flagged)];
    const folded = ordered.slice(MAX_VISIBLE_ROWS);
    lines.push(...table(columns, ordered.slice(0, MAX_VISIBLE_ROWS)));
    if (folded.length > 0) {
      const flagged = folded.filter(r => r.flagged).length;
      const summary = `${folded.length} more rows${flagged ? ` (${flagged} flagged)` : ', none flagged'}`;
      lines.push('', `<details><summary>${summary}</summary>`, '', ...table(columns, folded), '', '</details>');
    }
  }
  return lines;
}

function table(columns: string[], rows: Row[]): string[] {
  return [
    `| ${columns.join(' | ')} |`,
    `|${columns.map(() => '---').join('|')}|`,
    ...rows.map(r => `| ${r.cells.map(escape).join(' | ')} |`),
  ];
}

/** Keeps cells in their column and stops names like `__init__` or `<x>` from turning into markup. */
function escape(text: string): string {
  return text.replace(/[\\|*_`<>[\]]/g, ch => `\\${ch}`).replace(/\r?\n/g, ' ');
}
