/**
 * A throwaway copy of this project for end-to-end tests: the example stacks
 * and cdktf.json are copied (so synth output and Terraform state land in the
 * copy), the code, the build and the dependencies are linked.
 */
import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(__dirname, '../..');

export function temporaryProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'procurement-project-'));
  cpSync(join(PROJECT_ROOT, 'stacks'), join(dir, 'stacks'), { recursive: true });
  cpSync(join(PROJECT_ROOT, 'cdktf.json'), join(dir, 'cdktf.json'));
  for (const linked of ['lib', 'node_modules', 'package.json', 'tsconfig.json', 'dist', 'bin']) {
    symlinkSync(join(PROJECT_ROOT, linked), join(dir, linked));
  }
  return dir;
}
