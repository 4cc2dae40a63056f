/**
 * Entry point of the `procurement-scopes` executable. Each command lives in
 * its own file under `commands/` and loads its heavy code only when it runs,
 * so `--help` stays instant.
 */
import { Command } from 'commander';
import { COMMANDS } from './commands';
import { VERSION } from '../version';
import { EXIT, exitCodeOf, UsageError } from '../model/errors';

export function buildProgram(): Command {
  const program = new Command('procurement-scopes')
    .description('OAuth scopes, clients, roles and role bindings for procurement systems, as code.')
    .version(VERSION)
    // Root options only before the command: `terraform --version` is Terraform's.
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();
  for (const command of COMMANDS) command.register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    const commanderCode = (error as { code?: string }).code;
    if (commanderCode?.startsWith('commander.')) {
      // commander has already printed help, a version or what was wrong with the arguments.
      const helpOrVersion = commanderCode === 'commander.helpDisplayed' || commanderCode === 'commander.version' || commanderCode === 'commander.help';
      process.exitCode = helpOrVersion ? EXIT.ok : EXIT.usage;
      return;
    }
    const prefix = error instanceof UsageError ? 'error' : exitCodeOf(error) === EXIT.internal ? 'internal error' : 'error';
    process.stderr.write(`${prefix}: ${error instanceof Error ? error.message : String(error)}\n`);
    if (exitCodeOf(error) === EXIT.internal && process.env.PROCUREMENT_DEBUG && error instanceof Error) {
      process.stderr.write(`${error.stack}\n`);
    }
    process.exitCode = exitCodeOf(error);
  }
}
