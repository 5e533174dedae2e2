#!/usr/bin/env node
'use strict';
// The AWS SDK warns on Node.js 20 that its releases from 2027 will need Node.js 22. That is advice
// for whoever upgrades the SDK, not about this run; it would bury the CLI's own output, so it is dropped here.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  if (String(warning).startsWith('NodeVersionSupportWarning')) return;
  return emitWarning.call(process, warning, ...rest);
};
// The task Lambdas log JSON lines for CloudWatch; run in-process they would drown the CLI's own
// progress. POWERTOOLS_LOG_LEVEL=INFO brings them back.
if (!process.env.POWERTOOLS_LOG_LEVEL) process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
// The command line runs the TypeScript sources through tsx: one code base for the Lambdas, the
// local engine and the CLI, with no build step between `npm ci` and `npm start`.
require('tsx/cjs');
require('../cli/entry.ts').run();
