import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimRoot, ROOT_PREFIX, sweepAbandonedRoots } from './abandoned-roots';

describe('temporary roots of interrupted test runs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'roots-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('removes a root whose owning process is gone, and keeps one whose owner runs or is unknown', () => {
    const ended = spawnSync(process.execPath, ['-e', '']).pid!;
    const abandoned = join(dir, `${ROOT_PREFIX}abandoned`);
    const live = join(dir, `${ROOT_PREFIX}live`);
    const unknown = join(dir, `${ROOT_PREFIX}unknown`);
    const other = join(dir, 'cdktf.outdir.other');
    for (const root of [abandoned, live, unknown, other]) mkdirSync(join(root, 'data'), { recursive: true });
    claimRoot(abandoned, ended);
    claimRoot(live, process.pid);
    claimRoot(other, ended);

    expect(sweepAbandonedRoots(dir)).toEqual([abandoned]);
    expect([abandoned, live, unknown, other].map(existsSync)).toEqual([false, true, true, true]);
  });
});
