/**
 * The version of procurement-scopes, and so of the provider it installs
 * (Terraform records it in lock files). Kept equal to package.json's by a test;
 * a constant rather than a read of package.json, which the bundled provider
 * does not carry.
 */
export const VERSION = '0.1.0';

/**
 * The provider version constraint the constructs write to `required_providers`
 * (follows the package version: 0.1.x). install-provider records the same
 * text as the lock file's `constraints`: cdktf compares the two to decide
 * whether it must run `terraform providers lock`, which needs the registry.
 */
export const PROVIDER_VERSION_CONSTRAINT = `~> ${VERSION.split('.').slice(0, 2).join('.')}`;
