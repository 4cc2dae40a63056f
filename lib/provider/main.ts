/**
 * Entry point of the provider executable (bundled into one file by
 * scripts/bundle-provider.js; also reachable as `procurement-scopes provider`).
 * The launch script (install-provider.ts) adds `--warm-dir <dir> <seconds>`
 * when a warm provider process may serve later launches, and the warm
 * process itself runs with `--warm-daemon <dir> <seconds>` (lib/provider/warm).
 */
import { DATA_SOURCES } from './data-sources';
import { serve } from './plugin/serve';
import { RESOURCES } from './resources';
import { runWarmProvider, startWarmProvider } from './warm/warm-provider';
import { warmSeconds } from './warm/warm-protocol';

export function runProvider(args: readonly string[] = []): Promise<void> {
  const [mode, dir, secondsText] = args;
  const seconds = warmSeconds(secondsText);
  if (typeof seconds === 'string') process.stderr.write(`[procurement] ${seconds}: no warm provider process\n`);
  const warm = (mode === '--warm-dir' || mode === '--warm-daemon') && dir && typeof seconds === 'number' && seconds > 0 ? { dir, seconds } : null;
  if (warm && mode === '--warm-daemon') {
    runWarmProvider({ dir: warm.dir, idleSeconds: warm.seconds, resources: RESOURCES, dataSources: DATA_SOURCES, bundlePath: process.argv[1] });
    return Promise.resolve();
  }
  return serve({
    resources: RESOURCES,
    dataSources: DATA_SOURCES,
    afterHandshake: warm ? () => startWarmProvider(warm.dir, warm.seconds, process.argv[1], process.env) : undefined,
  });
}

if (require.main === module) {
  runProvider(process.argv.slice(2)).catch(failure => {
    process.stderr.write(`terraform-provider-procurement failed to start: ${failure instanceof Error ? failure.stack : String(failure)}\n`);
    process.exit(1);
  });
}
