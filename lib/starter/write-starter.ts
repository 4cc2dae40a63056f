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
import type { CdkName } from '../terraform/cdk-cli';
import { findPackageRoot } from '../package-root';
import { VERSION } from '../version';

/** npm does not pack files named .gitignore: the template carries it as `gitignore`. */
const RENAMED: Record<string, string> = { gitignore: '.gitignore' };
const WORKFLOWS = ['procurement-plan.yml', 'procurement-apply.yml', 'procurement-drift.yml'];
/** The workflows' shell steps (scripts/ci), which they call by path. */
const CI_SCRIPTS = join('scripts', 'ci');
/** Tools a stacks repository needs besides this package and its CDK, at the versions it is tested with (our devDependencies). */
const DEV_TOOLS = ['tsx', 'typescript', '@types/node'];
/**
 * The CDK Terrain release a cdktn starter gets, the one test/package and test/starter run it with, and the constructs
 * its peer range admits. cdktf's versions are our devDependencies.
 */
export const CDKTN_VERSIONS = { cdktn: '0.24.0', 'cdktn-cli': '0.24.0', constructs: '>=10.6.0 <10.8.0' } as const;

export interface StarterResult {
  readonly dir: string;
  /** Paths relative to `dir`, sorted. */
  readonly written: string[];
}

export interface StarterOptions {
  /** The CDK the stacks are written for: cdktf (0.21, deprecated upstream) or CDK Terrain (cdktn). @default 'cdktf' */
  cdk?: CdkName;
}

export function writeStarter(target: string, options: StarterOptions = {}, packageRoot = packageRootOrFail()): StarterResult {
  const cdk = options.cdk ?? 'cdktf';
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
  // The templates import cdktf; cdktn's API is the same, under its own name.
  if (cdk === 'cdktn') {
    for (const file of listFiles(join(dir, 'stacks')).map(name => join(dir, 'stacks', name))) {
      writeFileSync(file, readFileSync(file, 'utf8').replace(/from 'cdktf'/g, "from 'cdktn'"));
    }
  }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(starterPackageJson(basename(dir), cdk, packageRoot), null, 2)}\n`);
  return { dir, written: listFiles(dir).sort() };
}

function starterPackageJson(dirName: string, cdk: CdkName, packageRoot: string): object {
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
    // The provider comes from a local mirror, never a registry: npm install puts it there and records it in the committed
    // lock files; synth and diff run the CDK's CLI through `procurement-scopes cdk`, which also turns off the update
    // checks (they print getaddrinfo errors wherever the network is closed) and installs the mirror when it is missing.
    scripts: {
      postinstall: 'procurement-scopes install-provider --config-file .procurement/terraform.rc --stacks-dir cdktf.out/stacks',
      start: 'procurement-scopes main',
      synth: 'procurement-scopes cdk synth',
      diff: 'procurement-scopes cdk diff',
    },
    dependencies:
      cdk === 'cdktn'
        ? { 'procurement-scopes': `^${VERSION}`, cdktn: CDKTN_VERSIONS.cdktn, constructs: CDKTN_VERSIONS.constructs }
        : { 'procurement-scopes': `^${VERSION}`, cdktf: versionOf('cdktf'), constructs: versionOf('constructs') },
    devDependencies: {
      ...(cdk === 'cdktn' ? { 'cdktn-cli': CDKTN_VERSIONS['cdktn-cli'] } : { 'cdktf-cli': versionOf('cdktf-cli') }),
      ...Object.fromEntries(DEV_TOOLS.map(name => [name, versionOf(name)])),
    },
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
