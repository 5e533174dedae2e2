import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/get-stack-update-status/handler';
import { StackCreateFailedError, StackUpdateFailedError, StillInProgressError } from '../../functions/shared/errors';
import { STACK_ID, stack } from '../helpers/aws';
import { deployment, eventsPage, operationResult, rejectionOf, stackEvent, stackOwnEvent } from './helpers';

const cfn = mockClient(CloudFormationClient);
const UPDATING = operationResult({ action: 'UPDATE', status: 'UPDATE_IN_PROGRESS' });

beforeEach(() => {
  cfn.reset();
});

describe('Get Stack Update Status', () => {
  it('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: still running (StillInProgressError for the retrier), polled by stack id', async () => {
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves({ Stacks: [stack('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')] });

    const error = await rejectionOf(handler({ deployment: deployment(), result: UPDATING, retryCount: 4 }));

    // The 5 s Wait, then retries after 5, 7.5, 11.25 and 16.875 s.
    expect(error).toBeInstanceOf(StillInProgressError);
    expect(error.message).toBe('Updating stack prod-app (UPDATE_COMPLETE_CLEANUP_IN_PROGRESS): still running after 5 polls (45 s of the 3600 s budget spent).');
  });

  it('counts the polls and the waits its retrier made when the update is done', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });

    const next = await handler({ deployment: deployment(), result: UPDATING, retryCount: 6 });

    // 5 + (5 + 7.5 + 11.25 + 16.875 + 20 + 20) = 85.625 s, counted in whole seconds.
    expect(next).toMatchObject({ done: true, polls: 7, waitedSeconds: 85, waitSeconds: 0 });
  });

  it('UPDATE_COMPLETE: done, UPDATED, with the outputs', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE', { Outputs: [{ OutputKey: 'TableArn', OutputValue: 'arn:table' }] })] });

    const next = await handler({ deployment: deployment(), result: UPDATING });

    expect(next).toMatchObject({ done: true, decision: 'UPDATED', outputs: [{ OutputKey: 'TableArn', OutputValue: 'arn:table' }], summary: 'Updated stack prod-app (UPDATE_COMPLETE, 1 output).' });
  });

  it('UPDATE_ROLLBACK_COMPLETE after executing: the update failed, with the reason', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_ROLLBACK_COMPLETE')] });
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([stackEvent('Table', 'AWS::DynamoDB::Table', 'UPDATE_FAILED', 'Provisioned throughput cannot be set'), stackOwnEvent('UPDATE_IN_PROGRESS')]));

    const error = await rejectionOf(handler({ deployment: deployment(), result: UPDATING }));

    expect(error).toBeInstanceOf(StackUpdateFailedError);
    expect(error.message).toContain('Updating stack prod-app failed (UPDATE_ROLLBACK_COMPLETE). First failure: Table (AWS::DynamoDB::Table) UPDATE_FAILED: Provisioned throughput cannot be set.');
  });

  it('a CREATE change set ends like a create: CREATE_COMPLETE is CREATED', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('CREATE_COMPLETE')] });

    const next = await handler({ deployment: deployment(), result: operationResult({ action: 'CREATE' }) });

    expect(next).toMatchObject({ done: true, decision: 'CREATED', status: 'CREATE_COMPLETE' });
  });

  it('a CREATE change set that rolls back fails as a create', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('ROLLBACK_COMPLETE')] });
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([stackOwnEvent('CREATE_IN_PROGRESS')]));

    await expect(handler({ deployment: deployment(), result: operationResult({ action: 'CREATE' }) })).rejects.toBeInstanceOf(StackCreateFailedError);
  });
});
