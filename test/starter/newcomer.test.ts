/**
 * What a newcomer does, with the package installed by name from a registry:
 * procurement-scopes is packed and published once to a local registry
 * (verdaccio, test/support/local-registry.ts), `npx procurement-scopes init`
 * comes from there, and so does the starter's `npm install`. Then the
 * issue's path (issue 25): two stacks with the same client ids applied in
 * turn, a risky change planned and reviewed as the plan workflow does and
 * applied with a write token, a fresh `git clone` planning offline, and a
 * policy exception shipped as docs/ci-workflows.md says. Real terraform, a
 * real server, no Terraform registry (none is reachable here), and a CDK
 * Terrain starter whose CLI runs on a Node.js 22 taken from the npm registry.
 *
 * Slow by nature (two `npm install`s, each building better-sqlite3, and a
 * dozen terraform runs): one publish serves every test here.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { VERSION } from '../../lib/version';
import { startServer } from '../support/embedded-server';
import { LocalRegistry, startLocalRegistry } from '../support/local-registry';
import { PrebuiltHost, startPrebuiltHost } from '../support/prebuilt-binaries';
import { PROJECT_ROOT } from '../support/temporary-project';
import { requireTerraform } from '../support/terraform';

const exec = promisify(execFile);
const DONE = 'Done: the server matches the code, and every client gets exactly its declared scopes.';
/** A Node.js that runs cdktn's CLI (22.19 or later), as the npm registry ships it: node-<os>-<arch> holds bin/node. */
const NEWER_NODE = { name: `node-${process.platform}-${process.arch}`, version: '22.23.3' };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function sh(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  try {
    const { stdout, stderr } = await exec(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const { code, stdout, stderr, message } = e as { code?: number; stdout?: string; stderr?: string; message: string };
    return { code: typeof code === 'number' ? code : 1, stdout: stdout ?? '', stderr: `${stderr ?? ''}\n${message}` };
  }
}

/** Runs and requires exit 0, showing everything it said otherwise. */
async function ok(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const run = await sh(cwd, command, args, env);
  if (run.code !== 0) throw new Error(`${[command, ...args].join(' ')} exited ${run.code} in ${cwd}:\n${run.stdout}\n${run.stderr}`);
  return `${run.stdout}${run.stderr}`;
}

const INSTALL = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

describe('a newcomer, with procurement-scopes from a registry', () => {
  let registry: LocalRegistry;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let starter: string;
  let prebuilt: PrebuiltHost;
  let tarball: string;
  /** npx keeps what it installed in the cache, under the package's name and version: a cache of this run's, or it would run an earlier run's build. */
  const npxEnv = () => ({ ...env, npm_config_cache: mkdtempSync(join(work, 'npx-cache-')) });

  beforeAll(async () => {
    requireTerraform();
    work = mkdtempSync(join(tmpdir(), 'newcomer-'));
    registry = await startLocalRegistry();
    prebuilt = await startPrebuiltHost(work);
    // No ~/.terraformrc, no registry: HOME is a directory of the test's own. npm's cache is the machine's (tarballs
    // are found there by their integrity; documents are asked of the registry, whose port is new each run).
    env = { ...registry.npmEnv, ...prebuilt.env, HOME: work, npm_config_cache: join(process.env.HOME ?? work, '.npm') };
    const packed = JSON.parse((await exec('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: PROJECT_ROOT, env })).stdout) as { filename: string }[];
    tarball = join(work, packed[0].filename);
    registry.publish(tarball);
    await ok(work, 'npx', ['--yes', `procurement-scopes@${VERSION}`, 'init', 'scopes'], npxEnv());
    starter = join(work, 'scopes');
    await ok(starter, 'npm', INSTALL, env);
  }, 900_000);
  afterAll(async () => {
    await registry?.stop();
    await prebuilt?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('`npx procurement-scopes init` and the starter\'s `npm install` take the package by name from the registry, and npm install puts the provider into the mirror', () => {
    const installed = JSON.parse(readFileSync(join(starter, 'node_modules/procurement-scopes/package.json'), 'utf8')) as { version: string };
    expect(installed.version).toBe(VERSION);
    // The very tarball this test packed and published (npm records its integrity, not where it came from).
    const lock = JSON.parse(readFileSync(join(starter, 'package-lock.json'), 'utf8')) as { packages: Record<string, { integrity?: string }> };
    expect(lock.packages['node_modules/procurement-scopes'].integrity).toBe(`sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`);
    expect(readFileSync(join(starter, '.procurement/terraform.rc'), 'utf8')).toContain('filesystem_mirror');
    // better-sqlite3's install script took its binary from the host (no minutes-long build from source).
    expect(prebuilt.requests).toContainEqual(expect.stringMatching(/^\/v[\d.]+\/better-sqlite3-v[\d.]+-node-v\d+-/));
  });

  test('two stacks with the same client ids, a risky change reviewed, a fresh clone planning offline, a policy exception shipped', async () => {
    const git = (cwd: string, ...args: string[]) => ok(cwd, 'git', ['-c', 'user.name=Newcomer', '-c', 'user.email=newcomer@example.com', ...args], env);
    await git(starter, 'init', '-q', '-b', 'main');
    await git(starter, 'add', '--all');
    await git(starter, 'commit', '-q', '-m', 'procurement-scopes init');

    // Both stacks declare the same client ids; each keeps its own server and its own secrets, run after run.
    for (const stack of ['dev', 'prod', 'dev', 'prod']) {
      expect(await ok(starter, 'npm', ['start', '--', '--stack', stack], env)).toContain(DONE);
    }
    for (const stack of ['dev', 'prod']) expect(existsSync(join(starter, `.procurement/secrets/${stack}/embedded/approval-bot.json`))).toBe(true);

    // The team's prod server, on the data `npm start -- --stack prod` made; CI holds read and write tokens.
    const server = await startServer({ dataDir: join(starter, '.procurement/server-prod'), args: ['--environment', 'prod'] });
    try {
      // The token is the last line on stdout (npm's own warnings go to stderr).
      const token = async (role: string) => {
        const run = await sh(starter, 'npx', ['procurement-scopes', 'admin-token', 'create', '--name', `ci-${role}`, '--role', role], { ...env, PROCUREMENT_URL: server.url, PROCUREMENT_ADMIN_TOKEN: server.adminToken });
        expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
        return run.stdout.trim().split('\n').pop()!;
      };
      const tokens = { read: await token('read'), write: await token('write'), admin: server.adminToken };
      const ci = (role: keyof typeof tokens) => ({
        ...env,
        PROCUREMENT_URL: server.url,
        PROCUREMENT_ADMIN_TOKEN: tokens[role],
        PROCUREMENT_STATE_BACKEND: 'local',
        PROCUREMENT_SECRETS_DIR: join(starter, '.procurement/secrets'),
        TF_CLI_CONFIG_FILE: join(starter, '.procurement/terraform.rc'),
      });
      const stackDir = join(starter, 'cdktf.out/stacks/prod');
      const planAndApply = async (applyWith: keyof typeof tokens) => {
        await ok(starter, 'npm', ['run', 'synth'], ci('read'));
        const review = await ok(starter, 'bash', ['scripts/ci/plan.sh', 'prod'], ci('read'));
        return { review, apply: await sh(starter, 'bash', ['scripts/ci/apply.sh', stackDir], ci(applyWith)) };
      };

      // A risky change: the approval role for the ticketing integration, with an expiry and the change ticket.
      const stackFile = join(starter, 'stacks/procurement-stack.ts');
      const original = readFileSync(stackFile, 'utf8');
      const risky = original.replace(
        "    // The stack's outputs",
        "    new Role(auth, 'TicketApprover', { name: 'ticket-approver', description: 'Approve orders from tickets.', scopes: [approve] })\n" +
          "      .grantTo(desk, { expiresAt: auth.renewingExpiry(14), justification: 'CHG-4242 approvals from the service desk' });\n\n" +
          "    // The stack's outputs",
      );
      expect(risky).not.toBe(original);
      writeFileSync(stackFile, risky);
      const riskyChange = await planAndApply('write');
      expect(riskyChange.review).toMatch(/ticketing-integration[\s\S]*po\.approve/);
      expect(riskyChange.apply).toMatchObject({ code: 0 });
      await git(starter, 'add', '--all');
      await git(starter, 'commit', '-q', '-m', 'ticket-approver for the service desk (CHG-4242)');

      // A fresh clone plans offline: the committed lock files and `npm install`'s mirror, no extra step.
      const tracked = (await git(starter, 'ls-files')).split('\n');
      expect(tracked).toEqual(expect.arrayContaining(['cdktf.out/stacks/dev/.terraform.lock.hcl', 'cdktf.out/stacks/prod/.terraform.lock.hcl']));
      const clone = join(work, 'clone');
      await git(work, 'clone', '-q', starter, clone);
      await ok(clone, 'npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], env);
      // The clone has none of the team's Terraform state (a state backend's job, not the repository's), so it plans
      // against a server of its own: against the team's server each create would meet the object that state manages.
      const empty = await startServer({ args: ['--environment', 'prod'] });
      let diff: string;
      try {
        diff = await ok(clone, 'npm', ['run', 'diff', '--', 'prod'], { ...env, PROCUREMENT_URL: empty.url, PROCUREMENT_ADMIN_TOKEN: empty.adminToken });
      } finally {
        await empty.stop();
      }
      expect(stripVTControlCharacters(diff)).toMatch(/Plan: \d+ to add/);
      expect(diff).not.toMatch(/registry\.terraform\.io|ENOTFOUND/);
      expect(readFileSync(join(clone, 'cdktf.out/stacks/prod/.terraform.lock.hcl'), 'utf8')).toBe(readFileSync(join(stackDir, '.terraform.lock.hcl'), 'utf8'));

      // A policy exception: the write token's apply is refused cleanly, an admin applies the same saved plan.
      writeFileSync(
        stackFile,
        risky.replace(
          "    // The stack's outputs",
          "    auth.suppress(bot, 'LEAST-PRIVILEGE', 'CHG-4243 the approval bot keeps its grant for the pilot');\n\n    // The stack's outputs",
        ),
      );
      const exception = await planAndApply('write');
      expect(exception.review).toMatch(/LEAST-PRIVILEGE/);
      expect(exception.apply.code).not.toBe(0);
      expect(`${exception.apply.stdout}${exception.apply.stderr}`).toMatch(/admin token/);
      const byAdmin = await sh(starter, 'bash', ['scripts/ci/apply.sh', stackDir], ci('admin'));
      expect({ code: byAdmin.code, output: `${byAdmin.stdout}${byAdmin.stderr}` }).toMatchObject({ code: 0, output: expect.stringMatching(/Apply complete!/) });
      const policy = (await server.admin.policy()).value as { exceptions?: { ruleId: string }[] };
      expect(policy.exceptions?.map(e => e.ruleId)).toContain('LEAST-PRIVILEGE');

      // The reviewer sees the change ticket beside the gained grant (issue 25: the justification beside each gained grant).
      expect(riskyChange.review).toMatch(/po\.approve[^\n]*CHG-4242|CHG-4242[^\n]*po\.approve/);
    } finally {
      await server.stop();
    }
  }, 1_800_000);

  describe('with CDK Terrain (init --cdk cdktn)', () => {
    let cdktn: string;
    let newerNodeBin: string;
    beforeAll(async () => {
      await ok(work, 'npx', ['--yes', `procurement-scopes@${VERSION}`, 'init', '--cdk', 'cdktn', 'terrain'], npxEnv());
      cdktn = join(work, 'terrain');
      await ok(cdktn, 'npm', INSTALL, env);
      // cdktn's CLI needs Node.js 22.19+; this machine may have 20. Failing here is loud: no test is skipped.
      const prefix = join(work, 'newer-node');
      await ok(work, 'npm', ['install', '--prefix', prefix, '--no-save', '--prefer-offline', `${NEWER_NODE.name}@${NEWER_NODE.version}`], env);
      newerNodeBin = join(prefix, 'node_modules', NEWER_NODE.name, 'bin');
      const version = (await ok(work, join(newerNodeBin, 'node'), ['--version'], env)).trim();
      expect(version).toBe(`v${NEWER_NODE.version}`);
    }, 900_000);

    test('`npm start` applies the dev stack on this Node.js, which cannot run cdktn\'s CLI', async () => {
      expect(JSON.parse(readFileSync(join(cdktn, 'package.json'), 'utf8')).dependencies.cdktn).toBeDefined();
      expect(readFileSync(join(cdktn, 'stacks/main.ts'), 'utf8')).toContain("from 'cdktn'");
      expect(await ok(cdktn, 'npm', ['start'], env)).toContain(DONE);
    }, 600_000);

    test("cdktn's CLI synthesizes on Node.js 22 through `npm run synth`; on an older Node.js `cdk` says what it needs", async () => {
      const newer = { ...env, PATH: `${newerNodeBin}${delimiter}${env.PATH}` };
      rmSync(join(cdktn, 'cdktf.out'), { recursive: true, force: true });
      await ok(cdktn, 'npm', ['run', 'synth'], newer);
      for (const stack of ['dev', 'prod']) expect(existsSync(join(cdktn, `cdktf.out/stacks/${stack}/cdk.tf.json`))).toBe(true);
      const [major, minor] = process.versions.node.split('.').map(Number);
      if (major < 22 || (major === 22 && minor < 19)) {
        const old = await sh(cdktn, 'npm', ['run', 'synth'], env);
        expect(old.code).not.toBe(0);
        expect(old.stderr).toContain(`cdktn's CLI needs Node.js 22.19 or later, and this is ${process.versions.node}`);
      }
    }, 600_000);
  });
});
