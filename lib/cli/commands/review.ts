/** `procurement-scopes review <plan.json>`: a pull-request summary of who gains or loses which scope. */
import { Command, Option } from 'commander';
import { EXIT, ExternalError, UsageError } from '../../model/errors';
import { timestampProblem } from '../../model/timestamp';

export function register(program: Command): void {
  program
    .command('review')
    .description("summarize a plan ('terraform show -json <planfile>' output) for reviewers: effective scopes gained and lost per client, risk flags, drift")
    .argument('<plan.json>', "the JSON plan; '-' reads standard input")
    .addOption(new Option('--format <format>', 'markdown for a pull request, text for a terminal').choices(['markdown', 'text']).default('markdown'))
    .option('--now <iso>', 'the time at which grant expiries are judged (default: the plan timestamp)')
    .option('--policy <file>', "the policy document (JSON) to judge the plan with, e.g. the server's; default: the plan's procurement_policy")
    .option('--fail-on-flags', 'exit with code 4 when the verdict carries a warning (to gate a pipeline)', false)
    .option('--usage-from <url>', "list kept grants nobody used lately, from this server's usage record (admin token: PROCUREMENT_ADMIN_TOKEN)")
    .option('--unused-days <days>', 'with --usage-from: a grant unused for longer than this is listed', '90')
    .action(async (file: string, opts: { format: 'markdown' | 'text'; now?: string; policy?: string; failOnFlags: boolean; usageFrom?: string; unusedDays: string }) => {
      const { readFileSync } = await import('node:fs');
      const { parsePlan } = await import('../../review/plan-json.js');
      const { renderBuiltReview } = await import('../../review/render-review.js');
      const { buildReview } = await import('../../review/review.js');
      const { readPolicyFile } = await import('../../review/review-policy.js');
      const now = opts.now === undefined ? undefined : parseInstant(opts.now);
      const read = (path: string, what: string) => {
        try {
          return readFileSync(path === '-' ? 0 : path, 'utf8');
        } catch (e) {
          throw new UsageError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
      };
      const plan = parsePlan(read(file, 'plan'), file === '-' ? 'standard input' : file);
      const policy = opts.policy === undefined ? undefined : readPolicyFile(read(opts.policy, 'policy'), opts.policy);
      const usage = opts.usageFrom === undefined ? undefined : await usageFrom(opts.usageFrom, opts.unusedDays);
      const review = buildReview(plan, { now, policy, usage });
      process.stdout.write(renderBuiltReview(review, opts.format));
      if (opts.failOnFlags && review.flagged) process.exitCode = EXIT.mismatch;
    });
}

async function usageFrom(url: string, unusedDays: string) {
  const days = Number(unusedDays);
  if (!Number.isInteger(days) || days < 1) throw new UsageError(`--unused-days must be a whole number of days, got '${unusedDays}'`);
  const adminToken = process.env.PROCUREMENT_ADMIN_TOKEN;
  if (!adminToken) throw new UsageError('--usage-from needs the admin token in PROCUREMENT_ADMIN_TOKEN');
  const { AdminApiError, AdminClient } = await import('../../client/admin-client.js');
  const { asExternal } = await import('../../verify/server-connection.js');
  const entries = await new AdminClient({ url, adminToken, actor: 'procurement-scopes review' })
    .usage()
    .catch(e => asExternal(e instanceof AdminApiError ? new ExternalError(`cannot read the usage record at ${url}: ${e.message}`) : e));
  return { entries, unusedAfterDays: days };
}

function parseInstant(value: string): Date {
  const problem = timestampProblem(value);
  if (problem !== null) throw new UsageError(`--now ${problem}, got '${value}'`);
  return new Date(value);
}
