/**
 * The package as another repository gets it: `npm pack`, then `npm install
 * <tarball>` into fresh projects, one next to cdktf 0.21 and one next to CDK
 * Terrain (cdktn), with no alias between them. Both synthesize the README's
 * first stack; the cdktf one type-checks it against the shipped types,
 * installs the provider with the packaged CLI, deploys to a real embedded
 * server with `cdktf deploy` and plans clean afterwards.
 *
 * npm installs with --prefer-offline (the cache `npm ci` filled serves almost
 * everything) and --ignore-scripts: the only install script is better-sqlite3's
 * native build (about two minutes), which only the embedded server needs, and
 * the server here is this repository's.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { TerraformCli } from '../../lib/terraform/terraform-cli';
import { readmeFirstStack } from '../support/markdown';
import { CDKTN_VERSIONS } from '../../lib/starter/write-starter';
import { PROJECT_ROOT } from '../support/temporary-project';
import { requireTerraform } from '../support/terraform';
import { testEnvironment } from '../support/environment';

const run = promisify(execFile);
const TSX_CLI = join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs');
const CDKTF_CLI = join(PROJECT_ROOT, 'node_modules/cdktf-cli/bundle/bin/cdktf');
const TSC = join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc');

async function sh(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = testEnvironment()): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const { message, stdout, stderr } = e as { message: string; stdout?: string; stderr?: string };
    throw new Error(`${[command, ...args].join(' ')} failed in ${cwd}: ${message}\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** What `tsc` would emit for the app, so that plain `node` runs it. */
function toCommonJs(source: string): string {
  return ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
}

function resourceCounts(stackJson: string): Record<string, number> {
  const config = JSON.parse(readFileSync(stackJson, 'utf8')) as { resource: Record<string, object> };
  return Object.fromEntries(Object.entries(config.resource).map(([type, byName]) => [type, Object.keys(byName).length]));
}

/** Generous: these tests install, synthesize and run terraform, and a loaded machine makes each of those slow. */
const SLOW_TEST_MS = 300_000;

const FIRST_STACK_RESOURCES = { procurement_scope: 3, procurement_client: 2, procurement_role: 2, procurement_role_binding: 2, procurement_policy: 1 };

