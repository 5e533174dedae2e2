/**
 * One deployment per stack at a time, on the sandbox with the real ASL and handlers: two
 * deployments of the same stack started together (a pipeline run and a console run, say).
 */
import './quiet-logs';
import * as path from 'path';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { TASK_HANDLERS } from '../../functions/handlers';
import { readableCause } from '../../functions/shared/failure-cause';
import { buildScenarioSandbox, loadScenario, scenarioInput } from '../../local/sandbox/scenario';
import type { Sandbox } from '../../local/sandbox';

const SCENARIO = loadScenario(path.join(__dirname, '..', '..', 'examples', 'scenarios', 'safe-update'));

async function deployTogether(names: string[], input: Record<string, unknown> = {}): Promise<{ sandbox: Sandbox; results: Array<{ name: string; status: string; error?: string; cause?: string }> }> {
  const { sandbox, stateMachineArn } = buildScenarioSandbox(SCENARIO, TASK_HANDLERS);
  sandbox.install();
  try {
    const sfn = new SFNClient({});
    const started = await Promise.all(
      names.map((name) => sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify({ ...scenarioInput(SCENARIO), ...input }) }))),
    );
    const results = await Promise.all(
      started.map(async ({ executionArn }, i) => {
        const result = await sandbox.stepFunctions.result(executionArn ?? '');
        return { name: names[i], status: result.status, error: result.error, cause: readableCause(result.cause) };
      }),
    );
    return { sandbox, results };
  } finally {
    await sandbox.close();
  }
}

describe('two deployments of one stack started at once', () => {
  it('one wins and updates the stack; the other is refused, naming the winner, and leaves no change set behind', async () => {
    const { sandbox, results } = await deployTogether(['pipeline-run', 'console-run']);

    const winners = results.filter((result) => result.status === 'SUCCEEDED');
    const losers = results.filter((result) => result.status !== 'SUCCEEDED');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0].error).toBe('StackBusyError');
    expect(losers[0].cause).toMatch(new RegExp(`^Stack prod-orders is busy: execution ${winners[0].name} \\(started \\d\\d:\\d\\d UTC on \\d{4}-\\d\\d-\\d\\d\\) is deploying it`));
    expect(sandbox.calls.find({ operation: 'ExecuteChangeSet' })).toHaveLength(1);
    expect(sandbox.cloudFormation.stack('prod-orders')?.status).toBe('UPDATE_COMPLETE');
    const unexecuted = sandbox.cloudFormation.changeSetsOf('prod-orders').filter((changeSet) => changeSet.executionStatus === 'AVAILABLE' || changeSet.executionStatus === 'UNAVAILABLE');
    expect(unexecuted).toEqual([]);
  });

  it('with onBusy "wait", the second waits for the first and then deploys on top of it', async () => {
    const { sandbox, results } = await deployTogether(['first-run', 'second-run'], { onBusy: 'wait' });

    expect(results.map((result) => [result.status, result.error])).toEqual([
      ['SUCCEEDED', undefined],
      ['SUCCEEDED', undefined],
    ]);
    // The second one found nothing left to change: the first had already deployed the same template.
    expect(sandbox.calls.find({ operation: 'ExecuteChangeSet' })).toHaveLength(1);
    expect(sandbox.cloudFormation.stack('prod-orders')?.status).toBe('UPDATE_COMPLETE');
  });
});
