/**
 * The documentation stays true without a server: the README's first stack
 * type-checks against this library (and a broken copy of it does not), every
 * relative link and `#anchor` in README.md and docs/ resolves the way GitHub
 * resolves it, and the README stays a newcomer's page (at most 350 lines; the
 * rest lives in docs/).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { markdownAnchors, markdownLinks, readmeFirstStack } from '../support/markdown';
import { PROJECT_ROOT } from '../support/temporary-project';

const README = join(PROJECT_ROOT, 'README.md');
const MAX_README_LINES = 350;

/** README.md and every markdown file under docs/ (the guides and the generated provider reference). */
function documentationFiles(): string[] {
  const docs = join(PROJECT_ROOT, 'docs');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : entry.name.endsWith('.md') ? [join(dir, entry.name)] : [],
    );
  return [README, ...walk(docs)];
}

/**
 * The TypeScript diagnostics of `source` compiled as a file of this project
 * (its tsconfig.json), with `procurement-scopes` resolved to lib/index.ts: the
 * library as the source says it is, no build needed. The file is served from
 * memory at a path inside the repository, so that cdktf and constructs resolve
 * from node_modules as they do for the example stacks; nothing is written.
 */
let previous: ts.Program | undefined;
function typeCheck(source: string): string[] {
  const { config } = ts.readConfigFile(join(PROJECT_ROOT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, PROJECT_ROOT);
  const compilerOptions: ts.CompilerOptions = { ...options, noEmit: true, paths: { 'procurement-scopes': [join(PROJECT_ROOT, 'lib', 'index.ts')] } };
  const file = join(PROJECT_ROOT, 'test', 'docs', 'readme-first-stack.ts');
  const host = ts.createCompilerHost(compilerOptions);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) => (name === file ? ts.createSourceFile(name, source, language) : getSourceFile.call(host, name, language, ...rest));
  host.fileExists = name => name === file || fileExists.call(host, name);
  host.readFile = name => (name === file ? source : readFile.call(host, name));
  // The previous program's unchanged files (the library, cdktf's declarations) are reused, not parsed again.
  const program = ts.createProgram([file], compilerOptions, host, previous);
  previous = program;
  const sourceFile = program.getSourceFile(file)!;
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
  return diagnostics.map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n') + (d.file && d.start !== undefined ? ` (line ${d.file.getLineAndCharacterOfPosition(d.start).line + 1})` : ''));
}

/** What is wrong with one link of `file`, or null when it resolves. */
function brokenLink(file: string, href: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return null; // https:, mailto: ...: not ours to resolve
  const [path, anchor] = href.split('#', 2) as [string, string | undefined];
  const target = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
  if (!target.startsWith(PROJECT_ROOT + '/') && target !== PROJECT_ROOT) return `${href} leaves the repository`;
  if (!existsSync(target)) return `${relative(PROJECT_ROOT, target)} does not exist`;
  if (anchor === undefined) return null;
  if (statSync(target).isDirectory() || !target.endsWith('.md')) return `#${anchor} points into ${relative(PROJECT_ROOT, target)}, which is not a markdown file`;
  if (!markdownAnchors(readFileSync(target, 'utf8')).has(anchor)) return `${relative(PROJECT_ROOT, target)} has no heading or anchor #${anchor}`;
  return null;
}

describe('documentation', () => {
  test("the README's first stack type-checks against the library", () => {
    expect(typeCheck(readmeFirstStack())).toEqual([]);
  }, 120_000);

  test("a broken first stack does not: the check reads the README's code", () => {
    const stack = readmeFirstStack();
    const broken = "expiresAt: auth.daysFromNow(28)";
    expect(stack).toContain(broken);
    const line = stack.slice(0, stack.indexOf(broken)).split('\n').length;
    const diagnostics = typeCheck(stack.replace(broken, 'expiresAt: 28'));
    expect(diagnostics).toEqual([`Type 'number' is not assignable to type 'string | Date | undefined'. (line ${line})`]);
  }, 120_000);

  test('every relative link and #anchor in README.md and docs/ resolves', () => {
    const broken = documentationFiles().flatMap(file =>
      markdownLinks(readFileSync(file, 'utf8')).flatMap(({ href, line }) => {
        const problem = brokenLink(file, href);
        return problem === null ? [] : [`${relative(PROJECT_ROOT, file)}:${line}: ${href}: ${problem}`];
      }),
    );
    expect(broken).toEqual([]);
  });

  test('the link check finds a missing file, a missing anchor and a good link', () => {
    expect(brokenLink(README, 'docs/nowhere.md')).toBe('docs/nowhere.md does not exist');
    expect(brokenLink(README, 'docs/guardrails.md#no-such-heading')).toBe('docs/guardrails.md has no heading or anchor #no-such-heading');
    expect(brokenLink(README, '#quick-start')).toBeNull();
    expect(brokenLink(README, 'docs/provider.md#install-provider')).toBeNull();
  });

  test(`README.md stays at most ${MAX_README_LINES} lines: the rest belongs in docs/`, () => {
    const lines = readFileSync(README, 'utf8').replace(/\n$/, '').split('\n').length;
    expect(lines).toBeLessThanOrEqual(MAX_README_LINES);
  });
});
