#!/usr/bin/env node
/**
 * Regenerates docs/ (the provider documentation in the Terraform registry's
 * layout) from `terraform providers schema -json` of the built provider and
 * the examples/ folder. `npm run docs` builds first; test/provider/docs.test.ts
 * fails when docs/ is stale. The hand-written guides beside the generated pages
 * (docs/*.md other than index.md) are left alone.
 */
const { existsSync, mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const root = join(__dirname, '..');
const dist = join(root, 'dist', 'lib', 'provider');
const { providerSchemaFromTerraform } = require(join(dist, 'docs', 'provider-schema.js'));
const { isGeneratedDocsPath, readFilesUnder, renderProviderDocs } = require(join(dist, 'docs', 'provider-docs.js'));
const { defaultBundlePath } = require(join(dist, 'install', 'install-provider.js'));

async function main() {
  const docs = renderProviderDocs(await providerSchemaFromTerraform(defaultBundlePath()), readFilesUnder(join(root, 'examples')));
  const out = join(root, 'docs');
  // Pages of resources that no longer exist go too.
  if (existsSync(out)) for (const path of readFilesUnder(out).keys()) if (isGeneratedDocsPath(path)) rmSync(join(out, path));
  for (const [path, text] of docs) {
    mkdirSync(dirname(join(out, path)), { recursive: true });
    writeFileSync(join(out, path), text);
    process.stdout.write(`wrote docs/${path}\n`);
  }
}

main().catch(error => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exitCode = 1;
});
