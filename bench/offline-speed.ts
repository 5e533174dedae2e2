/**
 * How fast the offline loop runs: each shipped scenario deployed through the whole pipeline
 * (job → trigger → state machine in the local engine → continuations → job result) against the
 * sandbox, several times, with the figures a user of `npm start` or of the test suite feels.
 */
import * as path from 'path';
import { performance } from 'perf_hooks';
import { TASK_HANDLERS } from '../functions/handlers';
import { handler as trigger } from '../functions/trigger/handler';
import { listScenarios, loadScenario, runScenario } from '../local/sandbox/scenario';
import { answerApproval } from '../cli/approval';

const SCENARIOS_DIR = path.join(__dirname, '..', 'examples', 'scenarios');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function offlineSpeed(): Promise<void> {
  const rows = [];
  for (const name of listScenarios(SCENARIOS_DIR)) {
    const scenario = loadScenario(path.join(SCENARIOS_DIR, name));
    const times: number[] = [];
    let states = 0;
    let invocations = 0;
    for (let round = 0; round < ROUNDS; round++) {
      let entered = 0;
      const started = performance.now();
      const run = await runScenario(scenario, {
        answerApproval: (executionArn, answer) => answerApproval(executionArn, answer),
        handlers: TASK_HANDLERS,
        trigger,
        onEvent: (_arn, event) => {
          if (event.type === 'StateEntered') entered++;
        },
      });
      times.push(performance.now() - started);
      states = entered;
      invocations = run.pipeline?.invocations ?? 0;
    }
    const ms = median(times);
    rows.push({ scenario: name, 'states entered': states, 'trigger calls': invocations, 'median ms': ms.toFixed(1), 'states/s': Math.round((states / ms) * 1000) });
  }
  console.log(`Offline pipeline deployments against the sandbox (median of ${ROUNDS} rounds each, node ${process.version}):`);
  console.table(rows);
}
