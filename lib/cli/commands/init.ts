/** `procurement-scopes init [dir]`: a stacks repository of one's own (cdktf.json, stacks for dev and prod, the workflows). */
import { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('init')
    .description('write a new stacks repository into an empty directory: cdktf.json, stacks/ for dev and prod, the plan and apply workflows, .gitignore')
    .argument('[dir]', 'the directory to write (created when missing; must be empty)', '.')
    .action(async (dir: string) => {
      const { writeStarter } = await import('../../starter/write-starter.js');
      const result = writeStarter(dir);
      const lines = [
        ...result.written.map(file => `wrote ${file}`),
        '',
        `next: cd ${dir === '.' ? result.dir : dir} && npm install && npm start`,
        '(npm start runs the embedded server, installs the provider, synthesizes, plans, applies and verifies the dev stack)',
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
