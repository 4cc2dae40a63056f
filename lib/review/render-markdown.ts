/**
 * Markdown for a pull-request comment. Long tables stay readable: beyond
 * MAX_VISIBLE_ROWS, flagged rows come first and what does not fit folds into
 * <details>, whose summary says how many of the folded rows carry a flag.
 *
 * The comment must also fit where it is posted: GitHub refuses a comment over
 * 65,536 characters (40 new clients already took 82,527), and a step summary
 * over 1 MiB. So the rendering has a byte budget: the verdict and summary
 * always, then the visible rows of every section, then the folded ones, in
 * order, as long as they fit; whatever does not is counted ("N more rows not
 * shown, M flagged") and the reader is sent to the full review (rendered
 * without a budget, which CI keeps as an artifact).
 */
import { ReviewDocument, Row, Section } from './review-document';

export const MAX_VISIBLE_ROWS = 20;

/** GitHub's limit on an issue or pull-request comment body. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/**
 * The default budget, in UTF-8 bytes (never fewer than the characters GitHub counts): under the limit with room
 * for what CI adds around the review (a heading per stack, the run's link, a "plan failed" notice).
 */
export const COMMENT_BUDGET_BYTES = 60_000;

/** A cell longer than this (a client with a hundred scopes, say) is cut, so that one row cannot eat the budget. */
const MAX_CELL_CHARS = 600;

/** Room kept per section for its headings, the <details> wrapper and the note on what was left out. */
const SECTION_OVERHEAD_BYTES = 400;

/** Marks the comment so that CI can find and update it instead of adding a new one. */
export const COMMENT_MARKER = '<!-- procurement-scopes-review -->';

export interface MarkdownOptions {
  /** Most UTF-8 bytes of the result; null renders everything (the full review). @default COMMENT_BUDGET_BYTES */
  maxBytes?: number | null;
  /** Where the full review is, for the note on rows left out. @default a hint to run `review --full` */
  fullReview?: string;
  /** The stack reviewed: named in the title and in the marker, so that each stack keeps its own comment. */
  stack?: string;
}

/** One section's items (table rows or bullets) in the order they are shown, and how many of them fit. */
interface Laid {
  section: Section;
  items: Row[];
  shown: number;
}

export function renderMarkdown(doc: ReviewDocument, options: MarkdownOptions = {}): string {
  const maxBytes = options.maxBytes === undefined ? COMMENT_BUDGET_BYTES : options.maxBytes;
  const fullReview = options.fullReview ?? 'run `procurement-scopes review --full` on the plan';
  const { stack } = options;
  const marker = stack === undefined ? COMMENT_MARKER : COMMENT_MARKER.replace(' -->', ` stack=${stack} -->`);
  const title = stack === undefined ? doc.title : `${doc.title}: stack ${escape(stack)}`;
  const head = [marker, `### ${title}`, '', `**${escape(doc.verdict)}**`, '', doc.summary];
  const laid: Laid[] = doc.sections.map(section => ({ section, items: itemsOf(section), shown: 0 }));
  const render = () => `${[...head, ...laid.flatMap(l => ['', `#### ${l.section.title}`, '', ...renderSection(l, fullReview)])].join('\n')}\n`;
  if (maxBytes === null) {
    for (const l of laid) l.shown = l.items.length;
    return render();
  }
  fill(laid, maxBytes - bytes(head.join('\n')) - laid.reduce((sum, l) => sum + bytes(l.section.title) + SECTION_OVERHEAD_BYTES, 0));
  let out = render();
  // The overhead per section is an estimate: should it fall short, give back rows from the end until the text fits.
  for (let last = laid.length - 1; bytes(out) > maxBytes && last >= 0; ) {
    if (laid[last].shown === 0) last--;
    else laid[last].shown--;
    out = render();
  }
  return out;
}

/** Shows rows while they fit: every section's visible rows first, then the folded ones, sections in order. */
function fill(laid: Laid[], available: number): void {
  let left = available;
  for (const cap of [MAX_VISIBLE_ROWS, Infinity]) {
    for (const l of laid) {
      while (l.shown < Math.min(cap, l.items.length)) {
        const cost = bytes(lineOf(l.section, l.items[l.shown])) + 1;
        if (cost > left) return;
        left -= cost;
        l.shown++;
      }
    }
  }
}

function itemsOf(section: Section): Row[] {
  const rows = section.table ? section.table.rows : (section.bullets ?? []).map(b => ({ cells: [b], flagged: false }));
  return rows.length <= MAX_VISIBLE_ROWS ? rows : [...rows.filter(r => r.flagged), ...rows.filter(r => !r.flagged)];
}

function renderSection({ section, items, shown }: Laid, fullReview: string): string[] {
  const lines = (rows: Row[]) =>
    section.table && rows.length > 0 ? [...tableHead(section.table.columns), ...rows.map(r => lineOf(section, r))] : rows.map(r => lineOf(section, r));
  const out = lines(items.slice(0, Math.min(shown, MAX_VISIBLE_ROWS)));
  const folded = items.slice(MAX_VISIBLE_ROWS, shown);
  if (folded.length > 0) {
    out.push('', `<details><summary>${folded.length} more ${noun(section)}${flaggedNote(folded)}</summary>`, '', ...lines(folded), '', '</details>');
  }
  const omitted = items.slice(shown);
  if (omitted.length > 0) {
    out.push(...(out.length ? [''] : []), `_${omitted.length} more ${noun(section)} not shown here${flaggedNote(omitted)}: the comment would exceed GitHub's size limit; for the full review, ${fullReview}._`);
  }
  return out;
}

function noun(section: Section): string {
  return section.table ? 'rows' : 'items';
}

function flaggedNote(rows: Row[]): string {
  const flagged = rows.filter(r => r.flagged).length;
  return flagged ? ` (${flagged} flagged)` : ', none flagged';
}

function lineOf(section: Section, row: Row): string {
  return section.table ? `| ${row.cells.map(c => escape(cut(c))).join(' | ')} |` : `- ${escape(cut(row.cells[0]))}`;
}

function tableHead(columns: string[]): string[] {
  return [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`];
}

function cut(text: string): string {
  return text.length <= MAX_CELL_CHARS ? text : `${text.slice(0, MAX_CELL_CHARS - 1)}…`;
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Keeps cells in their column and stops names like `__init__` or `<x>` from turning into markup. */
function escape(text: string): string {
  return text.replace(/[\\|*_`<>[\]]/g, ch => `\\${ch}`).replace(/\r?\n/g, ' ');
}
