/**
 * The table `npm run bench` prints at the end: every figure of the run, side
 * by side, then the ratios with their targets, met or not.
 */
import { describe } from './options';
import { BenchResults, Ratio } from './results';
import { DesignFigures } from './measure-design';
import { ProfileSummary } from './cpu-profile';
import { SmallObjectsFigures, SmallObjectsSide } from './small-objects';
import { StepFigures } from './terraform-side';

const LABEL = 44;
const CELL = 16;

export function renderReport(results: BenchResults): string {
  const lines: string[] = [];
  const m = results.machine;
  lines.push(`procurement-scopes benchmark, ${results.date}, scale ${results.scale}`);
  lines.push(`machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}, Terraform ${m.terraform}`);
  lines.push(`load average (1 min): ${m.loadAverage.start.toFixed(2)} at start, ${m.loadAverage.end?.toFixed(2) ?? '?'} at end`);

  if (results.synth) {
    lines.push('', `Large stack: ${describe(results.sizes.large)}`);
    lines.push(row('synth (construct tree, guardrails, JSON)', seconds(results.synth.seconds)));
    lines.push(row('Terraform resources / grants', `${results.synth.resources} / ${results.synth.grants}`));
  }
  if (results.large || results.floor) {
    lines.push('', row('', 'ours', 'terraform_data'));
    const steps: [string, (d: DesignFigures) => StepFigures | undefined][] = [
      ['apply from empty', d => d.apply],
      ['no-change plan', d => d.noChangePlan],
      [`plan after moving ${results.large?.movedGrants ?? '1%'} grants (1%)`, d => d.changePlan],
      ['apply of that plan', d => d.changeApply],
    ];
    for (const [label, pick] of steps) lines.push(row(label, stepCell(results.large, pick), stepCell(results.floor, pick)));
    if (results.large) lines.push(...detail(results.large));
  }
  if (results.small?.length) lines.push(...smallObjects(results.small));
  if (results.medium) {
    const { ours, naive } = results.medium;
    lines.push('', `Medium stack: ${describe(results.sizes.medium)}`);
    lines.push(row('', 'ours (1/role)', 'naive (1/grant)'));
    lines.push(row('Terraform resources', String(ours.resources), String(naive.resources)));
    lines.push(row('apply from empty', seconds(ours.apply.seconds), seconds(naive.apply.seconds)));
    lines.push(row('no-change plan', seconds(ours.noChangePlan.seconds), seconds(naive.noChangePlan.seconds)));
    lines.push(row('HTTP requests per no-change plan', requests(ours.noChangePlanRequests), requests(naive.noChangePlanRequests)));
  }
  if (results.large?.noChangePlanRequests || results.medium) {
    lines.push('', 'HTTP requests the server received per no-change plan (our design):');
    if (results.medium) lines.push(row(`  ${results.medium.ours.resources} resources`, requestList(results.medium.ours.noChangePlanRequests)));
    if (results.large) lines.push(row(`  ${results.large.resources} resources`, requestList(results.large.noChangePlanRequests)));
  }
  if (results.token) {
    const { ours, bare, ...t } = results.token;
    lines.push('', `Token endpoint (client credentials, ES256 JWTs, ${t.connections} connections, loopback; median of ${t.rounds} alternating runs of ${t.durationSeconds} s):`);
    lines.push(row('', 'ours', 'bare oidc-provider'));
    lines.push(row('tokens per second', ours.requestsPerSecond.toFixed(0), bare.requestsPerSecond.toFixed(0)));
    lines.push(row('latency p50 / p99', `${ours.latencyP50Ms} / ${ours.latencyP99Ms} ms`, `${bare.latencyP50Ms} / ${bare.latencyP99Ms} ms`));
    lines.push(row('requests / non-2xx / errors', `${ours.requests} / ${ours.non2xx} / ${ours.errors}`, `${bare.requests} / ${bare.non2xx} / ${bare.errors}`));
    lines.push(row('server CPU per request', `${ours.serverCpuMsPerRequest.toFixed(2)} ms`, `${bare.serverCpuMsPerRequest.toFixed(2)} ms`));
    const off = results.token.oursMetricsOff;
    lines.push('', row('', 'ours, metrics on', 'ours, --no-metrics'));
    lines.push(row('tokens per second', ours.requestsPerSecond.toFixed(0), off.requestsPerSecond.toFixed(0)));
    lines.push(row('latency p50 / p99', `${ours.latencyP50Ms} / ${ours.latencyP99Ms} ms`, `${off.latencyP50Ms} / ${off.latencyP99Ms} ms`));
    lines.push(row('server CPU per request', `${ours.serverCpuMsPerRequest.toFixed(2)} ms`, `${off.serverCpuMsPerRequest.toFixed(2)} ms`));
  }
  if (results.stores) {
    const { sides, ...s } = results.stores;
    lines.push('', `Token endpoint by store (${s.connections} connections split over the instances, ${s.cores} cores; median of ${s.rounds} alternating runs of ${s.durationSeconds} s):`);
    lines.push(row('', ...sides.map(side => side.name.replace(', ', ' x').replace(' instances', '').replace(' instance', ''))));
    lines.push(row('tokens per second', ...sides.map(side => side.tokensPerSecond.toFixed(0))));
    lines.push(row('latency p99', ...sides.map(side => `${side.latencyP99Ms} ms`)));
    lines.push(row('non-2xx / errors', ...sides.map(side => `${side.non2xx} / ${side.errors}`)));
    lines.push(row('server CPU per token', ...sides.map(side => `${side.serverCpuMsPerToken.toFixed(2)} ms`)));
    lines.push(row('database CPU per token', ...sides.map(side => `${side.databaseCpuMsPerToken.toFixed(2)} ms`)));
  }
  if (results.ratios.length > 0) {
    lines.push('', 'Ratios:');
    for (const ratio of results.ratios) lines.push(row(ratio.name, `${ratio.ratio.toFixed(2)}x`, verdict(ratio)));
  }
  return lines.join('\n') + '\n';
}

