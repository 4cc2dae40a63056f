/**
 * The text review's wrapping (lib/review/render-text.ts, through wrap-ansi): every line within its width, the first
 * keeping its leading spaces and the whole width, later ones indented, broken at spaces, and nothing lost.
 */
import { wrap } from '../../lib/review/render-text';

const words = (lines: string[]) => lines.join(' ').split(/\s+/).filter(Boolean);

test('a bullet wraps at spaces within the width: the first line keeps its lead, later lines start with the indent', () => {
  const bullet = `  - ${'supplier-acme gained catalog.read through role buyers, '.repeat(6)}end`;
  const lines = wrap(bullet, 80, '    ');
  expect(lines.length).toBeGreaterThan(3);
  expect(lines[0].startsWith('  - supplier-acme')).toBe(true);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  for (const line of lines.slice(1)) expect(line).toMatch(/^ {4}\S/);
  expect(words(lines)).toEqual(words([bullet]));
});

test('the first line has the whole width, later lines the width less the indent', () => {
  // 10 words of 9 characters: 99 characters with their spaces.
  const text = Array.from({ length: 10 }, (_, i) => `word-${String(i).padStart(4, '0')}`).join(' ');
  expect(wrap(text, 49, '      ')).toEqual([
    'word-0000 word-0001 word-0002 word-0003 word-0004',
    '      word-0005 word-0006 word-0007 word-0008',
    '      word-0009',
  ]);
});

test('a word longer than a line is cut, and nothing of it is lost', () => {
  const name = `client-${'x'.repeat(150)}`;
  const lines = wrap(`  ${name} is new`, 120, '    ');
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(120);
  expect(lines.map(l => l.trim()).join('')).toBe(`${name} is new`);
});

test('text that fits stays one line; an empty cell stays one empty line', () => {
  expect(wrap('  - short', 120, '    ')).toEqual(['  - short']);
  expect(wrap('', 10, '')).toEqual(['']);
});
