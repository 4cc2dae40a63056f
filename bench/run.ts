/**
 * `npm run bench`: measures our design against the Terraform floor and the
 * naive design in one run, prints a table of figures and ratios, and writes
 * them to bench/results/latest.json (and bench/results/<date>.json for a full
 * run). `npm run bench -- --help` lists the options.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { asTerraformData, countGrants, countResources, oneBindingPerGrant, synthesizeStack, TerraformJson, withGrantsMoved } from './configurations';
import { cleanUpOnSignals, interrupted } from './interruption';
import { DesignFigures, measureDesign } from './measure-design';
import { BenchOptions, BenchUsageError, CHANGED_GRANTS_FRACTION, describe, parseOptions, USAGE } from './options';
import { renderReport } from './report';
import { measureSmallObjects } from './small-objects';
import { BenchResults, computeRatios, describeMachine } from './results';
import { TerraformSide } from './terraform-side';
import { runStoreScaling } from './store-scaling';
import { runTokenLoad } from './token-load';

const RESULTS_DIR = resolve(__dirname, '../../bench/results');

const log = (line: string) => console.log(line);

async function main(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  if (options === 'help') return console.log(USAGE);
  cleanUpOnSignals(log);
  const results: BenchResults = {
    date: new Date().toISOString(),
    command: ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' '),
    sections: options.sections,
    scale: options.scale,
    sizes: { large: options.large, medium: options.medium, small: options.small },
    machine: describeMachine(),
    ratios: [],
  };
  const wants = (section: BenchOptions['sections'][number]) => options.sections.includes(section);

  if (wants('large') || wants('floor')) {
    log(`Synthesizing the large stack (${describe(options.large)})`);
    const { config, synthMs } = synthesizeStack(options.large);
    results.synth = { seconds: synthMs / 1000, resources: countResources(config), grants: countGrants(config) };
    const changed = withGrantsMoved(config, CHANGED_GRANTS_FRACTION);
    log(`  ${results.synth.resources} resources, ${results.synth.grants} grants, ${(synthMs / 1000).toFixed(2)} s`);
    if (wants('large')) {
      log('Our design on the large stack');
      const figures = await onSide('ours-large', true, side => measureDesign(side, config, { countRequests: true, changed: changed.config }));
      results.large = { ...figures, movedGrants: changed.moved };
    }
    if (wants('floor')) {
      log('The floor: the same resources as builtin terraform_data');
      results.floor = await onSide('floor', false, side => measureDesign(side, asTerraformData(config), { changed: asTerraformData(changed.config) }));
    }
  }
  if (wants('small')) {
    results.small = [];
    for (const n of options.small) {
      results.small.push(await measureSmallObjects(n, { plans: options.plans, log, cpuProfileDir: options.cpuProfileDir && join(options.cpuProfileDir, String(n)) }));
    }
  }
  if (wants('naive')) {
    log(`Synthesizing the medium stack (${describe(options.medium)})`);
    const { config } = synthesizeStack(options.medium);
    const naive = oneBindingPerGrant(config);
    log('Our design (one binding per role) on the medium stack');
    const ours = await measureWithRequests('ours-medium', config);
    log('The naive design (one binding per grant) on the medium stack');
    results.medium = { ours, naive: await measureWithRequests('naive-medium', naive), grants: countGrants(config) };
  }
  if (wants('stores')) {
    log('Token endpoint load by store (SQLite; PostgreSQL with one and two instances)');
    results.stores = await runStoreScaling({ durationSeconds: options.tokenSeconds, connections: options.connections, rounds: 2, cores: cpus().length, log });
  }
  if (wants('token')) {
    log('Token endpoint load: ours, bare oidc-provider, ours with --no-metrics');
    results.token = await runTokenLoad({ durationSeconds: options.tokenSeconds, rounds: options.tokenRounds, connections: options.connections, cpuProfileDir: options.cpuProfileDir && join(options.cpuProfileDir, 'token'), log });
  }

  results.machine.loadAverage.end = loadavg()[0];
  results.ratios = computeRatios(results);
  console.log(`\n${renderReport(results)}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const files = [join(RESULTS_DIR, 'latest.json'), ...(options.dated ? [join(RESULTS_DIR, `${results.date.slice(0, 10)}.json`)] : [])];
  for (const file of files) writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  log(`results written to ${files.join(' and ')}`);
}

function measureWithRequests(name: string, config: TerraformJson): Promise<DesignFigures> {
  return onSide(name, true, side => measureDesign(side, config, { countRequests: true }));
}

/** Opens a side (with its own fresh server when asked), runs `body` and always cleans up. */
async function onSide<T>(name: string, withServer: boolean, body: (side: TerraformSide) => Promise<T>): Promise<T> {
  const side = await TerraformSide.open(name, { withServer, log });
  try {
    return await body(side);
  } finally {
    await side.close();
  }
}

main(process.argv.slice(2)).catch(error => {
  // A step cut short by SIGINT or SIGTERM fails: the signal's handler says so, and sets the exit code.
  if (interrupted()) return;
  console.error(error instanceof BenchUsageError ? `${error.message}\n\n${USAGE}` : error);
  process.exitCode = error instanceof BenchUsageError ? 2 : 1;
});
