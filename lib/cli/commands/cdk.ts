/**
 * `procurement-scopes cdk <args...>`: the project's own CDK CLI (cdktf, or cdktn for a CDK Terrain project) with the
 * provider taken from the local mirror, which this installs first (and records in the stacks' lock files), so that
 * `cdk diff` plans with no registry and no set-up. A failure that comes from Terraform asking a registry for our
 * provider says what to do. The exit code is the CLI's.
 */
import { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('cdk')
    .description("run the project's cdktf or cdktn CLI (e.g. cdk diff dev) with the provider installed from the local mirror and no update checks")
    .argument('[args...]', 'the CLI\'s arguments, e.g. diff dev')
    .option('--work-dir <dir>', 'where the provider mirror and its Terraform CLI configuration go', '.procurement')
    .passThroughOptions()
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (args: string[], opts: { workDir: string }) => {
      const { join, resolve } = await import('node:path');
      const { installProvider, defaultBundlePath } = await import('../../provider/install/install-provider.js');
      const { CDK_ENV, cdkCliCommand, runCollecting } = await import('../../terraform/cdk-cli.js');
      const { registryHint } = await import('../../terraform/registry-hint.js');
      const projectDir = process.cwd();
      const command = cdkCliCommand(projectDir, args);
      const { configFile } = installProvider({
        configFile: join(resolve(opts.workDir), 'terraform.rc'),
        bundlePath: defaultBundlePath(),
        stacksDir: join(projectDir, 'cdktf.out', 'stacks'),
      });
      const { exitCode, output } = await runCollecting(projectDir, command, { ...process.env, ...CDK_ENV, TF_CLI_CONFIG_FILE: configFile }, (text, stream) =>
        process[stream].write(text),
      );
      const hint = exitCode === 0 ? null : registryHint(output);
      if (hint) process.stderr.write(`\n${hint}\n`);
      process.exitCode = exitCode;
    });
}
