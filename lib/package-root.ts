/**
 * The root of the procurement-scopes package: this repository, or
 * node_modules/procurement-scopes once installed. Files the package ships
 * beside its code (the bundled provider, the starter's templates) are found from it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function findPackageRoot(from = __dirname): string | undefined {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (isThisPackage(join(dir, 'package.json'))) return dir;
  }
  return undefined;
}

function isThisPackage(packageJson: string): boolean {
  if (!existsSync(packageJson)) return false;
  try {
    return (JSON.parse(readFileSync(packageJson, 'utf8')) as { name?: unknown }).name === 'procurement-scopes';
  } catch {
    return false;
  }
}
