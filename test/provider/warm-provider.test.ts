/**
 * The warm provider process (lib/provider/warm): after a launch that ran in
 * its own process, Terraform's later launches are served by one warm process,
 * each with its own environment; a bundle that changed, an unusable setting
 * or a directory others could enter means a process of its own; and the warm
 * process leaves after its idle time, taking its directory with it.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXECUTABLE_FILE, installProvider } from '../../lib/provider/install/install-provider';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../../lib/provider/plugin/handshake';
import { createPluginIdentity } from '../../lib/provider/plugin/tls';
import { SERVED_BY_WARM_PROCESS, warmDirectoryOf, warmFiles, warmProcessOf } from '../../lib/provider/warm/warm-protocol';
import { TerraformCli } from '../../lib/terraform/terraform-cli';
import { testEnvironment } from '../support/environment';
import { EmbeddedServer, startServer } from '../support/embedded-server';
import { bundleProvider, createWorkspace, expectExit, Workspace } from '../support/terraform';

const warmDirOf = (tf: Workspace) => warmDirectoryOf(tf.install.packageDir);

const warmPid = (tf: Workspace) => warmProcessOf(warmDirOf(tf));

/** The warm process the first launch left behind, once it takes requests (it starts after that launch's handshake). */
async function warmProcessUp(tf: Workspace): Promise<number> {
  await until(() => warmPid(tf) !== null && existsSync(warmFiles(warmDirOf(tf)).requests));
  return warmPid(tf)!;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still waiting after ${ms} ms`);
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

/** Of Terraform's launches of the provider (its debug log), how many ran in a process of their own and how many the warm process `pid` served. */
function launches(stderr: string, pid: number): { own: number; warm: number } {
  const started = stderr.match(/provider: plugin started: path=\S*terraform-provider-procurement/g)?.length ?? 0;
  const warm = stderr.split(`${SERVED_BY_WARM_PROCESS} ${pid}`).length - 1;
  return { own: started - warm, warm };
}

let server: EmbeddedServer;
let other: EmbeddedServer;
const workspaces: Workspace[] = [];

async function warmWorkspace(seconds: string): Promise<Workspace> {
  const tf = await createWorkspace({ url: server.url, adminToken: server.adminToken, env: { PROCUREMENT_PROVIDER_WARM_SECONDS: seconds, TF_LOG: 'debug' } });
  workspaces.push(tf);
  // A scope of its own: the workspaces share one server.
  tf.writeConfig({ resource: { procurement_scope: { read: { name: `warm${workspaces.length}.read`, description: 'Read', risk: 'low' } } } });
  expectExit(await tf.init(), 0);
  return tf;
}

beforeAll(async () => {
  [server, other] = await Promise.all([startServer(), startServer()]);
});
afterAll(async () => {
  for (const tf of workspaces) {
    const pid = warmPid(tf);
    if (pid && alive(pid)) process.kill(pid, 'SIGTERM');
    await until(() => !pid || !alive(pid));
    tf.remove();
  }
  await Promise.all([server?.stop(), other?.stop()]);
});

describe('warm provider process', () => {
  let tf: Workspace;
  beforeAll(async () => {
    tf = await warmWorkspace('60');
  });

  test('serves every launch after the first from one warm process, each with its own environment', async () => {
    const apply = await tf.apply();
    expectExit(apply, 0);
    const pid = await warmProcessUp(tf);
    // The first launch ran in its own process and left the warm process behind.
    expect(launches(apply.stderr, pid).own).toBeGreaterThanOrEqual(1);

    const plan = await tf.plan();
    expectExit(plan, 0);
    expect(launches(plan.stderr, pid)).toEqual({ own: 0, warm: 3 });
    expect(warmPid(tf)).toBe(pid);

    // Another server, through the same warm process: the scope is missing there.
    const onOther = await new TerraformCli({
      cwd: tf.dir,
      baseEnv: testEnvironment(),
      env: { TF_CLI_CONFIG_FILE: tf.install.configFile, PROCUREMENT_URL: other.url, PROCUREMENT_ADMIN_TOKEN: other.adminToken, PROCUREMENT_PROVIDER_WARM_SECONDS: '60', TF_LOG: 'debug' },
    }).run(['plan', '-detailed-exitcode', '-no-color', '-input=false'], { quiet: true });
    expectExit(onOther, 2);
    expect(onOther.stdout).toContain('procurement_scope.read will be created');
    expect(launches(onOther.stderr, pid)).toEqual({ own: 0, warm: 3 });
    expect(warmPid(tf)).toBe(pid);
  });
});

describe('the end of a session and of the warm process', () => {
  test('a launch whose Terraform is gone is ended: its script exits and its socket goes', async () => {
    const tf = await warmWorkspace('60');
    expectExit(await tf.apply(), 0);
    await warmProcessUp(tf);
    // A stand-in for Terraform: a shell that starts the launch script as Terraform would, then is killed.
    const terraform = spawn('sh', ['-c', '"$0" & echo $!; wait', join(tf.install.packageDir, EXECUTABLE_FILE)], {
      cwd: tf.dir,
      env: testEnvironment({
        PROCUREMENT_PROVIDER_WARM_SECONDS: '60',
        [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE,
        PLUGIN_PROTOCOL_VERSIONS: '5,6',
        PLUGIN_CLIENT_CERT: createPluginIdentity().certificatePem,
      }),
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let output = '';
    terraform.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until(() => output.split('\n').length > 2);
    const [script, handshake] = output.split('\n');
    const socket = handshake.split('|')[3];
    expect(socket).toContain(`${warmDirOf(tf)}/session.${script}.sock`);
    expect(existsSync(socket)).toBe(true);
    terraform.kill('SIGKILL');
    await until(() => !alive(Number(script)));
    expect(existsSync(socket)).toBe(false);
  });

  test('the warm process leaves on SIGTERM, taking its directory with it', async () => {
    const tf = await warmWorkspace('60');
    expectExit(await tf.apply(), 0);
    const pid = await warmProcessUp(tf);
    process.kill(pid, 'SIGTERM');
    await until(() => !alive(pid));
    expect(existsSync(warmDirOf(tf))).toBe(false);
  });
});

describe('a process of its own instead', () => {
  test('when the provider bundle changed since the warm process started; the old warm process leaves', async () => {
    const tf = await warmWorkspace('60');
    expectExit(await tf.apply(), 0);
    const old = await warmProcessUp(tf);
    const changed = join(tmpdir(), `changed-${process.pid}.js`);
    copyFileSync(bundleProvider(), changed);
    appendFileSync(changed, '\n// another build\n');
    installProvider({ configFile: tf.install.configFile, bundlePath: changed, lockFile: join(tf.dir, '.terraform.lock.hcl') });
    const plan = await tf.plan();
    expectExit(plan, 0);
    expect(launches(plan.stderr, old).warm).toBe(0);
    await until(() => !alive(old));
  });

  test('when PROCUREMENT_PROVIDER_WARM_SECONDS is unusable', async () => {
    const tf = await warmWorkspace('soon');
    const apply = await tf.apply();
    expectExit(apply, 0);
    expect(apply.stderr).toContain("PROCUREMENT_PROVIDER_WARM_SECONDS must be a whole number of seconds from 0 (no warm provider process) to 3600, got 'soon'");
    expect(existsSync(warmDirOf(tf))).toBe(false);
  });

  test('when others may enter the warm directory', async () => {
    const tf = await warmWorkspace('60');
    const dir = warmDirOf(tf);
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    expectExit(await tf.apply(), 0);
    expectExit(await tf.plan(), 0);
    expect(readdirSync(dir)).toEqual([]);
    rmSync(dir, { recursive: true });
  });
});

test('the warm process leaves after its idle time, taking its directory with it', async () => {
  const tf = await warmWorkspace('3');
  expectExit(await tf.apply(), 0);
  const pid = await warmProcessUp(tf);
  await until(() => !alive(pid));
  expect(existsSync(warmDirOf(tf))).toBe(false);
});
