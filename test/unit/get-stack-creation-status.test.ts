import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/get-stack-creation-status/handler';
import { StackCreateFailedError, StackOutcomeUnknownError, StillInProgressError } from '../../functions/shared/errors';
import { STACK_ID, stack } from '../helpers/aws';
import { commandsSent, deployment, eventsPage, operationResult, publishedStack, rejectionOf, stackEvent, stackOwnEvent } from './helpers';

const cfn = mockClient(CloudFormationClient);

beforeEach(() => {
  cfn.reset();
});

describe('Get Stack Creation Status', () => {
  it('CREATE_IN_PROGRESS: not done, polled by stack id; StillInProgressError asks the retrier to poll again', async () => {
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves({ Stacks: [stack('CREATE_IN_PROGRESS')] });

    const error = await rejectionOf(handler({ deployment: deployment(), result: operationResult({ polls: 0, waitedSeconds: 0, waitSeconds: 5 }), retryCount: 1 }));

    expect(error).toBeInstanceOf(StillInProgressError);
    expect(error.message).toBe('Creating stack prod-app (CREATE_IN_PROGRESS): still running after 2 polls (10 s of the 3600 s budget spent).');
    expect(commandsSent(cfn)).toEqual(['DescribeStacks']);
  });

  it('CREATE_COMPLETE: done, CREATED, with the published stack\'s outputs', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ ...publishedStack('cfn-ds-awscli-create-complete.json'), StackId: STACK_ID }] });

    const next = await handler({ deployment: deployment(), result: operationResult() });

    expect(next).toMatchObject({ done: true, decision: 'CREATED', status: 'CREATE_COMPLETE', summary: 'Created stack prod-app (CREATE_COMPLETE, 1 output).' });
    expect(next.outputs).toEqual([{ OutputKey: 'BucketName', OutputValue: 'myteststack-s3bucket-jssofi1zie2w', Description: 'Name of S3 bucket to hold website content' }]);
  });

  it('ROLLBACK_COMPLETE: fails with the first failing resource from the stack events', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('ROLLBACK_COMPLETE')] });
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([stackEvent('Table', 'AWS::DynamoDB::Table', 'CREATE_FAILED', 'users already exists'), stackOwnEvent('CREATE_IN_PROGRESS')]));

    const error = await rejectionOf(handler({ deployment: deployment(), result: operationResult() }));

    expect(error).toBeInstanceOf(StackCreateFailedError);
    expect(error.message).toContain('Creating stack prod-app failed (ROLLBACK_COMPLETE). First failure: Table (AWS::DynamoDB::Table) CREATE_FAILED: users already exists.');
  });

  it('a create still running when the budget is spent has an unknown outcome: it may still be changing', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('CREATE_IN_PROGRESS')] });

    await expect(handler({ deployment: deployment({ maxWaitSeconds: 60 }), result: operationResult({ polls: 0, waitedSeconds: 35, waitSeconds: 5 }), retryCount: 3 })).rejects.toBeInstanceOf(
      StackOutcomeUnknownError,
    );
  });
});
