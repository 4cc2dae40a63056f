/**
 * The provider process as Terraform's child: it ignores SIGINT (Terraform
 * handles Ctrl-C through StopProvider), exits on SIGTERM, and exits on its own
 * when Terraform is gone (an orphan never stays until SIGKILL). The real
 * bundled provider, started the way Terraform starts it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../../../lib/provider/plugin/handshake';
import { createPluginIdentity } from '../../../lib/provider/plugin/tls';
import { testEnvironment } from '../../support/environment';
import { bundleProvider } from '../../support/terraform';

const LAUNCH_ENV = testEnvironment({
  [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE,
  PLUGIN_PROTOCOL_VERSIONS: '5,6',
  PLUGIN_CLIENT_CERT: createPluginIdentity().certificatePem,
});

/** Linux: a process that exited but was not reaped yet (state Z) is gone for our purpose. */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

/** The first line the child writes to stdout (the provider's handshake, or the pid the fake Terraform prints). */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
    });
    child.once('exit', code => reject(new Error(`exited (${code}) before writing a line: ${text}`)));
  });
}

describe('provider process lifetime', () => {
  const started: number[] = [];
  afterEach(() => {
    for (const pid of started.splice(0)) if (running(pid)) process.kill(pid, 'SIGKILL');
  });

  test('ignores SIGINT and exits on SIGTERM', async () => {
    const provider = spawn(process.execPath, [bundleProvider()], { env: LAUNCH_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(provider.pid!);
    let stderr = '';
    provider.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    expect(await firstLine(provider)).toMatch(/^1\|6\|unix\|/);
    // 'close': exited, and its output read to the end.
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve => provider.once('close', (code, signal) => resolve({ code, signal })));

    // SIGINT reaches it first: sent first, and of two pending signals Linux delivers the lower-numbered one first;
    // Node then runs their handlers in the order they came. Ending because of SIGINT (killed by it, or leaving as
    // on SIGTERM) would show in how it ended or in the line that says why it leaves.
    provider.kill('SIGINT');
    provider.kill('SIGTERM');
    expect(await ended).toEqual({ code: 0, signal: null });
    expect(stderr).toContain('[procurement] SIGTERM: finishing the calls in flight, then exiting');
    expect(stderr).not.toContain('SIGINT');
  }, 30_000);

  test('an orphaned provider exits once Terraform is gone', async () => {
    // A stand-in for Terraform: starts the provider, reports its pid, then is killed without a word.
    const launcher = `
      const { spawn } = require('node:child_process');
      const provider = spawn(process.execPath, [${JSON.stringify(bundleProvider())}], { stdio: ['ignore', 'pipe', 'inherit'] });
      provider.stdout.once('data', () => process.stdout.write(provider.pid + '\\n'));
      setInterval(() => {}, 1000);
    `;
    const terraform = spawn(process.execPath, ['-e', launcher], { env: LAUNCH_ENV, stdio: ['ignore', 'pipe', 'inherit'] });
    started.push(terraform.pid!);
    const providerPid = Number(await firstLine(terraform));
    started.push(providerPid);
    expect(running(providerPid)).toBe(true);

    terraform.kill('SIGKILL');
    await waitUntil(() => !running(providerPid), 15_000, `the orphaned provider (pid ${providerPid}) did not exit`);
  }, 30_000);
});
