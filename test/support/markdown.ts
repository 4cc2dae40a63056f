/**
 * The project's markdown read the way GitHub renders it: markdown-it's tokens
 * (so code blocks and code spans are never taken for links or headings) and
 * github-slugger's anchors for headings (GitHub's own slug rules, duplicates
 * numbered `-1`, `-2`, ...). Used by test/docs and by test/package, which
 * both take the README's first stack as a reader copies it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import GithubSlugger from 'github-slugger';
import MarkdownIt from 'markdown-it';
import { PROJECT_ROOT } from './temporary-project';

type Token = MarkdownIt.Token;

// GitHub renders the HTML a markdown file holds.
const markdown = new MarkdownIt({ html: true });

function parse(text: string): Token[] {
  return markdown.parse(text, {});
}

/** A heading's text as GitHub slugs it: its text and code spans, without markup. */
function headingText(inline: Token): string {
  return (inline.children ?? []).filter(child => child.type === 'text' || child.type === 'code_inline').map(child => child.content).join('');
}

/** An HTML anchor, `<a id="...">` or `<a name="...">` (the generated provider reference writes them, as tfplugindocs does). */
const HTML_ANCHOR = /<a\s+(?:id|name)="([^"]+)"/g;

/** The `#anchor`s a markdown text offers on GitHub: its headings' slugs and its HTML anchors. */
export function markdownAnchors(text: string): Set<string> {
  const slugger = new GithubSlugger();
  const tokens = parse(text);
  const anchors = new Set<string>();
  tokens.forEach((token, i) => {
    if (token.type === 'heading_open') anchors.add(slugger.slug(headingText(tokens[i + 1])));
    const html = token.type === 'html_block' ? [token] : (token.children ?? []).filter(child => child.type === 'html_inline');
    for (const { content } of html) for (const [, id] of content.matchAll(HTML_ANCHOR)) anchors.add(id);
  });
  return anchors;
}

export interface MarkdownLink {
  href: string;
  line: number;
}

/** Every link and image target of a markdown text, with its 1-based line. */
export function markdownLinks(text: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  for (const block of parse(text)) {
    for (const child of block.children ?? []) {
      const href = child.type === 'link_open' ? child.attrGet('href') : child.type === 'image' ? child.attrGet('src') : null;
      if (href !== null) links.push({ href: String(href), line: (block.map?.[0] ?? 0) + 1 });
    }
  }
  return links;
}

/** The code of the ```<language> blocks in the `## <heading>` section of a markdown text, joined. */
export function sectionCode(text: string, heading: string, language: string): string {
  const tokens = parse(text);
  const start = tokens.findIndex((token, i) => token.type === 'heading_open' && token.tag === 'h2' && headingText(tokens[i + 1]) === heading);
  if (start < 0) throw new Error(`no '## ${heading}' section`);
  const code: string[] = [];
  for (const token of tokens.slice(start + 1)) {
    if (token.type === 'heading_open' && token.tag === 'h2') break;
    if (token.type === 'fence' && token.info.trim() === language) code.push(token.content);
  }
  if (code.length === 0) throw new Error(`the '## ${heading}' section has no \`\`\`${language} block`);
  return code.join('\n');
}

/** The README's first stack, as a reader copies it. */
export function readmeFirstStack(): string {
  return sectionCode(readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8'), 'A first stack', 'ts');
}
