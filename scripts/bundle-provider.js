#!/usr/bin/env node
/**
 * Bundles the Terraform provider (lib/provider/main.ts and everything it
 * requires, node_modules included) into ONE file. Terraform starts a fresh
 * provider process per phase, so startup is the budget of a no-change plan:
 * one file means no module resolution, and the file can sit inside the
 * provider package directory whose hash the lock file records.
 *
 * Usage: node scripts/bundle-provider.js [--outfile <path>] [--readable]
 * (--readable: not minified, each module's code under a `// <path>` comment; the benchmark's CPU profile reads them.)
 * Default output: dist/provider/procurement-provider.js
 */
const { build, buildSync } = require('esbuild');
const Module = require('node:module');
const { dirname, join, resolve } = require('node:path');

const root = join(__dirname, '..');
const outfileFlag = process.argv.indexOf('--outfile');
const readable = process.argv.includes('--readable');
const outfile = outfileFlag > 0 ? resolve(process.argv[outfileFlag + 1]) : join(root, 'dist', 'provider', 'procurement-provider.js');

/**
 * lib/model/compiled-validators.ts compiles the model's JSON Schemas with ajv when first used; in the bundle it is
 * replaced by the same validators as ajv standalone code, generated here from the model's source, so that no provider
 * process loads ajv's compiler or compiles a schema.
 */
function standaloneValidators() {
  const standaloneCode = require('ajv/dist/standalone').default;
  const { createAjv, SCHEMAS } = fromSource(`export { createAjv } from './ajv-setup'; export { SCHEMAS } from './schemas';`);
  const ajv = createAjv({ code: { source: true } });
  const exportNames = { scopes: 'scopes', roles: 'roles', clients: 'clients', roleBindings: 'role-bindings' };
  for (const [name, kind] of Object.entries(exportNames)) ajv.addSchema(SCHEMAS[kind], name);
  const code = standaloneCode(ajv, Object.fromEntries(Object.keys(exportNames).map(name => [name, name])));
  const kinds = Object.entries(exportNames).map(([name, kind]) => `${JSON.stringify(kind)}: exports.${name}`).join(', ');
  return `${code}\nexports.modelValidators = () => ({ ${kinds} });\n`;
}

/** The exports of a few lines of TypeScript importing from lib/model, evaluated here (packages stay requires). */
function fromSource(contents) {
  const dir = join(root, 'lib', 'model');
  const { outputFiles } = buildSync({ stdin: { contents, resolveDir: dir, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', packages: 'external', write: false });
  const module = new Module(join(dir, 'bundle-time.js'));
  module.paths = Module._nodeModulePaths(dir);
  module._compile(outputFiles[0].text, module.id);
  return module.exports;
}

const precompiledValidators = {
  name: 'precompiled-validators',
  setup(build) {
    build.onLoad({ filter: /[\\/]lib[\\/]model[\\/]compiled-validators\.ts$/ }, args => ({
      contents: standaloneValidators(),
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

build({
  entryPoints: [join(root, 'lib', 'provider', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: !readable,
  // Readable stack traces in Terraform's log when something goes wrong.
  keepNames: true,
  legalComments: 'none',
  logLevel: 'error',
  // Same input, same bytes: the lock file's hash only changes when the provider does.
  metafile: false,
  plugins: [precompiledValidators],
}).then(
  () => process.stdout.write(`bundled the provider into ${outfile}\n`),
  () => process.exit(1), // esbuild has printed the errors
);
