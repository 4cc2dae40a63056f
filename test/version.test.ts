import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../lib/version';
import { testEnvironment } from './support/environment';

test('the version constant is package.json\'s, and the CLI prints it', () => {
  const root = join(__dirname, '..');
  expect(VERSION).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  expect(execFileSync(process.execPath, [join(root, 'bin/procurement-scopes.js'), '--version'], { encoding: 'utf8', env: testEnvironment() }).trim()).toBe(VERSION);
});
