import { CloudFormationClient, DeleteChangeSetCommand, DescribeChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/clean-up-change-set/handler';
import { AwsTransientError } from '../../functions/shared/errors';
import { readableCause } from '../../functions/shared/failure-cause';
import { CHANGE_SET_ID, STACK_ID, awsError } from '../helpers/aws';
import { CHANGE_SET_NAME, changeSetNotFound, changeSetPage, changeSetState, commandsSent, deployment, rejectionOf, safeInspection, unsafeInspection } from './helpers';

const cfn = mockClient(CloudFormationClient);

/** A failure as a Catch records it: a Lambda error in its JSON envelope. */
function lambdaFailure(errorType: string, errorMessage: string) {
  return { Error: errorType, Cause: JSON.stringify({ errorType, errorMessage }) };
}

const INSPECT_FAILED = lambdaFailure('AwsCallError', 'CloudFormation DescribeChangeSet failed with AccessDenied.');

beforeEach(() => {
  cfn.reset();
  cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('CREATE_COMPLETE', [], { ExecutionStatus: 'AVAILABLE', StackId: STACK_ID }));
  cfn.on(DeleteChangeSetCommand).resolves({});
});

describe('Clean Up Change Set', () => {
  it('deletes the change set a failed deployment left, and fails with the original error, saying so in its own envelope', async () => {
    const failure = await handler({ execution: { deployment: deployment(), changeSet: changeSetState(), failure: INSPECT_FAILED } });

    expect(commandsSent(cfn)).toEqual(['DescribeChangeSet', 'DeleteChangeSet']);
    expect(cfn.commandCalls(DeleteChangeSetCommand)[0].args[0].input.ChangeSetName).toBe(CHANGE_SET_ID);
    expect(failure.Error).toBe('AwsCallError');
    expect(JSON.parse(failure.Cause)).toEqual({
      errorType: 'AwsCallError',
      errorMessage: `CloudFormation DescribeChangeSet failed with AccessDenied.\nThe change set ${CHANGE_SET_NAME} was deleted; nothing was changed.`,
    });
  });

  it('finds the change set by its name when the failure came before Create Change Set answered (a lost answer)', async () => {
    await handler({ execution: { deployment: deployment(), failure: lambdaFailure('Sandbox.Timedout', 'Task timed out after 120.00 seconds') } });

    expect(cfn.commandCalls(DescribeChangeSetCommand)[0].args[0].input).toEqual({ ChangeSetName: CHANGE_SET_NAME, StackName: 'prod-app' });
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
  });

  it('with no change set left, fails with the original error untouched', async () => {
    cfn.on(DescribeChangeSetCommand).rejects(changeSetNotFound());

    const failure = await handler({ execution: { deployment: deployment(), changeSet: changeSetState(), failure: INSPECT_FAILED } });

    expect(failure).toEqual(INSPECT_FAILED);
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
  });

  it('never deletes an executed change set: the stack may be changing, and the failure says so', async () => {
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('CREATE_COMPLETE', [], { ExecutionStatus: 'EXECUTE_IN_PROGRESS', StackId: STACK_ID }));

    const failure = await handler({ execution: { deployment: deployment(), changeSet: changeSetState(), inspection: safeInspection(), failure: lambdaFailure('Lambda.Unknown', 'crashed') } });

    expect(commandsSent(cfn)).toEqual(['DescribeChangeSet']);
    expect(failure.Error).toBe('StackOutcomeUnknownError');
    expect(readableCause(failure.Cause)).toMatch(/^Stack prod-app may still be changing: its change set deploy-exec-1 was executed \(EXECUTE_IN_PROGRESS\).*Lambda\.Unknown: crashed/);
  });

  it('keeps a new-stack outcome (onUnsafe new-stack) as the reason, not the policy\'s rejection', async () => {
    const failure = await handler({
      execution: {
        deployment: deployment({ onUnsafe: 'new-stack' }),
        changeSet: changeSetState({ status: 'CREATE_COMPLETE', outcome: 'READY' }),
        inspection: unsafeInspection(),
        failure: lambdaFailure('NameCollisionError', 'a new stack prod-app-0a1b2c3d from this template would take names prod-app holds'),
      },
    });

    expect(failure.Error).toBe('NameCollisionError');
    expect(readableCause(failure.Cause)).toMatch(/would take names prod-app holds\nThe change set deploy-exec-1 was deleted; nothing was changed\.$/);
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
  });

  it('after Plan New Stack, looks for this deployment\'s change set on the new stack, not the live stack\'s (deleted), and reports the new stack\'s failure as it is', async () => {
    const failure = await handler({
      execution: {
        deployment: deployment({ stackName: 'prod-app-0a1b2c3d', onUnsafe: 'new-stack', newStack: { previousStackName: 'prod-app', previousStackId: STACK_ID, suffix: '0a1b2c3d', reason: 'OrdersTable' } }),
        changeSet: changeSetState({ status: 'CREATE_COMPLETE', outcome: 'READY', stackId: STACK_ID }),
        inspection: unsafeInspection(),
        failure: lambdaFailure('ChangeSetFailedError', 'the new stack\'s change set failed'),
      },
    });

    expect(cfn.commandCalls(DescribeChangeSetCommand)[0].args[0].input).toEqual({ ChangeSetName: CHANGE_SET_NAME, StackName: 'prod-app-0a1b2c3d' });
    expect(failure.Error).toBe('ChangeSetFailedError');
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
  });

  it('an unsafe change set is rejected whatever failed after its inspection: the rejection names the offending resources', async () => {
    const failure = await handler({
      execution: { deployment: deployment(), changeSet: changeSetState({ status: 'CREATE_COMPLETE', outcome: 'READY' }), inspection: unsafeInspection(), failure: lambdaFailure('Sandbox.Timedout', 'Task timed out') },
    });

    expect(failure.Error).toBe('ChangeSetRejected');
    expect(failure.Cause).toMatch(/^Change set deploy-exec-1 on stack prod-app was rejected and deleted, not executed: 1 resource change\(s\)/);
    expect(cfn.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
  });

  it('a delete that is refused is reported beside the original error, never hidden', async () => {
    cfn.on(DeleteChangeSetCommand).rejects(awsError('AccessDenied', 'User is not authorized to perform: cloudformation:DeleteChangeSet', 403));

    const failure = await handler({ execution: { deployment: deployment(), changeSet: changeSetState(), failure: INSPECT_FAILED } });

    expect(failure.Error).toBe('AwsCallError');
    expect(readableCause(failure.Cause)).toMatch(/^CloudFormation DescribeChangeSet failed with AccessDenied\.\nThe change set deploy-exec-1 could not be deleted \(.*AccessDenied.*\); it was not executed\. Delete it in the CloudFormation console \(the stack \(https:/);
  });

  it('throttling is thrown for the state machine to retry', async () => {
    cfn.on(DeleteChangeSetCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    await expect(rejectionOf(handler({ execution: { deployment: deployment(), changeSet: changeSetState(), failure: INSPECT_FAILED } }))).resolves.toBeInstanceOf(AwsTransientError);
  });

  it('keeps a plain-text cause plain', async () => {
    const failure = await handler({ execution: { deployment: deployment(), changeSet: changeSetState(), failure: { Error: 'StackBusyError', Cause: 'busy' } } });

    expect(failure).toEqual({ Error: 'StackBusyError', Cause: `busy\nThe change set ${CHANGE_SET_NAME} was deleted; nothing was changed.` });
  });
});
