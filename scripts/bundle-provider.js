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
const { join, resolve } = require('node:path');

const root = join(__dirname, '..');
const outfileFlag = process.argv.indexOf('--outfile');
const readable = process.argv.includes('--readable');
const outfile = outfileFlag > 0 ? resolve(process.argv[outfileFlag + 1]) : join(root, 'dist', 'provider', 'procurement-provider.js');

/**
 * Modules that compile JSON Schemas with ajv when first used; in the bundle each is replaced by the same validators as
 * ajv standalone code, generated here from the project's source, so that no provider process loads ajv's compiler or
 * compiles a schema (100-130 ms a process for the model's, about 110 ms for the policy's).
 * `source` is TypeScript importing from lib/; `schemas` names the schemas it exports; `exports` is the module's API.
 */
const PRECOMPILED = [
  {
    file: /[\\/]lib[\\/]model[\\/]compiled-validators\.ts$/,
    source: `export { SCHEMAS } from './model/schemas';`,
    schemas: ({ SCHEMAS }) => ({ scopes: SCHEMAS.scopes, roles: SCHEMAS.roles, clients: SCHEMAS.clients, roleBindings: SCHEMAS['role-bindings'] }),
    exports: 'exports.modelValidators = () => ({ scopes: exports.scopes, roles: exports.roles, clients: exports.clients, "role-bindings": exports.roleBindings });',
  },
  {
    file: /[\\/]lib[\\/]policy[\\/]compiled-policy-validator\.ts$/,
    source: `export { policySchema } from './policy/policy-schema';`,
    schemas: ({ policySchema }) => ({ policy: policySchema }),
    exports: 'exports.policyValidator = () => exports.policy;',
  },
];

function standaloneValidators({ source, schemas, exports }) {
  const standaloneCode = require('ajv/dist/standalone').default;
  const { createAjv } = fromSource(`export { createAjv } from './model/ajv-setup';`);
  const ajv = createAjv({ code: { source: true } });
  const named = schemas(fromSource(source));
  for (const [name, schema] of Object.entries(named)) ajv.addSchema(schema, name);
  const code = standaloneCode(ajv, Object.fromEntries(Object.keys(named).map(name => [name, name])));
  return `${code}\n${exports}\n`;
}

/** The exports of a few lines of TypeScript importing from lib/, evaluated here (packages stay requires). */
function fromSource(contents) {
  const dir = join(root, 'lib');
  const { outputFiles } = buildSync({ stdin: { contents, resolveDir: dir, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', packages: 'external', write: false });
  const module = new Module(join(dir, 'bundle-time.js'));
  module.paths = Module._nodeModulePaths(dir);
  module._compile(outputFiles[0].text, module.id);
  return module.exports;
}

const precompiledValidators = {
  name: 'precompiled-validators',
  setup(build) {
    for (const entry of PRECOMPILED) {
      build.onLoad({ filter: entry.file }, () => ({
        contents: standaloneValidators(entry),
        loader: 'js',
        // The generated code requires the timestamp parser as "./timestamp" (lib/model/ajv-setup.ts).
        resolveDir: join(root, 'lib', 'model'),
      }));
    }
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
