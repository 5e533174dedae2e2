/**
 * Seeded fault injection, end to end: every run is a whole deployment with faults in every AWS call
 * and in the Lambdas, and every run must keep every invariant. A failure prints the seed that
 * reproduces it: FAULT_SEED=<master> FAULT_RUN=<index> npx jest test/faults
 */
import { capturedLogs } from './capture-logs';
import { planRun, runPlanned, type RunResult } from './harness';
import { summaryTable } from './report';

// The trigger backs off for real between refused job results; the runs' time is the sandbox's.
jest.mock('../../functions/trigger/sleep', () => ({ sleep: async (): Promise<void> => undefined }));

const MASTER_SEED = Number(process.env.FAULT_SEED ?? 20261204);
const RUNS = Number(process.env.FAULT_RUNS ?? 300);
const ONLY = process.env.FAULT_RUN === undefined ? undefined : Number(process.env.FAULT_RUN);

jest.setTimeout(240_000);

describe('fault injection: every invariant holds on every seeded run', () => {
  it(`${ONLY === undefined ? RUNS : 1} runs from seed ${MASTER_SEED}`, async () => {
    const results: RunResult[] = [];
    const indexes = ONLY === undefined ? Array.from({ length: RUNS }, (_, i) => i) : [ONLY];
    for (const index of indexes) {
      const result = await runPlanned(planRun(MASTER_SEED, index), capturedLogs);
      results.push(result);
      if (result.violations.length) {
        result.violations = result.violations.map((violation) => `${violation}  [reproduce: FAULT_SEED=${MASTER_SEED} FAULT_RUN=${index} npx jest test/faults]`);
      }
    }
    process.stderr.write(`${summaryTable(results, MASTER_SEED)}\n`);
    const violations = results.flatMap((result) => result.violations);
    expect(violations).toEqual([]);
    expect(results).toHaveLength(indexes.length);
  });
});
