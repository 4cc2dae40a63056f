/** `procurement-scopes init [dir]`: a stacks repository of one's own (cdktf.json, stacks for dev and prod, the workflows). */
import { Command, Option } from 'commander';

export function register(program: Command): void {
  program
    .command('init')
    .description('write a new stacks repository into an empty directory: cdktf.json, stacks/ for dev and prod, the plan and apply workflows, .gitignore')
    .argument('[dir]', 'the directory to write (created when missing; must be empty)', '.')
    .addOption(
      new Option('--cdk <cdk>', 'the CDK: cdktn (CDK Terrain, maintained; its CLI needs Node.js 22.19+) or cdktf (0.21, deprecated upstream)')
        .choices(['cdktf', 'cdktn'])
        .default('cdktf'),
    )
    .action(async (dir: string, opts: { cdk: 'cdktf' | 'cdktn' }) => {
      const { writeStarter } = await import('../../starter/write-starter.js');
      const result = writeStarter(dir, { cdk: opts.cdk });
      const lines = [
        ...result.written.map(file => `wrote ${file}`),
        '',
        `next: cd ${dir === '.' ? result.dir : dir} && npm install && npm start`,
        '(npm start runs the embedded server, installs the provider, synthesizes, plans, applies and verifies the dev stack)',
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
