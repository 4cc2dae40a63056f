/** `procurement-scopes review <plan.json>`: a pull-request summary of who gains or loses which scope. */
import { Command, Option } from 'commander';
import { EXIT, UsageError } from '../errors';

export function register(program: Command): void {
  program
    .command('review')
    .description("summarize a plan ('terraform show -json <planfile>' output) for reviewers: effective scopes gained and lost per client, risk flags, drift")
    .argument('<plan.json>', "the JSON plan; '-' reads standard input")
    .addOption(new Option('--format <format>', 'markdown for a pull request, text for a terminal').choices(['markdown', 'text']).default('markdown'))
    .option('--now <iso>', 'the time at which grant expiries are judged (default: the plan timestamp)')
    .option('--fail-on-flags', 'exit with code 4 when the verdict carries a warning (to gate a pipeline)', false)
    .action(async (file: string, opts: { format: 'markdown' | 'text'; now?: string; failOnFlags: boolean }) => {
      const { readFileSync } = await import('node:fs');
      const { parsePlan } = await import('../../review/plan-json.js');
      const { renderBuiltReview } = await import('../../review/render-review.js');
      const { buildReview } = await import('../../review/review.js');
      const now = opts.now === undefined ? undefined : parseInstant(opts.now);
      let text: string;
      try {
        text = readFileSync(file === '-' ? 0 : file, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read plan ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const plan = parsePlan(text, file === '-' ? 'standard input' : file);
      const review = buildReview(plan, { now });
      process.stdout.write(renderBuiltReview(review, opts.format));
      if (opts.failOnFlags && review.flagged) process.exitCode = EXIT.mismatch;
    });
}

function parseInstant(value: string): Date {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`--now must be an ISO 8601 date-time such as 2025-06-01T00:00:00Z, got '${value}'`);
  return new Date(ms);
}
