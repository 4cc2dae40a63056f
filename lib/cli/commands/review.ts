/** `procurement-scopes review <plan.json>`: a pull-request summary of who gains or loses which scope. */
import { Command, Option } from 'commander';
import { EXIT, ExternalError, UsageError } from '../../model/errors';
import { timestampProblem } from '../../model/timestamp';

interface ReviewCommandOptions {
  format: 'markdown' | 'text';
  now?: string;
  policy?: string;
  policyFrom?: string;
  failOnFlags: boolean;
  usageFrom?: string;
  unusedDays: string;
  full: boolean;
  fullReview?: string;
  stack?: string;
}

export function register(program: Command): void {
  program
    .command('review')
    .description("summarize a plan ('terraform show -json <planfile>' output) for reviewers: effective scopes gained and lost per client, risk flags, drift")
    .argument('<plan.json>', "the JSON plan; '-' reads standard input")
    .addOption(new Option('--format <format>', 'markdown for a pull request, text for a terminal').choices(['markdown', 'text']).default('markdown'))
    .option('--now <iso>', 'the time at which grant expiries are judged (default: the plan timestamp)')
    .option('--policy <file>', "the policy document (JSON) to judge the plan with, e.g. the server's; default: the plan's procurement_policy")
    .option('--policy-from <url>', "judge with the policy this server enforces (and the plan's procurement_policy where the plan changes it); admin token: PROCUREMENT_ADMIN_TOKEN, read is enough")
    .option('--fail-on-flags', 'exit with code 4 when the verdict carries a warning (to gate a pipeline)', false)
    .option('--usage-from <url>', "list kept grants nobody used lately, from this server's usage record (admin token: PROCUREMENT_ADMIN_TOKEN)")
    .option('--unused-days <days>', 'with --usage-from: a grant unused for longer than this is listed', '90')
    .option('--full', 'markdown: render everything; by default the review stays under 60,000 bytes to fit a pull-request comment', false)
    .option('--full-review <where>', 'markdown: where readers find the full review, named when rows are left out (e.g. the CI run\'s URL)')
    .option('--stack <name>', 'markdown: the stack reviewed, named in the title and the comment marker (one comment per stack)')
    .action(async (file: string, opts: ReviewCommandOptions) => {
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
      if (policy && opts.policyFrom) throw new UsageError('give --policy or --policy-from, not both');
      const serverPolicy = opts.policyFrom === undefined ? undefined : await policyFrom(opts.policyFrom);
      const usage = opts.usageFrom === undefined ? undefined : await usageFrom(opts.usageFrom, opts.unusedDays);
      const review = buildReview(plan, { now, policy, serverPolicy, usage });
      process.stdout.write(renderBuiltReview(review, opts.format, { maxBytes: opts.full ? null : undefined, fullReview: opts.fullReview, stack: opts.stack }));
      if (opts.failOnFlags && review.flagged) process.exitCode = EXIT.mismatch;
    });
}

async function usageFrom(url: string, unusedDays: string) {
  const days = Number(unusedDays);
  if (!Number.isInteger(days) || days < 1) throw new UsageError(`--unused-days must be a whole number of days, got '${unusedDays}'`);
  const entries = await fromServer(url, '--usage-from', 'the usage record', admin => admin.usage());
  return { entries, unusedAfterDays: days };
}

async function policyFrom(url: string) {
  const { readPolicyFile } = await import('../../review/review-policy.js');
  const { value } = await fromServer(url, '--policy-from', 'the policy', admin => admin.policy());
  return readPolicyFile(JSON.stringify(value), `the policy of ${url}`);
}

/** One read from the server's admin API, with the admin token of PROCUREMENT_ADMIN_TOKEN; failures are external errors. */
async function fromServer<T>(url: string, option: string, what: string, read: (admin: import('../../client/admin-client').AdminClient) => Promise<T>): Promise<T> {
  const adminToken = process.env.PROCUREMENT_ADMIN_TOKEN;
  if (!adminToken) throw new UsageError(`${option} needs the admin token in PROCUREMENT_ADMIN_TOKEN`);
  const { AdminApiError, AdminClient } = await import('../../client/admin-client.js');
  const { asExternal } = await import('../../verify/server-connection.js');
  return read(new AdminClient({ url, adminToken, actor: 'procurement-scopes review' })).catch(e =>
    asExternal(e instanceof AdminApiError ? new ExternalError(`cannot read ${what} at ${url}: ${e.message}`) : e),
  );
}

function parseInstant(value: string): Date {
  const problem = timestampProblem(value);
  if (problem !== null) throw new UsageError(`--now ${problem}, got '${value}'`);
  return new Date(value);
}
