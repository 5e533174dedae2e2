/**
 * The approval runs' invariants can fail: each broken Lambda below does what the invariant forbids,
 * and the harness must say so; the same runs with the project's Lambdas keep every invariant.
 */
import './capture-logs';
import { CloudFormationClient, ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import type { TaskHandler } from '../../local/engine';
import type { CleanUpChangeSetEvent } from '../../functions/clean-up-change-set/handler';
import type { ExecuteChangeSetEvent } from '../../functions/execute-change-set/handler';
import { runPlanned, type RunPlan } from './harness';
import type { ApprovalPlan } from './approvals';

const logs: string[] = [];

function plan(approval: ApprovalPlan): RunPlan {
  return { seed: 7, kind: 'replacement', shape: 'manual', deployments: 1, onBusy: 'fail', faults: [], slow: false, approval };
}

const codes = (violations: string[]) => violations.map((violation) => violation.split(':')[0]);

/** Executes the change set it was asked to delete (or to execute), whatever anyone said. */
const executeAnyway: TaskHandler = async (event) => {
  const { execution } = event as CleanUpChangeSetEvent;
  await new CloudFormationClient({}).send(new ExecuteChangeSetCommand({ ChangeSetName: execution.changeSet?.id }));
  return execution.failure;
};

describe('the approval runs\' invariants', () => {
  it('hold with the project\'s Lambdas: rejected, approved after the change set went stale, approved through lost answers', async () => {
    const results = [
      await runPlanned(plan({ answer: 'reject', answerFaults: false }), logs),
      await runPlanned(plan({ answer: 'approve', stale: 'obsolete', answerFaults: false }), logs),
      await runPlanned(plan({ answer: 'approve', answerFaults: true, executeFault: 'answer-lost' }), logs),
    ];

    expect(results.map((result) => result.violations)).toEqual([[], [], []]);
    expect(results.map((result) => result.outcomes[0].error ?? 'succeeded')).toEqual(['ApprovalRejected', 'ApprovalStaleError', 'succeeded']);
  });

  it('catch a rejected change set that is executed instead of deleted', async () => {
    const result = await runPlanned(plan({ answer: 'reject', answerFaults: false }), logs, { 'Clean Up Change Set': executeAnyway });

    expect(codes(result.violations)).toEqual(expect.arrayContaining(['unapproved-execute', 'stack-changed']));
  });

  it('catch a change set left behind after the approval timed out', async () => {
    const keep: TaskHandler = async (event) => (event as CleanUpChangeSetEvent).execution.failure;

    const result = await runPlanned(plan({ answer: 'timeout', answerFaults: false }), logs, { 'Clean Up Change Set': keep });

    expect(codes(result.violations)).toEqual(['orphan']);
  }, 20_000);

  it('catch a rejection whose failure does not name it', async () => {
    const unnamed: TaskHandler = async () => ({ Error: 'DeploymentFailed', Cause: 'something went wrong' });

    const result = await runPlanned(plan({ answer: 'reject', answerFaults: false }), logs, { 'Clean Up Change Set': unnamed });

    expect(codes(result.violations)).toContain('unnamed-rejection');
  });

  it('catch an approved change set executed by its name, which a change set made since under that name would also answer to', async () => {
    const byName: TaskHandler = async (event) => {
      const { changeSet, deployment } = event as ExecuteChangeSetEvent;
      await new CloudFormationClient({}).send(new ExecuteChangeSetCommand({ ChangeSetName: changeSet.name, StackName: deployment.stackName }));
      return { action: 'UPDATE', stackId: changeSet.stackId, status: 'UPDATE_IN_PROGRESS', done: false };
    };

    const result = await runPlanned(plan({ answer: 'approve', answerFaults: false }), logs, { 'Execute Change Set': byName });

    expect(codes(result.violations)).toContain('wrong-change-set');
  });

  it('catch a stale approval that is executed all the same', async () => {
    const executeStale: TaskHandler = async (event) => {
      const { changeSet } = event as ExecuteChangeSetEvent;
      await new CloudFormationClient({}).send(new ExecuteChangeSetCommand({ ChangeSetName: changeSet.id }));
      return { action: 'UPDATE', stackId: changeSet.stackId, status: 'UPDATE_IN_PROGRESS', done: false };
    };

    const result = await runPlanned(plan({ answer: 'approve', stale: 'obsolete', answerFaults: false }), logs, { 'Execute Change Set': executeStale });

    expect(codes(result.violations)).toContain('stale-executed');
  });
});
