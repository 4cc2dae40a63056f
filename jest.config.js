/**
 * Tests run from TypeScript source (transpiled only: `npm run build` type-checks).
 * globalSetup builds dist/ when it is older than lib/, strips the caller's
 * PROCUREMENT_*, TF_* and CDKTF_* variables and gives the run one temporary
 * root (TMPDIR); globalTeardown checks that no process was left behind and no
 * repository file changed, and removes that root (see docs/testing.md).
 *
 * One jest project per store the server can keep its data in (STORES): every
 * test runs on SQLite, the default; the server's acceptance and reliability
 * suites (ON_EVERY_STORE) run again, unchanged, on a real PostgreSQL
 * (test/support/test-store.ts). `npx jest <file> --selectProjects postgres`
 * runs one store only.
 */
const ON_EVERY_STORE = ['admin-api', 'admin-tokens', 'admission', 'durability', 'grant-expiry', 'introspection', 'metrics', 'ownership', 'refusal-reasons', 'signing-key-rotation', 'token-endpoint', 'token-gate', 'token-hardening'].map(
  name => `<rootDir>/test/server/${name}.test.ts`,
);

const STORES = [
  { name: 'sqlite', testMatch: ['**/*.test.ts'] },
  { name: 'postgres', testMatch: ON_EVERY_STORE },
];

module.exports = {
  projects: STORES.map(store => ({
    displayName: store.name,
    testEnvironment: 'node',
    roots: ['<rootDir>/test'],
    testMatch: store.testMatch,
    setupFilesAfterEnv: [`<rootDir>/test/support/store-${store.name}.setup.ts`],
    transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true }, diagnostics: false }] },
    // Not the system temporary directory, which a run must leave as it found it.
    cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  })),
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 120000,
  maxWorkers: 2,
};
