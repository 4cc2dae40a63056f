/**
 * Entry point of the provider executable (bundled into one file by
 * scripts/bundle-provider.js; also reachable as `procurement-scopes provider`).
 */
import { DATA_SOURCES } from './data-sources';
import { serve } from './plugin/serve';
import { RESOURCES } from './resources';

export function runProvider(): Promise<void> {
  return serve({ resources: RESOURCES, dataSources: DATA_SOURCES });
}

if (require.main === module) {
  runProvider().catch(failure => {
    process.stderr.write(`terraform-provider-procurement failed to start: ${failure instanceof Error ? failure.stack : String(failure)}\n`);
    process.exit(1);
  });
}
