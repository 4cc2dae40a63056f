/** `procurement-scopes main`: the whole main job on the embedded default (what `npm start` runs). */
import { Command, InvalidArgumentError } from 'commander';

export function register(program: Command): void {
  program
    .command('main')
    .description('start the embedded server (unless PROCUREMENT_URL is set), install the provider, synth, plan, apply, plan again, and request a token for every client')
    .option('--stack <name>', 'the example stack to apply', 'dev')
    .option('--work-dir <dir>', 'server data, provider mirror and client secrets', '.procurement')
    .option('--port <port>', "the embedded server's TCP port (default: a free one, told to Terraform's provider)", port)
    .option('--downstream <kind>', "run against the team's own authorization server: rfc7592 starts a local, unmodified node-oidc-provider, with the server as its control plane")
    .action(async (opts: { stack: string; workDir: string; port?: number; downstream?: string }) => {
      const { runMainJob } = await import('../../main-job/main-job.js');
      const { EXIT, UsageError } = await import('../../model/errors.js');
      if (opts.downstream !== undefined && opts.downstream !== 'rfc7592') {
        throw new UsageError(`--downstream takes rfc7592 (a local node-oidc-provider), got '${opts.downstream}'`);
      }
      const result = await runMainJob({ projectDir: process.cwd(), stack: opts.stack, workDir: opts.workDir, port: opts.port, downstream: opts.downstream });
      if (result.mismatches > 0) {
        process.stdout.write(`\n${result.mismatches} client(s) did not get exactly the scopes the code declares.\n`);
        process.exitCode = EXIT.mismatch;
      } else {
        process.stdout.write('\nDone: the server matches the code, and every client gets exactly its declared scopes.\n');
      }
    });
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`must be a TCP port (0 to 65535), got '${value}'`);
  return n;
}
