#!/usr/bin/env node
// The one executable. The code is compiled to dist/ by `npm run build`.
require('../dist/lib/cli/main.js').main(process.argv);
