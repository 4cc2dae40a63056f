import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/temporary-project';
import { testEnvironment } from '../support/environment';

test('fails when dist/ is missing, saying to run npm run build rather than with a stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'procurement-unbuilt-'));
  try {
    mkdirSync(join(dir, 'bin'));
    cpSync(join(PROJECT_ROOT, 'bin/procurement-scopes.js'), join(dir, 'bin/procurement-scopes.js'));
    const run = spawnSync(process.execPath, [join(dir, 'bin/procurement-scopes.js'), '--help'], { encoding: 'utf8', env: testEnvironment() });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('procurement-scopes is not built');
    expect(run.stderr).toContain('run `npm run build`');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
