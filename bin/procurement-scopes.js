#!/usr/bin/env node
// The one executable. The code is compiled to dist/ by `npm run build` (an installed package ships it built).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'lib', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write(`error: procurement-scopes is not built (${entry} is missing): run \`npm run build\` in ${join(__dirname, '..')}\n`);
  process.exitCode = 2;
} else {
  require(entry).main(process.argv);
}
