// Experiment (not committed)
import { Socket } from 'node:net';
import { constants, mkdtempSync, openSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { execFileSync, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizeStack, asTerraformData } from './configurations';
import { smallObjectsSize } from './small-objects';
import { TerraformSide } from './terraform-side';
import { ProviderService } from '../lib/provider/provider-service';
import { RESOURCES } from '../lib/provider/resources';
import { DATA_SOURCES } from '../lib/provider/data-sources';
import { startPluginServer } from '../lib/provider/plugin/grpc-server';
import { createPluginIdentity } from '../lib/provider/plugin/tls';
import { handshakeLine } from '../lib/provider/plugin/handshake';

async function daemon(dir: string) {
  let k = 0;
  const identity = createPluginIdentity();
  const fifo = join(dir, 'requests');
  execFileSync('mkfifo', ['-m', '600', fifo]);
  const rfd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK); // keep a writer: never EOF
  const reader = new Socket({ fd: rfd, readable: true, writable: false });
  let buf = '';
  reader.setEncoding('utf8');
  reader.on('data', d => {
    buf += d; let i;
    while ((i = buf.indexOf('\n')) >= 0) { const line = buf.slice(0, i); buf = buf.slice(i + 1); session(line).catch(e => console.error(e)); }
  });
  async function session(line: string) {
    const [pid, replyPath] = line.split(' ');
    const env = Object.fromEntries(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map(kv => { const j = kv.indexOf('='); return [kv.slice(0, j), kv.slice(j + 1)]; }));
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    const reply = await open(replyPath, 'w');
    const log = (l: string) => void reply.write(`[procurement] ${l}\n`).catch(() => undefined);
    const service = new ProviderService({ resources: RESOURCES, dataSources: DATA_SOURCES, env, log, cwd } as any);
    const socketPath = join(dir, `s${k++}.sock`);
    let server: any;
    server = await startPluginServer({ handlers: service.handlers, socketPath, certificatePem: identity.certificatePem, privateKeyPem: identity.privateKeyPem, clientCertificatePem: env.PLUGIN_CLIENT_CERT, log,
      onShutdown: () => { server.forceShutdown(); rmSync(socketPath, { force: true }); void reply.close(); } });
    await reply.write(handshakeLine(socketPath, identity.certificateHandshake));
  }
}

async function main() {
  if (process.argv[2] === 'daemon') return daemon(process.argv[3]);
  const n = Number(process.argv[2] ?? 300);
  const { config } = synthesizeStack(smallObjectsSize(n));
  const log = (l: string) => console.log(l);
  const ours = await TerraformSide.open('ours', { withServer: true, log });
  const floor = await TerraformSide.open('floor', { withServer: false, log });
  ours.write(config); floor.write(asTerraformData(config));
  await ours.init(); await floor.init();
  await ours.step('apply', ['apply', '-auto-approve'], [0]);
  await floor.step('apply', ['apply', '-auto-approve'], [0]);
  const dir = mkdtempSync(join(tmpdir(), 'expd-'));
  const d = spawn(process.execPath, [__filename, 'daemon', dir], { stdio: 'inherit' });
  await new Promise(r => setTimeout(r, 1500));
  const res: Record<string, number[]> = { spawn: [], daemon: [], floor: [] };
  const cpu = () => Number(readFileSync(`/proc/${d.pid}/stat`, 'utf8').split(') ')[1].split(' ').slice(11, 13).reduce((a: number, b: string) => a + Number(b), 0)) / 100;
  const wrapper = join((ours as any).dir, 'terraform-providers');
  for (let i = 0; i < 4; i++) {
    res.spawn.push((await ours.step('plan spawn', ['plan', '-detailed-exitcode'], [0])).seconds);
    const exe = execFileSync('sh', ['-c', `ls ${wrapper}/registry.terraform.io/procurement-scopes/procurement/*/*/terraform-provider-procurement_v*`], { encoding: 'utf8' }).trim();
    const original = readFileSync(exe);
    const lock = () => execFileSync('terraform', ['providers', 'lock', `-fs-mirror=${wrapper}`, '-platform=linux_amd64', 'procurement-scopes/procurement'], { cwd: (ours as any).workDir, env: { ...process.env, ...(ours as any).env }, stdio: 'ignore' });
    require('node:fs').writeFileSync(exe, readFileSync('/work/exp/launch.sh')); lock();
    const c0 = cpu();
    try {
      res.daemon.push((await ours.step('plan daemon', ['plan', '-detailed-exitcode'], [0], { EXP_DAEMON_DIR: dir })).seconds);
    } finally { require('node:fs').writeFileSync(exe, original); lock(); }
    console.log('daemon cpu', (cpu() - c0).toFixed(2));
    res.floor.push((await floor.step('plan floor', ['plan', '-detailed-exitcode'], [0])).seconds);
  }
  console.log(JSON.stringify(res));
  d.kill(); await ours.close(); await floor.close(); rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
main();
