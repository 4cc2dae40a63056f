/**
 * docs/ is generated (`npm run docs`) from what the real `terraform providers
 * schema -json` reports for the provider built from this source, and from
 * examples/: a schema change without regenerated docs fails here. The
 * examples are one configuration, which the real terraform validates.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { providerSchemaFromTerraform } from '../../lib/provider/docs/provider-schema';
import { Examples, isGeneratedDocsPath, ProviderSchemaJson, readFilesUnder, renderProviderDocs } from '../../lib/provider/docs/provider-docs';
import { installProvider } from '../../lib/provider/install/install-provider';
import { TerraformCli } from '../../lib/terraform/terraform-cli';
import { PROJECT_ROOT } from '../support/temporary-project';
import { bundleProvider, requireTerraform } from '../support/terraform';
import { testEnvironment } from '../support/environment';

const DOCS = join(PROJECT_ROOT, 'docs');

describe('provider documentation', () => {
  let schema: ProviderSchemaJson;
  let examples: Examples;

  beforeAll(async () => {
    requireTerraform();
    schema = await providerSchemaFromTerraform(bundleProvider());
    examples = readFilesUnder(join(PROJECT_ROOT, 'examples'));
  });

  test('docs/ is what the provider schema and examples/ generate (else: npm run docs)', () => {
    const generated = renderProviderDocs(schema, examples);
    const stale = [...generated].filter(([path, text]) => !existsSync(join(DOCS, path)) || readFileSync(join(DOCS, path), 'utf8') !== text).map(([path]) => path);
    if (stale.length > 0) throw new Error(`docs/ is stale (${stale.join(', ')}): run \`npm run docs\` and commit docs/`);
    // The hand-written guides beside the generated pages are test/docs's.
    const pages = [...readFilesUnder(DOCS).keys()].filter(isGeneratedDocsPath).sort();
    expect(pages).toEqual([...generated.keys()].sort());
    // A page per resource and data source, and every attribute documented with its description.
    expect(pages).toEqual(expect.arrayContaining(['index.md', 'resources/role_binding.md', 'data-sources/client_effective_scopes.md']));
    for (const [name, resource] of Object.entries(schema.resource_schemas)) {
      const page = generated.get(`resources/${name.replace(/^procurement_/, '')}.md`)!;
      for (const [attribute, spec] of Object.entries(resource.block.attributes ?? {})) {
        expect(page).toContain(`- \`${attribute}\` (`);
        expect(spec.description).toBeTruthy();
      }
    }
  });

  test('the schema declares its descriptions as markdown', () => {
    const described = [schema.provider, ...Object.values(schema.resource_schemas), ...Object.values(schema.data_source_schemas)];
    for (const { block } of described) {
      expect((block as { description_kind?: string }).description_kind).toBe('markdown');
      for (const attribute of Object.values(block.attributes ?? {})) expect((attribute as { description_kind?: string }).description_kind).toBe('markdown');
    }
  });

  test('fails when a resource has no example, naming the file', () => {
    const partial = new Map([...examples].filter(([path]) => path !== 'resources/procurement_role/import.sh'));
    expect(() => renderProviderDocs(schema, partial)).toThrow('examples/resources/procurement_role/import.sh is missing');
  });

  test('the examples together are a configuration terraform validates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procurement-examples-'));
    try {
      const install = installProvider({ configFile: join(dir, 'terraform.rc'), bundlePath: bundleProvider() });
      const work = join(dir, 'work');
      mkdirSync(work);
      for (const [path, text] of examples) if (path.endsWith('.tf')) writeFileSync(join(work, path.replace(/\//g, '__')), text);
      const terraform = new TerraformCli({ cwd: work, baseEnv: testEnvironment(), env: { TF_CLI_CONFIG_FILE: install.configFile } });
      await terraform.init({ quiet: true });
      const validate = await terraform.run(['validate', '-no-color']);
      expect(validate.stderr).toBe('');
      expect(validate.stdout).toContain('Success! The configuration is valid.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
