/**
 * The table `npm run bench` prints at the end: every figure of the run, side
 * by side, then the ratios with their targets, met or not.
 */
import { describe } from './options';
import { BenchResults, Ratio } from './results';
import { DesignFigures } from './measure-design';
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