describe('the npm package in a project of its own', () => {
  let work: string;
  let tarball: string;
  let packedFiles: string[];
  const projects: Record<'cdktf' | 'cdktn', string> = { cdktf: '', cdktn: '' };

  async function freshProject(name: 'cdktf' | 'cdktn', cdk: string[]): Promise<void> {
    const dir = join(work, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `app-${name}`, version: '1.0.0', private: true }));
    await sh(dir, 'npm', ['install', tarball, ...cdk, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error']);
    projects[name] = dir;
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'procurement-package-'));
    const packed = JSON.parse(await sh(PROJECT_ROOT, 'npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work])) as {
      filename: string;
      files: { path: string }[];
    }[];
    tarball = join(work, packed[0].filename);
    packedFiles = packed[0].files.map(f => f.path);
    await Promise.all([
      freshProject('cdktf', [`cdktf@${installedVersion('cdktf')}`, `constructs@${installedVersion('constructs')}`]),
      // cdktn's own peer range for constructs.
      freshProject('cdktn', [`cdktn@${CDKTN_VERSIONS.cdktn}`, `constructs@${CDKTN_VERSIONS.constructs}`]),
    ]);
  }, 300_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the tarball carries the built library with types, the CLI and the bundled provider, and no tests or fixtures', () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'bin/procurement-scopes.js',
        'dist/lib/index.js',
        'dist/lib/index.d.ts',
        'dist/lib/cli/main.js',
        'dist/provider/procurement-provider.js',
        'templates/starter/stacks/main.ts',
        'templates/starter/gitignore',
        '.github/workflows/procurement-plan.yml',
        'scripts/ci/plan.sh',
        // The access map the server serves at /ui/ (lib/server/ui).
        'ui/access-map/index.html',
        'ui/access-map/access-map.js',
        'ui/access-map/access-map.css',
        // `procurement-scopes main --downstream rfc7592` starts it from the installed package.
        'scripts/rfc7592-server.mjs',
      ]),
    );
    const unwanted = packedFiles.filter(f => /^(test|stacks|bench|lib|\.ci)\/|^scripts\/(?!ci\/|rfc7592-server\.mjs$)|^dist\/(test|stacks|bench)\/|\.map$|^(?!templates\/).*\.ts$(?<!\.d\.ts$)/.test(f));
    expect(unwanted).toEqual([]);
  });

  describe('next to cdktf', () => {
    let server: EmbeddedServer;
    beforeAll(async () => {
      requireTerraform();
      // The README's first stack is the prod stack: its procurement_policy needs a server that guards prod.
      server = await startServer({ args: ['--environment', 'prod'] });
    });
    afterAll(async () => {
      await server?.stop();
    });

    test("the README's first stack type-checks, synthesizes, deploys with cdktf and then plans clean", async () => {
      const dir = projects.cdktf;
      writeFileSync(join(dir, 'main.ts'), readmeFirstStack());
      writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: `node ${TSX_CLI} main.ts`, terraformProviders: [] }));
      // The shipped declarations: what an editor and ts-node see.
      await sh(dir, process.execPath, [TSC, '--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--skipLibCheck', 'main.ts']);

      // The packaged CLI installs the packaged provider.
      const installed = await sh(dir, join(dir, 'node_modules/.bin/procurement-scopes'), ['install-provider', '--config-file', '.procurement/terraform.rc']);
      expect(installed).toContain('provider package hash: h1:');
      const env = {
        ...testEnvironment(),
        TF_CLI_CONFIG_FILE: join(dir, '.procurement/terraform.rc'),
        PROCUREMENT_URL: server.url,
        PROCUREMENT_ADMIN_TOKEN: server.adminToken,
        PROCUREMENT_SECRETS_DIR: join(dir, '.procurement/secrets'),
        CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
        CHECKPOINT_DISABLE: '1',
        CI: '1',
        FORCE_COLOR: '0',
      };
      const cdktf = (...args: string[]) => sh(dir, process.execPath, [CDKTF_CLI, ...args, '--skip-provider-lock'], env);

      const deploy = await cdktf('deploy', 'prod', '--auto-approve');
      expect(deploy).toMatch(/Apply complete! Resources: 10 added, 0 changed, 0 destroyed/);
      // The stack's outputs (AuthorizationOutputs), as cdktf prints them after a deploy.
      expect(deploy).toMatch(/client_ids\s*=\s*\[\s*"approval-bot",\s*"ticketing-integration",?\s*\]/);
      expect(resourceCounts(join(dir, 'cdktf.out/stacks/prod/cdk.tf.json'))).toEqual(FIRST_STACK_RESOURCES);
      const snapshot = await server.admin.snapshot();
      expect(snapshot.clients.map(c => c.clientId).sort()).toEqual(['approval-bot', 'ticketing-integration']);
      // Plain terraform in the stack's directory (cdktf plan would synthesize again first: slower, same plan).
      const plan = await new TerraformCli({ cwd: join(dir, 'cdktf.out/stacks/prod'), baseEnv: env }).run(['plan', '-input=false', '-no-color', '-detailed-exitcode']);
      expect({ exitCode: plan.exitCode, stderr: plan.stderr }).toEqual({ exitCode: 0, stderr: '' });
      expect(plan.stdout).toMatch(/No changes\. Your infrastructure matches the configuration\./);
    }, SLOW_TEST_MS);
  });

  test('`procurement-scopes init` from the package writes a stacks repository whose `npm start` synthesizes dev and prod, applies dev to the embedded server and verifies it', async () => {
    const starter = join(work, 'starter');
    const written = await sh(work, join(projects.cdktf, 'node_modules/.bin/procurement-scopes'), ['init', starter]);
    expect(written).toContain('wrote stacks/main.ts');
    // Its `npm install` would bring the cdktf project's packages plus cdktf-cli and tsx, and build
    // better-sqlite3 (minutes): this repository's copies stand in for those three.
    const modules = join(projects.cdktf, 'node_modules');
    rmSync(join(modules, 'better-sqlite3'), { recursive: true, force: true });
    symlinkSync(join(PROJECT_ROOT, 'node_modules/better-sqlite3'), join(modules, 'better-sqlite3'));
    symlinkSync(CDKTF_CLI, join(modules, '.bin/cdktf'));
    symlinkSync(TSX_CLI, join(modules, '.bin/tsx'));
    symlinkSync(modules, join(starter, 'node_modules'));

    const started = await sh(starter, 'npm', ['start'], testEnvironment());
    expect(started).toContain('Done: the server matches the code, and every client gets exactly its declared scopes.');
    expect(started).toMatch(/Plan again \(must report no changes\)[\s\S]*no changes/);
    for (const stack of ['dev', 'prod']) {
      expect(resourceCounts(join(starter, `cdktf.out/stacks/${stack}/cdk.tf.json`))).toEqual({
        procurement_scope: 4,
        procurement_client: 3,
        procurement_role: 3,
        procurement_role_binding: 3,
        procurement_policy: 1,
      });
    }
  }, SLOW_TEST_MS);

  describe('next to cdktn', () => {
    /** The README's first stack importing cdktn, as the CommonJS plain `node` runs. */
    const readmeStackOnCdktn = () => readmeFirstStack().replace("from 'cdktf'", "from 'cdktn'");
    beforeAll(() => {
      const source = readmeStackOnCdktn();
      expect(source).toContain("from 'cdktn'");
      writeFileSync(join(projects.cdktn, 'main.js'), toCommonJs(source));
    });
    // Each test synthesizes afresh: what it finds in cdktf.out is its own run's.
    beforeEach(() => rmSync(join(projects.cdktn, 'cdktf.out'), { recursive: true, force: true }));

    test("with no cdktf installed, the README's first stack synthesizes with node", async () => {
      const dir = projects.cdktn;
      await expect(sh(dir, process.execPath, ['-e', "require.resolve('cdktf')"])).rejects.toThrow(/Cannot find module 'cdktf'/);
      await sh(dir, process.execPath, ['main.js']);
      expect(resourceCounts(join(dir, 'cdktf.out/stacks/prod/cdk.tf.json'))).toEqual(FIRST_STACK_RESOURCES);
    });

    test('with both cdktn and cdktf installed, the CDK the app imports first is used, and the other order fails saying what to do', async () => {
      const dir = projects.cdktn;
      const cdktfLink = join(dir, 'node_modules/cdktf');
      symlinkSync(join(PROJECT_ROOT, 'node_modules/cdktf'), cdktfLink);
      try {
        await sh(dir, process.execPath, ['main.js']);
        expect(resourceCounts(join(dir, 'cdktf.out/stacks/prod/cdk.tf.json'))).toEqual(FIRST_STACK_RESOURCES);

        // procurement-scopes first: it cannot know the app's CDK yet and takes cdktf.
        const [cdkImport, libraryImport, ...rest] = readmeStackOnCdktn().split('\n');
        const libraryFirst = [libraryImport, cdkImport, ...rest].join('\n');
        writeFileSync(join(dir, 'library-first.js'), toCommonJs(libraryFirst));
        await expect(sh(dir, process.execPath, ['library-first.js'])).rejects.toThrow(
          /\[prod\/Procurement\] is in a TerraformStack of another CDK than the one procurement-scopes loaded \(cdktf\)\. With both cdktf and cdktn installed, import your CDK/,
        );
      } finally {
        rmSync(cdktfLink);
      }
    });
  });
});
