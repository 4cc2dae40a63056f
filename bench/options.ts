/**
 * Command-line options of `npm run bench`: which sections to run and at what
 * size, so that a quick run (`--only token`, `--scale 0.2`) is possible.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LargeStackSize } from './large-stack';
import { DEFAULT_SIZE } from './synth';

export const SECTIONS = ['large', 'floor', 'small', 'naive', 'token', 'stores'] as const;
export type Section = (typeof SECTIONS)[number];

/** The estate the targets are about. */
export const LARGE: LargeStackSize = DEFAULT_SIZE;
/** The naive design is compared on this one: one resource per grant makes the large stack take too long to apply. */
export const MEDIUM: LargeStackSize = { clients: 200, scopes: 40, roles: 10, grants: 1_000 };
/** N of the many-small-objects shape (2.4N resources: 720 and 1,320). */
export const SMALL_SIZES = [300, 550];
/** "A plan and apply after changing 1% of the grants." */
export const CHANGED_GRANTS_FRACTION = 0.01;

export interface BenchOptions {
  sections: Section[];
  scale: number;
  large: LargeStackSize;
  medium: LargeStackSize;
  /** N of each many-small-objects run (after --scale). */
  small: number[];
  /** No-change plans per side in the small section (the median counts). */
  plans: number;
  /** Profile the provider processes of one more no-change plan of ours per small size, and the token section's servers, into this directory. */
  cpuProfileDir?: string;
  tokenSeconds: number;
  /** Runs of the token load per side (ours and bare oidc-provider, alternating). */
  tokenRounds: number;
  connections: number;
  /** Write bench/results/<date>.json too (full runs only: docs/performance.md quotes it). */
  dated: boolean;
}

export const USAGE = `usage: npm run bench -- [--only ${SECTIONS.join(',')}] [--scale 0.2] [--small 300,550] [--plans 3] [--cpu-prof DIR]
                     [--token-seconds 10] [--token-rounds 3] [--connections 10]

  --only           comma-separated sections (default: all)
                     large  our design on the large stack: synth, apply from empty, no-change plan, 1% change
                     floor  as many builtin terraform_data resources, same values and references
                     small  many small objects: N scopes, N/5 roles of 3 scopes, N clients, N/5 bindings of
                            5 subjects (2.4N resources), ours and its terraform_data floor side by side
                     naive  one binding per (client, role) grant vs ours, on the medium stack
                     token  client-credentials load on the token endpoint vs bare oidc-provider (autocannon), and
                            on ours started with --no-metrics, to show what counting for GET /metrics costs
                     stores the token load on SQLite, on PostgreSQL, and on two instances sharing PostgreSQL
  --scale          multiplies the stack sizes (large: ${describe(LARGE)}; medium: ${describe(MEDIUM)};
                   small: N = ${SMALL_SIZES.join(', ')})
  --small          comma-separated N of the small section (default ${SMALL_SIZES.join(',')})
  --plans          no-change plans per side in the small section, alternated, median kept (default 3)
  --cpu-prof       after the small section's timed plans, one more no-change plan of ours with the provider
                   processes under node --cpu-prof, profiles written under DIR/<N>/; after the token section's
                   timed runs, one more run of ours and of bare oidc-provider, fresh servers under node --cpu-prof,
                   profiles under DIR/token/ours and DIR/token/bare (the grant writer's threads get files of their own)
  --token-seconds  duration of each token load run (default 10)
  --token-rounds   token load runs per side, ours, bare oidc-provider and ours without metrics alternating (default 3)
  --connections    concurrent connections of the token load (default 10)`;

export class BenchUsageError extends Error {}

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseFlags(argv);
  if (values.help) return 'help';
  const sections = values.only ? values.only.split(',').map(s => s.trim()) : [...SECTIONS];
  const unknown = sections.filter(s => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0) throw new BenchUsageError(`unknown section(s) for --only: ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}`);
  const scale = positive('--scale', values.scale!);
  return {
    sections: sections as Section[],
    scale,
    large: scaled(LARGE, scale),
    medium: scaled(MEDIUM, scale),
    small: (values.small ? values.small.split(',').map(n => positive('--small', n.trim())) : SMALL_SIZES).map(n => Math.max(5, Math.round(n * scale))),
    plans: Math.round(positive('--plans', values.plans!)),
    ...(values['cpu-prof'] ? { cpuProfileDir: resolve(values['cpu-prof']) } : {}),
    tokenSeconds: positive('--token-seconds', values['token-seconds']!),
    tokenRounds: Math.round(positive('--token-rounds', values['token-rounds']!)),
    connections: Math.round(positive('--connections', values.connections!)),
    dated: scale === 1 && sections.length === SECTIONS.length,
  };
}

function parseFlags(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        only: { type: 'string' },
        scale: { type: 'string', default: '1' },
        small: { type: 'string' },
        plans: { type: 'string', default: '3' },
        'cpu-prof': { type: 'string' },
        'token-seconds': { type: 'string', default: '10' },
        'token-rounds': { type: 'string', default: '3' },
        connections: { type: 'string', default: '10' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (error) {
    // node:util reports unknown or malformed flags as TypeErrors: they are the user's to fix.
    throw new BenchUsageError((error as Error).message);
  }
}

/** Scales a size, keeping more roles than each client holds (its grants distinct, and room to move one). */
export function scaled(size: LargeStackSize, scale: number): LargeStackSize {
  const clients = Math.max(1, Math.round(size.clients * scale));
  const grants = Math.max(clients, Math.round(size.grants * scale));
  return {
    clients,
    scopes: Math.max(1, Math.round(size.scopes * scale)),
    roles: Math.max(Math.ceil(grants / clients) + 1, Math.round(size.roles * scale)),
    grants,
  };
}

export function describe(size: LargeStackSize): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return `${n(size.clients)} clients, ${n(size.scopes)} scopes, ${n(size.roles)} roles, ${n(size.grants)} grants`;
}

function positive(flag: string, text: string): number {
  const value = Number(text);
  if (!(value > 0 && Number.isFinite(value))) throw new BenchUsageError(`${flag} must be a positive number, got '${text}'`);
  return value;
}
