/**
 * Imported first by the end-to-end suites: the handlers' Powertools logger reads its level when
 * their modules load, and writes straight to stdout, past Jest. The level is put back after the
 * file, so other suites (the trigger's log tests) see the environment they expect.
 */
const LOG_LEVEL = 'POWERTOOLS_LOG_LEVEL';
const previous = process.env[LOG_LEVEL];
process.env[LOG_LEVEL] = 'SILENT';

afterAll(() => {
  if (previous === undefined) delete process.env[LOG_LEVEL];
  else process.env[LOG_LEVEL] = previous;
});

export {};
