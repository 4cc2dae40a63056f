/**
 * The files `npm run test:unit` runs (jest.unit.config.js): the everyday loop,
 * well under a minute; `npm test` stays the full suite that CI runs.
 *
 * The rule: a unit file runs in-process only. It starts no embedded server,
 * no `terraform`, no `cdktf` CLI, no PostgreSQL, and spawns no process itself
 * (the code under test may run a short command, as secret-command does).
 * In-process cdktf synthesis (`Testing.synth`), a SQLite store in a temporary
 * directory and loopback sockets the test opens itself are fine. Entries are
 * whole folders of test/ (ending in `/`) or single files (without `.test.ts`)
 * from folders that otherwise need those tools. unit-selection.test.ts keeps
 * the list honest.
 */
const UNIT = [
  'bench/configurations', 'client/', 'model/', 'policy/', 'server/oauth/',
  'constructs/guardrails/', 'constructs/authorization-outputs', 'constructs/authorization',
  'constructs/l1/keyed-lifecycle', 'constructs/l1/natural-address', 'constructs/l1/provider',
  'constructs/procurement-client', 'constructs/role-binding', 'constructs/role', 'constructs/scope',
  'downstream/plan', 'provider/diagnostics', 'provider/in-doubt-creates', 'provider/plugin/unary-grpc-server',
  'review/comment-size', 'review/render-text', 'review/plan-guard', 'review/plan-json', 'review/review', 'review/unused-grants',
  'server/defaults', 'server/rate-limit', 'server/request-source', 'server/secrets', 'server/source-address',
  'server/store/sqlite-store', 'stacks/large-stack', 'support/unit-selection', 'terraform/local-state',
];

/** Whether `file`, relative to test/ with `/` separators, is a unit test file. */
function isUnit(file) {
  return UNIT.some(entry => (entry.endsWith('/') ? file.startsWith(entry) : file === `${entry}.test.ts`));
}

module.exports = { UNIT, isUnit };
