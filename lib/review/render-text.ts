/** Plain text for a terminal: the same document as the markdown, tables as aligned columns, nothing folded. */
import { ReviewDocument } from './review-document';

export function renderText(doc: ReviewDocument): string {
  const out = [doc.verdict, doc.summary];
  for (const section of doc.sections) {
    out.push('', `${section.title}:`);
    if (section.bullets) out.push(...section.bullets.map(b => `  - ${b}`));
    if (section.table) out.push(...aligned([section.table.columns, ...section.table.rows.map(r => r.cells)]));
  }
  return `${out.join('\n')}\n`;
}

function aligned(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
  return rows.map(r => `  ${r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()}`);
}
