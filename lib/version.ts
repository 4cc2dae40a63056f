/**
 * The version of procurement-scopes, and so of the provider it installs
 * (Terraform records it in lock files). Kept equal to package.json's by a test;
 * a constant rather than a read of package.json, which the bundled provider
 * does not carry.
 */
export const VERSION = '0.1.0';
