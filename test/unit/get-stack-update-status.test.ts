import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/get-stack-update-status/handler';
import { StackCreateFailedError, StackUpdateFailedError } from '../../functions/shared/errors';
import { STACK_ID, stack } from '../helpers/aws';
import { deployment, eventsPage, operationResult, rejectionOf, stackEvent, stackOwnEvent } from './helpers';

const cfn = mockClient(CloudFormationClient);
const UPDATING = operationResult({ action: 'UPDATE', status: 'UPDATE_IN_PROGRESS' });

beforeEach(() => {
  cfn.reset();
});

describe('Get Stack Update Status', () => {
  it('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: still running, polled by stack id', async () => {
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves({ Stacks: [stack('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')] });

    const next = await handler({ deployment: deployment(), result: UPDATING });

    expect(next).toMatchObject({ action: 'UPDATE', done: false, status: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', polls: 1, waitSeconds: 10 });
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