/** Where the time of our large-stack steps went: process counts, CPU by process, provider memory. */
function detail(ours: DesignFigures): string[] {
  const lines = ['', 'Where our time goes (large stack; CPU seconds on a 2-core machine):'];
  lines.push(row('', 'wall', 'tf+providers CPU', 'providers CPU', 'server CPU', 'spawns', 'provider peak'));
  const steps: [string, StepFigures | undefined][] = [
    ['apply from empty', ours.apply],
    ['no-change plan', ours.noChangePlan],
    ['plan of the 1% change', ours.changePlan],
    ['apply of the 1% change', ours.changeApply],
  ];
  for (const [label, s] of steps) {
    if (!s) continue;
    lines.push(
      row(
        label,
        seconds(s.seconds),
        seconds(s.childrenCpuSeconds),
        `≥${seconds(s.providerCpuSeconds)}`,
        seconds(s.serverCpuSeconds ?? 0),
        String(s.providerSpawns),
        `${s.providerPeakMiB.toFixed(0)} MiB`,
      ),
    );
  }
  return lines;
}

/** Each N of the small section: the steps side by side, then where the plan's CPU went on each side. */
function smallObjects(runs: SmallObjectsFigures[]): string[] {
  const lines = ['', 'Many small objects: N scopes, N/5 roles of 3 scopes, N clients, N/5 bindings of 5 subjects'];
  lines.push(row('', 'ours', 'terraform_data'));
  for (const s of runs) {
    const plans = (side: Pick<SmallObjectsSide, 'noChangePlans'>) => side.noChangePlans.map(p => p.seconds.toFixed(2)).join(' ');
    lines.push(row(`${s.resources} resources (N = ${s.n}): apply from empty`, seconds(s.ours.apply.seconds), seconds(s.floor.apply.seconds)));
    lines.push(row(`  no-change plan, plain terraform (median of ${s.ours.noChangePlans.length})`, seconds(s.ours.noChangePlan.seconds), seconds(s.floor.noChangePlan.seconds)));
    lines.push(row('  every plan, in order (s)', plans(s.ours), plans(s.floor)));
    lines.push(row('  no-change plan, procurement-scopes terraform (median)', seconds(s.oursReattached.noChangePlan.seconds)));
    lines.push(row('  every plan of it, in order (s)', plans(s.oursReattached)));
    lines.push(row('  plain plan: tf+providers CPU', seconds(s.ours.noChangePlan.childrenCpuSeconds), seconds(s.floor.noChangePlan.childrenCpuSeconds)));
    lines.push(row('  plain plan: providers CPU / processes', `≥${seconds(s.ours.noChangePlan.providerCpuSeconds)} / ${s.ours.noChangePlan.providerSpawns}`));
    lines.push(row('  reattached plan: tf+provider CPU', seconds(s.oursReattached.noChangePlan.childrenCpuSeconds)));
    lines.push(row('  reattached plan: provider CPU / processes', `≥${seconds(s.oursReattached.noChangePlan.providerCpuSeconds)} / ${s.oursReattached.noChangePlan.providerSpawns}`));
    lines.push(row('  apply: tf+providers CPU', seconds(s.ours.apply.childrenCpuSeconds), seconds(s.floor.apply.childrenCpuSeconds)));
    lines.push(row('  apply (reattached): provider CPU / processes', `≥${seconds(s.ours.apply.providerCpuSeconds)} / ${s.ours.apply.providerSpawns}`));
    if (s.profile) lines.push(...profileLines(s.profile));
  }
  return lines;
}

/** The profiled plan: busy time per provider process, then the parts that took at least 2% of it. */
function profileLines(profile: ProfileSummary): string[] {
  const total = profile.processes.reduce((a, b) => a + b, 0);
  const lines = [`  profiled no-change plan: ${profile.processes.map(ms => `${ms.toFixed(0)} ms`).join(' + ')} busy in the provider processes (profiler overhead included)`];
  for (const { part, ms } of profile.parts.filter(p => p.ms >= total * 0.02)) {
    lines.push(row(`    ${part}`, `${ms.toFixed(0)} ms`, `${((ms / total) * 100).toFixed(0)}%`));
  }
  return lines;
}

function stepCell(design: DesignFigures | undefined, pick: (d: DesignFigures) => StepFigures | undefined): string {
  const step = design ? pick(design) : undefined;
  return step ? seconds(step.seconds) : '-';
}

function verdict(ratio: Ratio): string {
  if (ratio.target === undefined) return '';
  const target = `target ${ratio.atLeast ? '≥' : '≤'}${ratio.target}x`;
  if (ratio.met) return `${target}: met`;
  return `${target}: MISSED by ${(Math.abs(ratio.ratio / ratio.target - 1) * 100).toFixed(0)}%`;
}

function requests(seen: string[] | undefined): string {
  return seen ? String(seen.length) : '-';
}

function requestList(seen: string[] | undefined): string {
  if (!seen) return '-';
  return `${seen.length}: ${seen.join(', ')}`;
}

function seconds(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 1)} s`;
}

function row(label: string, ...cells: string[]): string {
  return [label.padEnd(LABEL), ...cells.map(c => c.padStart(CELL))].join(' ').trimEnd();
}
