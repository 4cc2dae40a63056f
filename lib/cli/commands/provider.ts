/** `procurement-scopes provider`: what Terraform launches (the installed executable runs the bundled copy of the same code). */
import { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('provider')
    .description('run the Terraform provider (Terraform starts it; install it with install-provider)')
    .option('--reattach', 'serve a whole command: print the TF_REATTACH_PROVIDERS value, then serve until SIGTERM (what `procurement-scopes terraform` does)')
    .action(async (opts: { reattach?: boolean }) => {
      const { runProvider } = await import('../../provider/main.js');
      await runProvider(opts.reattach ? ['--reattach'] : []);
    });
}
