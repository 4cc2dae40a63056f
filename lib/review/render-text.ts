/**
 * Plain text for a terminal: the same document as the markdown, nothing folded, every line within TEXT_WIDTH
 * columns. A table wider than that narrows its widest columns and wraps their cells onto more lines, never cutting
 * a word; when even that cannot fit (long names in many columns), each row becomes a block: its first cell, then
 * one `Column: value` line per other cell. Bullets and the verdict wrap; only a word longer than a line is cut.
 */
import wrapAnsi from 'wrap-ansi';
import { ReviewDocument } from './review-document';

export const TEXT_WIDTH = 120;


export function renderText(doc: ReviewDocument): string {
  const out = [...wrap(doc.verdict, TEXT_WIDTH, '  '), ...wrap(doc.summary, TEXT_WIDTH, '  ')];
  for (const section of doc.sections) {
    out.push('', ...wrap(`${section.title}:`, TEXT_WIDTH, '  '));
    if (section.bullets) for (const bullet of section.bullets) out.push(...wrap(`  - ${bullet}`, TEXT_WIDTH, '    '));
    if (section.table) out.push(...table(section.table.columns, section.table.rows.map(r => r.cells)));
  }
  return `${out.join('\n')}\n`;
}

function table(columns: string[], rows: string[][]): string[] {
  const all = [columns, ...rows];
  const widths = columns.map((_, i) => Math.max(1, ...all.map(r => r[i].length)));
  // Narrowed down to its longest word at most: a column that wraps still shows every name whole.
  const least = columns.map((_, i) => Math.max(1, ...all.map(r => Math.max(...r[i].split(' ').map(w => w.length)))));
  const budget = TEXT_WIDTH - 2 - 2 * (columns.length - 1);
  if (least.reduce((a, b) => a + b, 0) > budget) return rows.flatMap(row => block(columns, row));
  while (widths.reduce((a, b) => a + b, 0) > budget) {
    const widest = widths.reduce((best, w, i) => (w - least[i] > widths[best] - least[best] ? i : best), 0);
    widths[widest]--;
  }
  return all.flatMap(row => {
    const cells = row.map((cell, i) => wrap(cell, widths[i], ''));
    const height = Math.max(...cells.map(c => c.length));
    return Array.from({ length: height }, (_, line) => `  ${cells.map((c, i) => (c[line] ?? '').padEnd(widths[i])).join('  ')}`.trimEnd());
  });
}

/** A row that no column layout fits: its first cell, then each other cell that says something under its column's name. */
function block(columns: string[], row: string[]): string[] {
  const [first, ...rest] = row;
  return [
    ...wrap(`  ${first}`, TEXT_WIDTH, '    '),
    ...rest.flatMap((cell, i) => (cell === '' ? [] : wrap(`      ${columns[i + 1]}: ${cell}`, TEXT_WIDTH, '        '))),
  ];
}

/**
 * `text` in lines of at most `width` columns, broken at spaces by wrap-ansi (a word longer than a line is cut): the
 * first line keeps the text's leading spaces and has the whole width, every later line starts with `indent`.
 */
export function wrap(text: string, width: number, indent: string): string[] {
  // NFC, as wrap-ansi reads it: its first line is then the start of `body`, and the rest follows on from it.
  const body = text.trimStart().normalize();
  const lead = text.slice(0, text.length - text.trimStart().length);
  const [first, ...more] = wrapLines(body, width - lead.length);
  if (more.length === 0) return [lead + first];
  return [lead + first, ...wrapLines(body.slice(first.length).trimStart(), width - indent.length).map(line => indent + line)];
}

function wrapLines(text: string, width: number): string[] {
  return wrapAnsi(text, width, { hard: true }).split('\n');
}
