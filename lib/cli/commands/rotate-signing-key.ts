/**
 * `procurement-scopes rotate-signing-key`: publishes the next token signing key
 * (needs an admin token). It signs after the publish delay; the key it replaces
 * stays in the JWKS until the last token it signed has expired.
 */
import { Command, InvalidArgumentError } from 'commander';
import { AdminConnectionOptions, connectAdmin, withAdminConnection } from './admin-connection';

interface RotateSigningKeyOptions extends AdminConnectionOptions {
  publishDelay?: number;
  json: boolean;
}

export function register(program: Command): void {
  withAdminConnection(program.command('rotate-signing-key'), 'an admin token')
    .description('publish the next token signing key; it signs after the publish delay, and the old key stays published until its last token expires')
    .option('--publish-delay <seconds>', 'seconds the new key is published before it signs: longer than relying parties cache the JWKS (default: 3600)', wholeSeconds)
    .option('--json', 'print the key set as JSON', false)
    .action(async (opts: RotateSigningKeyOptions) => {
      const { asCliError } = await import('../../verify/server-connection.js');
      const { url, admin } = await connectAdmin(opts, { actor: 'procurement-scopes rotate-signing-key', maxAttempts: 2 });
      const rotation = await admin.rotateSigningKey(opts.publishDelay).catch(e => asCliError(e, url, 'rotate the signing key'));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rotation, null, 2)}\n`);
        return;
      }
      const lines = [`published the signing key '${rotation.next.kid}'; it signs tokens from ${rotation.next.activatesAt}`];
      for (const key of rotation.keys.filter(k => k.kid !== rotation.next.kid)) {
        lines.push(key.state === 'active' && key.removeAt
          ? `'${key.kid}' signs until then and stays in the JWKS until ${key.removeAt} (its last token has expired by then)`
          : `'${key.kid}' (${key.state}) stays in the JWKS until ${key.removeAt ?? 'the next rotation'}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

function wholeSeconds(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number of seconds, got '${value}'`);
  return Number(value);
}
