/**
 * `npm run test:unit`: the everyday loop. jest.config.js's `sqlite` project,
 * limited to the in-process files test/support/unit-files.js lists (the rule
 * is written there). `npm test` stays the full suite that CI runs.
 */
const full = require('./jest.config.js');
const { UNIT } = require('./test/support/unit-files.js');

const sqlite = full.projects.find(project => project.displayName === 'sqlite');

module.exports = {
  ...full,
  projects: [
    {
      ...sqlite,
      displayName: 'unit',
      testMatch: UNIT.map(entry => `<rootDir>/test/${entry.endsWith('/') ? `${entry}**/*` : entry}.test.ts`),
    },
  ],
};
