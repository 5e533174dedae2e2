/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is done once by `tsc --noEmit` in `npm test`; ts-jest only transpiles, which keeps the suite fast.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  testTimeout: 30000,
  // Two workers on a two-core machine: many suites wait on child processes (the CLI, moto), not on the CPU.
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/plain-summary-reporter.js'],
};
