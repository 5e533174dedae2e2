/**
 * The fault-injection suite's long run: `npm run soak -- --runs 5000 [--seed N]`. The same runs and
 * invariants as test/faults, many more of them; prints the table and every violation with the
 * command that reproduces it, and exits 1 if any invariant was broken.
 */
import { planRun, runPlanned, type RunResult } from '../test/faults/harness';
import { summaryTable } from '../test/faults/report';
import { captureLoggerLines } from '../test/faults/log-capture';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`Error: --${name} needs a whole number, not "${process.argv[at + 1] ?? ''}".\n`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const runs = option('runs', 1000);
  const seed = option('seed', Date.now() % 1_000_000_007);
  // The handlers' log lines are kept, for the secret search, and off the terminal.
  const logs: string[] = [];
  const stdout = captureLoggerLines(process.stdout, logs);
  const stderr = captureLoggerLines(process.stderr, logs);
  const results: RunResult[] = [];
  const started = Date.now();
  try {
    for (let index = 0; index < runs; index++) {
      const result = await runPlanned(planRun(seed, index), logs);
      results.push(result);
      for (const violation of result.violations) process.stderr.write(`${violation}  [reproduce: FAULT_SEED=${seed} FAULT_RUN=${index} npx jest test/faults]\n`);
      logs.length = 0;
      if ((index + 1) % 500 === 0) process.stderr.write(`${index + 1}/${runs} runs\n`);
    }
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
  process.stdout.write(`${summaryTable(results, seed)}\n${runs} runs in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (results.some((result) => result.violations.length)) process.exit(1);
}

void main();
