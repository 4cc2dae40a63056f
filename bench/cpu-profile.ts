/**
 * Where the provider's CPU goes: the `.cpuprofile` files `node --cpu-prof`
 * wrote for the provider processes of one Terraform command, summed by
 * process and by part. The profiled provider is the readable bundle
 * (`scripts/bundle-provider.js --readable`), in which esbuild puts each
 * module's code under a `// <path>` comment: a sample's line number names
 * its module, and the module its part (a package, one of our directories,
 * Node's own internals, the garbage collector).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Busy milliseconds of each provider process, in the order they started. */
  processes: number[];
  /** Busy milliseconds by part, largest first. */
  parts: { part: string; ms: number }[];
}

export function summarizeProfiles(dir: string, bundlePath: string): ProfileSummary {
  const moduleAt = moduleByLine(readFileSync(bundlePath, 'utf8'));
  const parts = new Map<string, number>();
  const processes: number[] = [];
  for (const file of readdirSync(dir).filter(f => f.endsWith('.cpuprofile')).sort()) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map(n => [n.id, n]));
    let busy = 0;
    profile.samples.forEach((id, i) => {
      const frame = nodes.get(id)!.callFrame;
      if (frame.functionName === '(idle)') return;
      const us = profile.timeDeltas[i] ?? 0;
      busy += us;
      const part = partOf(frame, moduleAt);
      parts.set(part, (parts.get(part) ?? 0) + us);
    });
    processes.push(busy / 1000);
  }
  return {
    processes,
    parts: [...parts].map(([part, us]) => ({ part, ms: us / 1000 })).sort((a, b) => b.ms - a.ms),
  };
}

/** The module of each line of a readable bundle: the last `// path` comment above it. */
function moduleByLine(bundle: string): string[] {
  let current = '(bundle prelude)';
  return bundle.split('\n').map(line => {
    const path = /^\/\/ (\S+\.(?:c?js|ts|json))$/.exec(line)?.[1];
    if (path) current = path;
    return current;
  });
}

function partOf(frame: ProfileNode['callFrame'], moduleAt: string[]): string {
  if (frame.url.endsWith('.js') && frame.url.includes('procurement-provider')) {
    const module = moduleAt[frame.lineNumber] ?? '(bundle)';
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(module)?.[1];
    return pkg ?? (module.includes('/') ? module.split('/').slice(0, -1).join('/') : module);
  }
  if (frame.url.startsWith('node:')) return `node: ${/^node:(?:internal\/)?([^/]+)/.exec(frame.url)?.[1] ?? frame.url}`;
  // Samples without a script: the collector, V8 itself, native functions (reading the bundle, compiling it).
  if (!frame.functionName) return '(native, unnamed)';
  return frame.functionName.startsWith('(') ? frame.functionName : `native: ${frame.functionName}`;
}
