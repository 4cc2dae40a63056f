/**
 * Entry point of the provider executable (bundled into one file by
 * scripts/bundle-provider.js; also reachable as `procurement-scopes provider`).
 * Terraform launches it without arguments; `--reattach` serves a whole
 * command through TF_REATTACH_PROVIDERS (plugin/serve.ts).
 */
import { DATA_SOURCES } from './data-sources';
import { REATTACH_FLAG } from './plugin/handshake';
import { serve } from './plugin/serve';
import { RESOURCES } from './resources';

export function runProvider(args: readonly string[] = []): Promise<void> {
  const unknown = args.filter(arg => arg !== REATTACH_FLAG);
  if (unknown.length > 0) {
    process.stderr.write(`terraform-provider-procurement: unknown argument ${unknown.join(' ')} (the only one is ${REATTACH_FLAG})\n`);
    process.exitCode = 2;
    return Promise.resolve();
  }
  return serve({ resources: RESOURCES, dataSources: DATA_SOURCES, reattach: args.includes(REATTACH_FLAG) });
}

if (require.main === module) {
  runProvider(process.argv.slice(2)).catch(failure => {
    process.stderr.write(`terraform-provider-procurement failed to start: ${failure instanceof Error ? failure.stack : String(failure)}\n`);
    process.exit(1);
  });
}
