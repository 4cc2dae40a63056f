/**
 * Terraform's `h1:` hash of an unpacked provider package directory (the one
 * `.terraform.lock.hcl` records): SHA-256 over the lines
 * `<sha256 hex of file>  <relative path>\n` of every file, sorted by path.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export function packageHash(dir: string): string {
  const files = listFiles(dir).map(file => relative(dir, file).split(sep).join('/')).sort();
  const summary = files.map(name => `${createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')}  ${name}\n`).join('');
  return `h1:${createHash('sha256').update(summary).digest('base64')}`;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
