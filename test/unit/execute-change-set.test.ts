import { CloudFormationClient, DescribeChangeSetCommand, DescribeStacksCommand, ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/execute-change-set/handler';
import { ApprovalStaleError, AwsCallError, AwsTransientError, ChangeSetSupersededError, InvalidInputError } from '../../functions/shared/errors';
import type { Inspection } from '../../functions/shared/state';
import { CHANGE_SET_ID, STACK_ID, STACK_NAME, awsError, fixture, stack } from '../helpers/aws';
import { CHANGE_SET_NAME, changeSetState, deployment, rejectionOf, safeInspection, unsafeInspection } from './helpers';

const cfn = mockClient(CloudFormationClient);
const READY = changeSetState({ status: 'CREATE_COMPLETE', outcome: 'READY', stackId: STACK_ID });

beforeEach(() => {
  cfn.reset();
  cfn.on(ExecuteChangeSetCommand).resolves({});
});

describe('Execute Change Set', () => {
  it('executes a change set found safe, by ARN, with an execute token, and polls the stack by id', async () => {
    const result = await handler({ deployment: deployment(), changeSet: READY, inspection: safeInspection() });

    expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(1);
    expect(cfn.commandCalls(ExecuteChangeSetCommand)[0].args[0].input).toEqual({ ChangeSetName: CHANGE_SET_ID, StackName: undefined, ClientRequestToken: 'deploy-exec-1-execute' });
    expect(result).toEqual({ action: 'UPDATE', stackId: STACK_ID, status: 'UPDATE_IN_PROGRESS', done: false, polls: 0, waitedSeconds: 0, waitSeconds: 5 });
  });

  it('executes by name and stack when there is no ARN, and polls by name without a stack id', async () => {
    const result = await handler({ deployment: deployment(), changeSet: changeSetState({ id: CHANGE_SET_NAME, outcome: 'READY' }), inspection: safeInspection() });

    expect(cfn.commandCalls(ExecuteChangeSetCommand)[0].args[0].input).toMatchObject({ ChangeSetName: CHANGE_SET_NAME, StackName: STACK_NAME });
    expect(result.stackId).toBe(STACK_NAME);
  });

  it('a CREATE change set (on a REVIEW_IN_PROGRESS shell) runs as a create', async () => {
    const result = await handler({ deployment: deployment(), changeSet: { ...READY, type: 'CREATE' }, inspection: safeInspection() });

    expect(result).toMatchObject({ action: 'CREATE', status: 'CREATE_IN_PROGRESS' });
  });

  it('refuses a change set whose inspection found it unsafe, without calling CloudFormation', async () => {
    const error = await rejectionOf(handler({ deployment: deployment(), changeSet: READY, inspection: unsafeInspection() }));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe('Refusing to execute change set deploy-exec-1: its inspection did not find it safe, and no one approved it.');
    expect(cfn.calls()).toHaveLength(0);
  });

  it('refuses when there is no inspection at all (a definition edited by mistake)', async () => {
    const error = await rejectionOf(handler({ deployment: deployment(), changeSet: READY, inspection: undefined as unknown as Inspection }));

    expect(error).toBeInstanceOf(InvalidInputError);
    expect(cfn.calls()).toHaveLength(0);
  });

  it('reports the published error for a change set that cannot be executed', async () => {
    const text = fixture<string>('cloudformation/cfn-error-execute-failed-changeset.json');
    const [, code, message] = /\((\w+)\) when calling the \w+ operation: (.*)$/.exec(text)!;
    cfn.on(ExecuteChangeSetCommand).rejects(awsError(code, message));

    const error = await rejectionOf(handler({ deployment: deployment(), changeSet: READY, inspection: safeInspection() }));

    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message).toMatch(/^CloudFormation ExecuteChangeSet deploy-exec-1 on prod-app failed with InvalidChangeSetStatus: .* cannot be executed in its current status of \[FAILED\]/);
  });

  it('lets a throttled ExecuteChangeSet be retried', async () => {
    cfn.on(ExecuteChangeSetCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    await expect(handler({ deployment: deployment(), changeSet: READY, inspection: safeInspection() })).rejects.toBeInstanceOf(AwsTransientError);
  });
});

describe('Execute Change Set after a lost answer', () => {
  const invalidStatus = awsError('InvalidChangeSetStatus', `ChangeSet [${CHANGE_SET_ID}] cannot be executed in its current execution status of [EXECUTE_IN_PROGRESS]`);

  it('a retry that finds its own execute done (the stack names the change set) follows the update instead of failing', async () => {
    cfn.on(ExecuteChangeSetCommand).rejects(invalidStatus);
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_IN_PROGRESS', { ChangeSetId: CHANGE_SET_ID })] });

    const result = await handler({ deployment: deployment(), changeSet: READY, inspection: safeInspection() });

    expect(result).toMatchObject({ action: 'UPDATE', stackId: STACK_ID, done: false });
  });

  it('the same refusal when the stack ran someone else\'s change set is reported, not taken for success', async () => {
    cfn.on(ExecuteChangeSetCommand).rejects(invalidStatus);
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_IN_PROGRESS', { ChangeSetId: `${CHANGE_SET_ID}-other` })] });

    await expect(handler({ deployment: deployment(), changeSet: READY, inspection: safeInspection() })).rejects.toBeInstanceOf(AwsCallError);
  });

  it('a change set deleted under the deployment is ChangeSetSupersededError, explained', async () => {
    cfn.on(ExecuteChangeSetCommand).rejects(awsError('ChangeSetNotFoundException', `ChangeSet [${CHANGE_SET_ID}] does not exist`, 404));
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });

    const error = await rejectionOf(handler({ deployment: deployment(), changeSet: READY, inspection: safeInspection() }));

    expect(error).toBeInstanceOf(ChangeSetSupersededError);
    expect(error.message).toMatch(/CloudFormation deletes a stack's other change sets when one is executed/);
  });

  it('carries on the budget the change set loop spent', async () => {
    const result = await handler({ deployment: deployment(), changeSet: { ...READY, waitedSeconds: 35 }, inspection: safeInspection() });

    expect(result).toMatchObject({ polls: 0, waitedSeconds: 35, waitSeconds: 5 });
  });

  describe('an unsafe change set a person approved (onUnsafe: approve)', () => {
    const approved = (changeSetId = CHANGE_SET_ID): Inspection => ({
      ...unsafeInspection(),
      approval: { approved: true, approver: 'arn:aws:sts::123456789012:assumed-role/Release/jane', reason: 'planned', changeSetId, at: '2026-12-04T06:00:00.000Z' },
    });

    it('executes it when it is still the one reviewed (AVAILABLE, same id)', async () => {
      cfn.on(DescribeChangeSetCommand).resolves({ ChangeSetId: CHANGE_SET_ID, ExecutionStatus: 'AVAILABLE', Status: 'CREATE_COMPLETE' });
      cfn.on(ExecuteChangeSetCommand).resolves({});

      await handler({ deployment: deployment(), changeSet: changeSetState({ stackId: STACK_ID }), inspection: approved() });

      expect(cfn.commandCalls(ExecuteChangeSetCommand)[0].args[0].input.ChangeSetName).toBe(CHANGE_SET_ID);
    });

    it('a retry after a lost answer finds its own execute under way, and follows it rather than call the approval stale', async () => {
      cfn.on(DescribeChangeSetCommand).resolves({ ChangeSetId: CHANGE_SET_ID, ExecutionStatus: 'EXECUTE_IN_PROGRESS' });
      cfn.on(ExecuteChangeSetCommand).rejects(Object.assign(awsError('InvalidChangeSetStatus', 'ChangeSet [x] cannot be executed in its current status of [EXECUTE_IN_PROGRESS]'), { name: 'InvalidChangeSetStatusException' }));
      cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_IN_PROGRESS', { ChangeSetId: CHANGE_SET_ID })] });

      const result = await handler({ deployment: deployment(), changeSet: changeSetState({ stackId: STACK_ID }), inspection: approved() });

      expect(result).toMatchObject({ action: 'UPDATE', status: 'UPDATE_IN_PROGRESS' });
    });

    it('refuses an approval given for another change set', async () => {
      const error = await rejectionOf(handler({ deployment: deployment(), changeSet: changeSetState(), inspection: approved('arn:aws:cloudformation:us-east-1:123456789012:changeSet/other/1') }));

      expect(error).toBeInstanceOf(InvalidInputError);
      expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    });

    it.each([
      ['OBSOLETE (the stack changed since it was reviewed)', { ChangeSetId: CHANGE_SET_ID, ExecutionStatus: 'OBSOLETE' as const }, /it is no longer the one reviewed \(execution status OBSOLETE/],
      ['gone', undefined, /it no longer exists/],
    ])('executes nothing when the change set is %s: ApprovalStaleError', async (_what, described, message) => {
      if (described) cfn.on(DescribeChangeSetCommand).resolves(described);
      else cfn.on(DescribeChangeSetCommand).rejects(Object.assign(awsError('ChangeSetNotFoundException', 'ChangeSet [x] does not exist'), { name: 'ChangeSetNotFoundException' }));

      const error = await rejectionOf(handler({ deployment: deployment(), changeSet: changeSetState(), inspection: approved() }));

      expect(error).toBeInstanceOf(ApprovalStaleError);
      expect(error.message).toMatch(message);
      expect(error.message).toMatch(/^arn:aws:sts::123456789012:assumed-role\/Release\/jane approved change set deploy-exec-1, but .*Nothing was executed\.$/);
      expect(cfn.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
    });
  });
});
