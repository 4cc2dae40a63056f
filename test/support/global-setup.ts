/**
 * jest globalSetup: runs once in jest's own process before any worker starts.
 *
 * 1. dist/ must match the source: the server and CLI tests spawn the built
 *    code, so `npx jest` after an edit would otherwise test the old build.
 *    When a source file is newer than its output (or has none), it builds.
 * 2. The caller's PROCUREMENT_*, TF_* and CDKTF_* variables are removed from
 *    the environment the workers (and so every test) inherit.
 * 3. One temporary root for the whole run: TMPDIR points at it, so every
 *    os.tmpdir() of the workers and of their children (cdktf Testing's
 *    outdirs, the provider bundles, terraform, the servers' data) lands in
 *    it. globalTeardown removes it, whatever the tests did; roots of earlier
 *    runs that were interrupted before their teardown are removed here.
 * 4. A fingerprint of the repository's files, which globalTeardown compares.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { claimRoot, ROOT_PREFIX, sweepAbandonedRoots } from './abandoned-roots';
import { CALLER_ONLY } from './environment';
import { fingerprintRepository, filesUnder, PROJECT_ROOT, setTestRun } from './test-run';

export default async function globalSetup(): Promise<void> {
  buildWhenStale();
  for (const name of Object.keys(process.env)) if (CALLER_ONLY.test(name)) delete process.env[name];
  // realpath: macOS-style symlinked temp dirs would make paths in assertions differ from what processes report.
  sweepAbandonedRoots(tmpdir());
  const root = realpathSync(mkdtempSync(join(tmpdir(), ROOT_PREFIX)));
  claimRoot(root);
  for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = root;
  process.env.CHECKPOINT_DISABLE = '1';
  setTestRun({ root, repository: fingerprintRepository() });
}

/** Sources whose build output the tests run, and the output each must not be older than. */
function buildWhenStale(): void {
  const stale = staleOutput();
  if (!stale) return;
  process.stderr.write(`\n${stale}: building first (npm run build)\n`);
  try {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`the build failed, so there is nothing current to test:\n${stdout ?? ''}${stderr ?? ''}`);
  }
  const still = staleOutput();
  if (still) throw new Error(`after 'npm run build', ${still}`);
}

function staleOutput(): string | null {
  const mtime = (path: string) => (existsSync(path) ? statSync(path).mtimeMs : -1);
  let newestSource = 0;
  for (const source of filesUnder(join(PROJECT_ROOT, 'lib')).filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts'))) {
    const built = join(PROJECT_ROOT, 'dist', relative(PROJECT_ROOT, source)).replace(/\.ts$/, '.js');
    const sourceTime = mtime(source);
    newestSource = Math.max(newestSource, sourceTime);
    if (mtime(built) < sourceTime) return `${relative(PROJECT_ROOT, built)} is older than ${relative(PROJECT_ROOT, source)} or missing`;
  }
  const bundle = join(PROJECT_ROOT, 'dist/provider/procurement-provider.js');
  if (mtime(bundle) < newestSource) return `${relative(PROJECT_ROOT, bundle)} is older than lib/ or missing`;
  return null;
}
