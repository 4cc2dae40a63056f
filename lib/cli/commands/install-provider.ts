/** `procurement-scopes install-provider`: the Terraform provider into a filesystem mirror, no registry needed. */
import { Command } from 'commander';
import { UsageError } from '../../model/errors';

export function register(program: Command): void {
  program
    .command('install-provider')
    .description('install the Terraform provider into a local filesystem mirror and write a Terraform CLI configuration that uses it')
    .requiredOption('--config-file <path>', 'the Terraform CLI configuration to write; then set TF_CLI_CONFIG_FILE=<path>')
    .option('--mirror-dir <dir>', 'where the filesystem mirror goes (default: terraform-providers next to the configuration file)')
    .option(
      '--lock-file <path>',
      "also write the package hash and version constraints into this .terraform.lock.hcl (cdktf.out/stacks/<stack>/: cdktf then never asks the registry)",
    )
    .option('--stacks-dir <dir>', 'also update our entry in every .terraform.lock.hcl under <dir>/*/ (cdktf.out/stacks: committed lock files follow an upgrade)')
    .action(async (opts: { configFile: string; mirrorDir?: string; lockFile?: string; stacksDir?: string }) => {
      const { installProvider, defaultBundlePath, InstallError } = await import('../../provider/install/install-provider.js');
      try {
        const result = installProvider({ ...opts, bundlePath: defaultBundlePath() });
        const lines = [
          ...result.written.map(file => `wrote     ${file}`),
          ...result.unchanged.map(file => `unchanged ${file}`),
          `provider package hash: ${result.hash}`,
          `use it with: export TF_CLI_CONFIG_FILE=${result.configFile}`,
          'then `terraform init` installs procurement-scopes/procurement from the mirror. When the package hash changed, existing lock files',
          `need \`terraform providers lock -fs-mirror=${result.mirrorDir} -platform=<os_arch> procurement-scopes/procurement\` (or --lock-file here).`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      } catch (e) {
        if (e instanceof InstallError) throw new UsageError(e.message);
        throw e;
      }
    });
}
