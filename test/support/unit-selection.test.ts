/**
 * Keeps `npm run test:unit` (test/support/unit-files.js) honest: a listed file
 * may not reach, through its own imports or those of the test helpers it uses,
 * anything that starts a server, terraform, cdktf's CLI, PostgreSQL or any
 * other process.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UNIT, isUnit } = require('./unit-files.js') as { UNIT: string[]; isUnit: (file: string) => boolean };

const TEST_ROOT = resolve(__dirname, '..');

/** Imports a unit file may not make: the helpers and modules that start processes or need external tools. */
const FORBIDDEN = [
  /^node:child_process$|^child_process$/,
  /support\/(embedded-server|server-with-clock|terraform|postgres|test-store|cdktf-project|provider-fixture|temporary-project|glewlwyd-downstream|rfc7592-downstream|promtool|prometheus|token-flood)(\.[jt]s)?$/,
  /workflow-runner/,
];

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [relative(TEST_ROOT, path).split('\\').join('/')] : [];
  });
}

function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:from\s+|require\(\s*|import\(\s*)'([^']+)'/g)].map(match => match[1]);
}

/** Every forbidden import reachable from `file` through relative imports inside test/. */
function forbiddenImports(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  return importsOf(file).flatMap(specifier => {
    if (FORBIDDEN.some(pattern => pattern.test(specifier))) return [`${relative(TEST_ROOT, file)} imports ${specifier}`];
    if (!specifier.startsWith('.')) return [];
    const base = resolve(dirname(file), specifier);
    if (!base.startsWith(TEST_ROOT)) return [];
    const found = [base, `${base}.ts`, `${base}.js`, join(base, 'index.ts')].find(candidate => existsSync(candidate) && statSync(candidate).isFile());
    return found ? forbiddenImports(found, seen) : [];
  });
}

const all = testFiles(TEST_ROOT);
const unit = all.filter(isUnit);

test('every entry of the unit list names at least one test file', () => {
  const stale = UNIT.filter(entry => !all.some(file => (entry.endsWith('/') ? file.startsWith(entry) : file === `${entry}.test.ts`)));
  expect(stale).toEqual([]);
});

test('no unit file reaches a server, terraform, cdktf, PostgreSQL or a child process', () => {
  expect(unit.length).toBeGreaterThan(30);
  expect(unit.flatMap(file => forbiddenImports(join(TEST_ROOT, file)))).toEqual([]);
});

test('the check recognises the files it must keep out', () => {
  expect(forbiddenImports(join(TEST_ROOT, 'server/token-hardening.test.ts'))).not.toEqual([]);
  expect(forbiddenImports(join(TEST_ROOT, 'provider/lifecycle.test.ts'))).not.toEqual([]);
});
