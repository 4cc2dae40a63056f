#!/usr/bin/env node
/**
 * Bundles the Terraform provider (lib/provider/main.ts and everything it
 * requires, node_modules included) into ONE file. Terraform starts a fresh
 * provider process per phase, so startup is the budget of a no-change plan:
 * one file means no module resolution, and the file can sit inside the
 * provider package directory whose hash the lock file records.
 *
 * Usage: node scripts/bundle-provider.js [--outfile <path>]
 * Default output: dist/provider/procurement-provider.js
 */
const { buildSync } = require('esbuild');
const { join, resolve } = require('node:path');

const root = join(__dirname, '..');
const outfileFlag = process.argv.indexOf('--outfile');
const outfile = outfileFlag > 0 ? resolve(process.argv[outfileFlag + 1]) : join(root, 'dist', 'provider', 'procurement-provider.js');

const result = buildSync({
  entryPoints: [join(root, 'lib', 'provider', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  // Readable stack traces in Terraform's log when something goes wrong.
  keepNames: true,
  legalComments: 'none',
  logLevel: 'error',
  // Same input, same bytes: the lock file's hash only changes when the provider does.
  metafile: false,
});
if (result.errors.length > 0) process.exit(1);
if (require.main === module) process.stdout.write(`bundled the provider into ${outfile}\n`);
