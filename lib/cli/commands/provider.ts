/** `procurement-scopes provider`: what Terraform launches (the installed executable runs the bundled copy of the same code). */
import { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('provider')
    .description('run the Terraform provider (Terraform starts it; install it with install-provider)')
    .action(async () => {
      const { runProvider } = await import('../../provider/main.js');
      await runProvider();
    });
}
