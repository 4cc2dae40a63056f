/**
 * Installs the provider without any registry: an unpacked filesystem mirror
 * (`registry.terraform.io/procurement-scopes/procurement/<version>/<os_arch>/`)
 * holding the bundled provider and the executable Terraform starts, plus a
 * Terraform CLI configuration that takes this provider from the mirror and
 * every other one as usual. Idempotent: unchanged files are not rewritten, so
 * the package hash (and every lock file recording it) stays valid.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { findPackageRoot } from '../../package-root';
import { PROVIDER_VERSION_CONSTRAINT, VERSION } from '../../version';
import { PROVIDER_HOSTNAME_SOURCE } from '../plugin/handshake';
import { packageHash } from './package-hash';

export const PROVIDER_VERSION = VERSION;
// Not named terraform-provider-*: Terraform would take any such file for the executable.
export const BUNDLE_FILE = 'procurement-provider.js';
export const EXECUTABLE_FILE = `terraform-provider-procurement_v${PROVIDER_VERSION}`;
const LOCK_FILE = '.terraform.lock.hcl';
const MARKER = '# Written by `procurement-scopes install-provider`';

export interface InstallOptions {
  /** The Terraform CLI configuration file to write (point TF_CLI_CONFIG_FILE at it). */
  configFile: string;
  /** @default `terraform-providers` next to the configuration file */
  mirrorDir?: string;
  /** The bundled provider (scripts/bundle-provider.js output). */
  bundlePath: string;
  /** Also record the package hash in this lock file (`.terraform.lock.hcl`), so a first `cdktf plan` needs no registry. */
  lockFile?: string;
  /** @default this machine's, e.g. linux_amd64 */
  platform?: string;
  /**
   * Also record it in the lock file of every stack already synthesized here (`cdktf.out/stacks`: `.terraform.lock.hcl` in each of its directories
   * where present), so that committed lock files follow an upgrade of this package.
   */
  stacksDir?: string;
  /**
   * Flags the executable starts Node with, e.g. `--cpu-prof` for the benchmark's profile (Node refuses it in NODE_OPTIONS).
   * @default none
   */
  nodeArgs?: readonly string[];
}

export interface InstallResult {
  configFile: string;
  mirrorDir: string;
  packageDir: string;
  /** The `h1:` hash Terraform records in lock files for this package. */
  hash: string;
  written: string[];
  unchanged: string[];
}

export class InstallError extends Error {}

export function installProvider(options: InstallOptions): InstallResult {
  const configFile = resolve(options.configFile);
  const mirrorDir = resolve(options.mirrorDir ?? join(dirname(configFile), 'terraform-providers'));
  const platform = options.platform ?? currentPlatform();
  const packageDir = join(mirrorDir, PROVIDER_HOSTNAME_SOURCE, PROVIDER_VERSION, platform);
  if (!existsSync(options.bundlePath)) {
    throw new InstallError(`the bundled provider is missing at ${options.bundlePath}: run \`npm run build\` first`);
  }
  const result: InstallResult = { configFile, mirrorDir, packageDir, hash: '', written: [], unchanged: [] };
  const put = (file: string, content: string | Buffer, mode?: number) => {
    const same = existsSync(file) && readFileSync(file).equals(Buffer.from(content));
    if (same) result.unchanged.push(file);
    else {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      result.written.push(file);
    }
    if (mode !== undefined) chmodSync(file, mode);
  };

  put(join(packageDir, BUNDLE_FILE), readFileSync(options.bundlePath));
  put(join(packageDir, EXECUTABLE_FILE), launcher(options.nodeArgs ?? []), 0o755);
  result.hash = packageHash(packageDir);

  if (existsSync(configFile) && !readFileSync(configFile, 'utf8').includes(MARKER)) {
    throw new InstallError(
      `${configFile} exists and was not written by install-provider: refusing to overwrite it. ` +
        'Choose another --config-file, or add the provider_installation block printed by --help to it yourself.',
    );
  }
  put(configFile, cliConfiguration(mirrorDir));
  const lockFiles = [...(options.lockFile ? [resolve(options.lockFile)] : []), ...stackLockFiles(options.stacksDir)];
  for (const lockFile of new Set(lockFiles)) put(lockFile, lockFileWithHash(lockFile, result.hash));
  return result;
}

/**
 * The executable Terraform starts: Node on the bundle next to it (inside the hashed package directory). It names no
 * path of this machine, so the package hash, and every committed lock file recording it, is the same on every machine.
 */
function launcher(nodeArgs: readonly string[]): string {
  return [
    '#!/bin/sh',
    `# terraform-provider-procurement ${PROVIDER_VERSION}, installed by \`procurement-scopes install-provider\`.`,
    'dir=$(dirname "$0")',
    `command -v node >/dev/null 2>&1 || { echo 'terraform-provider-procurement: node is not on PATH (it runs on Node.js 20.19 or later)' >&2; exit 1; }`,
    `exec node ${[...nodeArgs.map(shellQuoted), `"$dir/${BUNDLE_FILE}"`].join(' ')}`,
    '',
  ].join('\n');
}

function stackLockFiles(stacksDir: string | undefined): string[] {
  if (!stacksDir || !existsSync(stacksDir)) return [];
  return readdirSync(resolve(stacksDir), { withFileTypes: true })
    .filter(entry => entry.isDirectory())
    .map(entry => join(resolve(stacksDir), entry.name, LOCK_FILE))
    .filter(file => existsSync(file));
}

function shellQuoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function cliConfiguration(mirrorDir: string): string {
  const include = JSON.stringify(['registry.terraform.io/procurement-scopes/*']);
  return [
    `${MARKER}: Terraform installs procurement-scopes/* from the`,
    '# filesystem mirror below and every other provider as usual. Use it with TF_CLI_CONFIG_FILE=<this file>.',
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(mirrorDir)}`,
    `    include = ${include}`,
    '  }',
    '  direct {',
    `    exclude = ${include}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** The lock file with this provider's entry set to `hash` (other providers' entries kept). */
function lockFileWithHash(lockFile: string, hash: string): string {
  const block = [
    `provider "${PROVIDER_HOSTNAME_SOURCE}" {`,
    `  version     = "${PROVIDER_VERSION}"`,
    `  constraints = "${PROVIDER_VERSION_CONSTRAINT}"`,
    '  hashes = [',
    `    "${hash}",`,
    '  ]',
    '}',
  ].join('\n');
  const existing = existsSync(lockFile) ? readFileSync(lockFile, 'utf8') : '';
  const ours = new RegExp(`provider "${PROVIDER_HOSTNAME_SOURCE.replace(/[./]/g, '\\$&')}" \\{[\\s\\S]*?\\n\\}`);
  if (ours.test(existing)) return existing.replace(ours, block);
  const header = existing || '# This file is maintained automatically by "terraform init".\n# Manual edits may be lost in future updates.\n';
  return `${header.trimEnd()}\n\n${block}\n`;
}

function currentPlatform(): string {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };
  return `${process.platform}_${arch[process.arch] ?? process.arch}`;
}

/**
 * The bundle `npm run build` writes: dist/provider/procurement-provider.js under
 * the package root (this repository, or node_modules/procurement-scopes once installed).
 */
export function defaultBundlePath(from = __dirname): string {
  const root = findPackageRoot(from);
  if (!root) throw new InstallError(`cannot find the procurement-scopes package above ${from}`);
  return join(root, 'dist', 'provider', BUNDLE_FILE);
}
