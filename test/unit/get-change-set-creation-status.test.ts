import { CloudFormationClient, DescribeChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/get-change-set-creation-status/handler';
import { ChangeSetFailedError, DeadlineExceededError, StillInProgressError } from '../../functions/shared/errors';
import { CHANGE_SET_ID, STACK_ID, fixture } from '../helpers/aws';
import { changeSetPage, changeSetState, commandsSent, deployment, publishedChangeSet, rejectionOf } from './helpers';

const cfn = mockClient(CloudFormationClient);

beforeEach(() => {
  cfn.reset();
});

describe('Get Change Set Creation Status', () => {
  it.each(['CREATE_PENDING', 'CREATE_IN_PROGRESS'])('%s: pending, polled by ARN; StillInProgressError asks the retrier to poll again', async (status) => {
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: CHANGE_SET_ID }).resolves(changeSetPage(status));

    const error = await rejectionOf(handler({ deployment: deployment(), changeSet: changeSetState({ waitSeconds: 3 }), retryCount: 2 }));

    // The 3 s Wait, then retries after 2 and 3 s.
    expect(error).toBeInstanceOf(StillInProgressError);
    expect(error.message).toBe(`Creating change set deploy-exec-1 on prod-app (${status}): still running after 3 polls (8 s of the 3600 s budget spent).`);
    expect(cfn.commandCalls(DescribeChangeSetCommand)[0].args[0].input).toEqual({ ChangeSetName: CHANGE_SET_ID, StackName: undefined, NextToken: undefined });
  });

  it('CREATE_COMPLETE: ready for inspection, with the stack id the change set names', async () => {
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('CREATE_COMPLETE'));

    const next = await handler({ deployment: deployment(), changeSet: changeSetState({ polls: 0, waitedSeconds: 5, waitSeconds: 3 }), retryCount: 1 });

    expect(next).toEqual(changeSetState({ status: 'CREATE_COMPLETE', stackId: STACK_ID, outcome: 'READY', polls: 2, waitedSeconds: 10, waitSeconds: 0 }));
  });

  it('the published FAILED empty change set is a no-op, not a failure', async () => {
    const published = publishedChangeSet('cfn-dcs-localstack-failed-no-changes.json');
    cfn.on(DescribeChangeSetCommand).resolves(published);

    const next = await handler({ deployment: deployment(), changeSet: changeSetState() });

    expect(next).toMatchObject({ outcome: 'NO_CHANGES', status: 'FAILED', statusReason: published.StatusReason, stackId: published.StackId, waitSeconds: 0 });
  });

  it('FAILED with "No updates are to be performed." is a no-op too', async () => {
    const reason = fixture<{ Error: { Message: string } }>('cloudformation/cfn-error-no-updates.json').Error.Message;
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('FAILED', [], { StatusReason: reason }));

    await expect(handler({ deployment: deployment(), changeSet: changeSetState() })).resolves.toMatchObject({ outcome: 'NO_CHANGES' });
  });

  it('FAILED for another reason fails with ChangeSetFailedError carrying the reason', async () => {
    const reason = 'Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template';
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('FAILED', [], { StatusReason: reason }));

    const error = await rejectionOf(handler({ deployment: deployment(), changeSet: changeSetState() }));

    expect(error).toBeInstanceOf(ChangeSetFailedError);
    expect(error.message).toBe(
      `CloudFormation could not create change set deploy-exec-1 on stack prod-app (FAILED): ${reason}. Nothing was changed; fix the template or its parameters and run the deployment again.`,
    );
    expect(commandsSent(cfn)).toEqual(['DescribeChangeSet']);
  });

  it.each(['DELETE_COMPLETE', 'DELETE_FAILED'])('%s (someone deleted it) fails, saying no reason was given', async (status) => {
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage(status));

    const error = await rejectionOf(handler({ deployment: deployment(), changeSet: changeSetState() }));

    expect(error).toBeInstanceOf(ChangeSetFailedError);
    expect(error.message).toContain(`(${status}): no reason given.`);
  });

  it('a change set that never settles fails once the wait limit is spent', async () => {
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('CREATE_IN_PROGRESS'));

    const error = await rejectionOf(handler({ deployment: deployment({ maxWaitSeconds: 60 }), changeSet: changeSetState({ polls: 0, waitedSeconds: 40, waitSeconds: 3 }), retryCount: 7 }));

    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error.message).toMatch(/^Creating change set deploy-exec-1 on prod-app \(CREATE_IN_PROGRESS\) had not finished when the deployment's budget of 60 seconds/);
  });
});
