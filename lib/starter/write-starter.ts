/**
 * `procurement-scopes init`: a stacks repository of one's own, written into
 * an empty directory. The files come from the package (templates/starter, and
 * the plan, apply and drift workflows this repository runs itself with the
 * shell steps they call, so the two never drift apart); package.json is
 * written here, with the dependency versions
 * this package is built and tested with.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { UsageError } from '../model/errors';
import { findPackageRoot } from '../package-root';
import { VERSION } from '../version';

/** npm does not pack files named .gitignore: the template carries it as `gitignore`. */
const RENAMED: Record<string, string> = { gitignore: '.gitignore' };
const WORKFLOWS = ['procurement-plan.yml', 'procurement-apply.yml', 'procurement-drift.yml'];
/** The workflows' shell steps (scripts/ci), which they call by path. */
const CI_SCRIPTS = join('scripts', 'ci');
/** Tools a stacks repository needs besides this package, at the versions it is tested with. */
const DEV_TOOLS = ['cdktf-cli', 'tsx', 'typescript', '@types/node'];

export interface StarterResult {
  readonly dir: string;
  /** Paths relative to `dir`, sorted. */
  readonly written: string[];
}

export function writeStarter(target: string, packageRoot = packageRootOrFail()): StarterResult {
  const dir = resolve(target);
  const present = existsSync(dir) ? readdirSync(dir).filter(name => name !== '.git') : [];
  if (present.length > 0) {
    const shown = present.slice(0, 5).join(', ') + (present.length > 5 ? `, ... (${present.length} entries)` : '');
    throw new UsageError(`init writes a new project into an empty directory, and ${dir} holds ${shown}: run it in a new directory (e.g. \`procurement-scopes init my-scopes\`)`);
  }
  const templates = join(packageRoot, 'templates', 'starter');
  const workflows = join(packageRoot, '.github', 'workflows');
  for (const needed of [templates, join(packageRoot, CI_SCRIPTS), ...WORKFLOWS.map(w => join(workflows, w))]) {
    if (!existsSync(needed)) throw new Error(`the procurement-scopes package is incomplete: ${needed} is missing (reinstall it)`);
  }

  mkdirSync(dir, { recursive: true });
  cpSync(templates, dir, { recursive: true });
  for (const [from, to] of Object.entries(RENAMED)) renameSync(join(dir, from), join(dir, to));
  for (const workflow of WORKFLOWS) cpSync(join(workflows, workflow), join(dir, '.github', 'workflows', workflow));
  cpSync(join(packageRoot, CI_SCRIPTS), join(dir, CI_SCRIPTS), { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(starterPackageJson(basename(dir), packageRoot), null, 2)}\n`);
  return { dir, written: listFiles(dir).sort() };
}

function starterPackageJson(dirName: string, packageRoot: string): object {
  const ours = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const versionOf = (name: string) => {
    const version = ours.devDependencies[name];
    if (!version) throw new Error(`procurement-scopes' package.json names no version of ${name}`);
    return version;
  };
  return {
    name: dirName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'procurement-stacks',
    version: '0.1.0',
    private: true,
    // CHECKPOINT_DISABLE: cdktf's update checks print getaddrinfo errors wherever the network is closed (main sets it itself).
    scripts: { start: 'procurement-scopes main', synth: 'CHECKPOINT_DISABLE=1 cdktf synth' },
    dependencies: { 'procurement-scopes': `^${VERSION}`, cdktf: versionOf('cdktf'), constructs: versionOf('constructs') },
    devDependencies: Object.fromEntries(DEV_TOOLS.map(name => [name, versionOf(name)])),
  };
}

function listFiles(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path, root) : [relative(root, path)];
  });
}

function packageRootOrFail(): string {
  const root = findPackageRoot(__dirname);
  if (!root) throw new Error(`cannot find the procurement-scopes package above ${__dirname}`);
  return root;
}
