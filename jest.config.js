/**
 * Tests run from TypeScript source (transpiled only: `npm run build` type-checks).
 * globalSetup builds dist/ when it is older than lib/, strips the caller's
 * PROCUREMENT_*, TF_* and CDKTF_* variables and gives the run one temporary
 * root (TMPDIR); globalTeardown checks that no process was left behind and no
 * repository file changed, and removes that root (see README "Tests").
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true }, diagnostics: false }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Not the system temporary directory, which a run must leave as it found it.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  testTimeout: 120000,
  maxWorkers: 2,
};
