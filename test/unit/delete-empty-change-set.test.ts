import { CloudFormationClient, DeleteChangeSetCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/delete-empty-change-set/handler';
import { AwsCallError } from '../../functions/shared/errors';
import { CHANGE_SET_ID, STACK_ID, awsError, stack, stackMissing } from '../helpers/aws';
import { changeSetNotFound, changeSetState, commandsSent, deployment, rejectionOf, stackCheck } from './helpers';

const cfn = mockClient(CloudFormationClient);
const EMPTY = changeSetState({ status: 'FAILED', outcome: 'NO_CHANGES', statusReason: "The submitted information didn't contain changes. Submit different information to create a change set." });

beforeEach(() => {
  cfn.reset();
  cfn.on(DeleteChangeSetCommand).resolves({});
});

describe('Delete Empty Change Set', () => {
  it('deletes the empty change set, executes nothing, and succeeds as a no-op with the stack\'s outputs', async () => {
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves({ Stacks: [stack('UPDATE_COMPLETE', { Outputs: [{ OutputKey: 'TableArn', OutputValue: 'arn:table' }] })] });

    const result = await handler({ deployment: deployment(), changeSet: EMPTY, stack: stackCheck() });

    expect(commandsSent(cfn)).toEqual(['DeleteChangeSet', 'DescribeStacks']);
    expect(cfn.commandCalls(DeleteChangeSetCommand)[0].args[0].input).toEqual({ ChangeSetName: CHANGE_SET_ID, StackName: undefined });
    expect(result).toEqual({
      action: 'NONE',
      stackId: STACK_ID,
      status: 'UPDATE_COMPLETE',
      done: true,
      decision: 'NO_CHANGES',
      outputs: [{ OutputKey: 'TableArn', OutputValue: 'arn:table' }],
      summary: 'No changes: stack prod-app already matches the template (change set deploy-exec-1 deleted).',
      polls: 0,
      waitedSeconds: 0,
      waitSeconds: 0,
    });
  });

  it('counts a change set already gone (a retried task) as deleted', async () => {
    cfn.on(DeleteChangeSetCommand).rejects(changeSetNotFound());
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });

    const result = await handler({ deployment: deployment(), changeSet: EMPTY, stack: stackCheck() });

    expect(result).toMatchObject({ decision: 'NO_CHANGES', outputs: [] });
  });

  it('still reports the no-op when the stack cannot be found any more, with what the check saw', async () => {
    cfn.on(DescribeStacksCommand).rejects(stackMissing(STACK_ID));

    const result = await handler({ deployment: deployment(), changeSet: EMPTY, stack: stackCheck({ status: 'UPDATE_ROLLBACK_COMPLETE' }) });

    expect(result).toMatchObject({ stackId: STACK_ID, status: 'UPDATE_ROLLBACK_COMPLETE', outputs: [], decision: 'NO_CHANGES' });
  });

  it('fails when the change set cannot be deleted', async () => {
    cfn.on(DeleteChangeSetCommand).rejects(awsError('AccessDenied', 'not authorized to perform: cloudformation:DeleteChangeSet', 403));

    const error = await rejectionOf(handler({ deployment: deployment(), changeSet: EMPTY, stack: stackCheck() }));

    expect(error).toBeInstanceOf(AwsCallError);
    expect(commandsSent(cfn)).toEqual(['DeleteChangeSet']);
  });
});
