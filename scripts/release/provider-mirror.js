#!/usr/bin/env node
/**
 * The Terraform provider as release assets (.github/workflows/release.yml), laid out for a Terraform mirror.
 *
 *   node scripts/release/provider-mirror.js package --platform linux_amd64 --out <dir>
 *     writes <dir>/terraform-provider-procurement_<version>_<platform>.zip: the package install-provider writes for that
 *     platform (the bundled provider and its launcher), so its h1: hash is the one committed lock files record.
 *   node scripts/release/provider-mirror.js index --dir <dir>
 *     from the zips in <dir>: <dir>/SHA256SUMS, and <dir>/registry.terraform.io/procurement-scopes/procurement/ holding
 *     the zips, index.json and <version>.json. That tree is both a provider network mirror (served over HTTPS, the
 *     JSON of Terraform's provider network mirror protocol) and a packed filesystem mirror (provider_installation
 *     { filesystem_mirror { path = "<dir>" } }).
 *
 * Needs `npm run build` first (dist/ holds the bundle and install-provider).
 */
const { createHash } = require('node:crypto');
const { copyFileSync, createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const archiver = require('archiver');

const root = join(__dirname, '..', '..');
const dist = join(root, 'dist', 'lib');
const { installProvider, defaultBundlePath, PROVIDER_VERSION } = require(join(dist, 'provider', 'install', 'install-provider.js'));
const { packageHash } = require(join(dist, 'provider', 'install', 'package-hash.js'));
const { PROVIDER_HOSTNAME_SOURCE } = require(join(dist, 'provider', 'plugin', 'handshake.js'));

const ZIP = /^terraform-provider-procurement_(\d[^_]*)_([a-z0-9]+_[a-z0-9]+)\.zip$/;

function option(name) {
  const at = process.argv.indexOf(name);
  if (at < 0 || !process.argv[at + 1]) throw new Error(`${name} <value> is required`);
  return process.argv[at + 1];
}

/** One platform's package: install-provider's files, zipped with their modes (the launcher is executable). */
async function packagePlatform(platform, out) {
  if (!/^[a-z0-9]+_[a-z0-9]+$/.test(platform)) throw new Error(`--platform is <os>_<arch> (e.g. linux_amd64), got '${platform}'`);
  const work = mkdtempSync(join(tmpdir(), 'provider-release-'));
  try {
    const { packageDir } = installProvider({ configFile: join(work, 'terraform.rc'), bundlePath: defaultBundlePath(dist), platform });
    mkdirSync(out, { recursive: true });
    const file = join(out, `terraform-provider-procurement_${PROVIDER_VERSION}_${platform}.zip`);
    const zip = archiver('zip', { zlib: { level: 9 } });
    const done = new Promise((resolvePromise, reject) => {
      const sink = createWriteStream(file).on('close', resolvePromise).on('error', reject);
      zip.on('error', reject);
      zip.pipe(sink);
    });
    // A fixed date: the same build gives the same zip, and so the same zh: hash.
    const date = new Date('2000-01-01T00:00:00Z');
    for (const name of readdirSync(packageDir).sort()) zip.file(join(packageDir, name), { name, mode: statSync(join(packageDir, name)).mode & 0o777, date });
    await zip.finalize();
    await done;
    process.stdout.write(`wrote ${file} (${packageHash(packageDir)})\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** SHA256SUMS and the mirror tree, from the zips the platform jobs made. */
function index(dir) {
  const zips = readdirSync(dir).filter(name => ZIP.test(name)).sort();
  if (zips.length === 0) throw new Error(`no terraform-provider-procurement_<version>_<platform>.zip in ${dir}`);
  const versions = new Set(zips.map(name => ZIP.exec(name)[1]));
  if (versions.size !== 1) throw new Error(`the zips in ${dir} are of more than one version: ${[...versions].join(', ')}`);
  const [version] = versions;
  const sha256 = name => createHash('sha256').update(readFileSync(join(dir, name))).digest('hex');
  writeFileSync(join(dir, 'SHA256SUMS'), zips.map(name => `${sha256(name)}  ${name}\n`).join(''));

  const tree = join(dir, PROVIDER_HOSTNAME_SOURCE);
  mkdirSync(tree, { recursive: true });
  const archives = {};
  for (const name of zips) {
    copyFileSync(join(dir, name), join(tree, name));
    archives[ZIP.exec(name)[2]] = { url: name, hashes: [`zh:${sha256(name)}`] };
  }
  writeFileSync(join(tree, 'index.json'), `${JSON.stringify({ versions: { [version]: {} } }, null, 2)}\n`);
  writeFileSync(join(tree, `${version}.json`), `${JSON.stringify({ archives }, null, 2)}\n`);
  process.stdout.write(`wrote ${join(dir, 'SHA256SUMS')} and the mirror in ${tree} (${Object.keys(archives).join(', ')})\n`);
}

async function main() {
  const [command] = process.argv.slice(2);
  if (command === 'package') await packagePlatform(option('--platform'), resolve(option('--out')));
  else if (command === 'index') index(resolve(option('--dir')));
  else throw new Error('usage: provider-mirror.js package --platform <os_arch> --out <dir> | index --dir <dir>');
}

main().catch(e => {
  process.stderr.write(`error: ${e.message}\n`);
  process.exitCode = 2;
});
