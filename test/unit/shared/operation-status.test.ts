import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { STACK_CREATION, STACK_UPDATE, pollStackOperation } from '../../../functions/shared/operation-status';
import { AwsTransientError, StackCreateFailedError, StackOutcomeUnknownError, StackUpdateFailedError, StillInProgressError } from '../../../functions/shared/errors';
import { STACK_ID, awsError, stack, stackMissing } from '../../helpers/aws';
import { deployment, eventsPage, operationResult, publishedStack, rejectionOf, stackEvent, stackOwnEvent } from '../helpers';

const cfn = mockClient(CloudFormationClient);

function givenStack(described: Stack): void {
  cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).resolves({ Stacks: [described] });
}

beforeEach(() => {
  cfn.reset();
});

describe('pollStackOperation: a create', () => {
  it.each(['CREATE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'REVIEW_IN_PROGRESS'])('%s is still running: StillInProgressError, for the retrier to poll again', async (status) => {
    givenStack(stack(status));

    const error = await rejectionOf(pollStackOperation(deployment(), operationResult(), STACK_CREATION, 2));

    expect(error).toBeInstanceOf(StillInProgressError);
    expect(error.message).toBe(`Creating stack prod-app (${status}): still running after 3 polls (17 s of the 3600 s budget spent).`);
    expect(cfn.commandCalls(DescribeStacksCommand)[0].args[0].input).toEqual({ StackName: STACK_ID });
    expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(0);
  });

  it('CREATE_COMPLETE is done: decision CREATED, with the published stack\'s outputs', async () => {
    givenStack({ ...publishedStack('cfn-ds-awscli-create-complete.json'), StackId: STACK_ID });

    const next = await pollStackOperation(deployment(), operationResult({ polls: 2, waitedSeconds: 15, waitSeconds: 20 }), STACK_CREATION);

    expect(next).toEqual({
      action: 'CREATE',
      stackId: STACK_ID,
      status: 'CREATE_COMPLETE',
      done: true,
      decision: 'CREATED',
      outputs: [{ OutputKey: 'BucketName', OutputValue: 'myteststack-s3bucket-jssofi1zie2w', Description: 'Name of S3 bucket to hold website content' }],
      summary: 'Created stack prod-app (CREATE_COMPLETE, 1 output).',
      polls: 3,
      waitedSeconds: 35,
      waitSeconds: 0,
    });
  });

  it('ROLLBACK_COMPLETE fails with StackCreateFailedError naming the first failing resource and what to do', async () => {
    givenStack(stack('ROLLBACK_COMPLETE'));
    cfn.on(DescribeStackEventsCommand, { StackName: STACK_ID }).resolves(
      eventsPage([
        stackOwnEvent('ROLLBACK_COMPLETE'),
        stackEvent('Topic', 'AWS::SNS::Topic', 'CREATE_FAILED', 'Resource creation cancelled'),
        stackEvent('Table', 'AWS::DynamoDB::Table', 'CREATE_FAILED', 'users already exists'),
        stackOwnEvent('CREATE_IN_PROGRESS', 'User Initiated'),
      ]),
    );

    const error = await rejectionOf(pollStackOperation(deployment(), operationResult(), STACK_CREATION));

    expect(error).toBeInstanceOf(StackCreateFailedError);
    expect(error.name).toBe('StackCreateFailedError');
    expect(error.message).toBe(
      'Creating stack prod-app failed (ROLLBACK_COMPLETE). First failure: Table (AWS::DynamoDB::Table) CREATE_FAILED: users already exists. The stack is left ROLLBACK_COMPLETE with no resources; fix the template and run the deployment again (it deletes and re-creates prod-app).',
    );
  });

  it('CREATE_FAILED (rollback disabled) fails with the stack\'s reason when the events name no resource', async () => {
    givenStack(stack('CREATE_FAILED', { StackStatusReason: 'The following resource(s) failed to create: [Table].' }));
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([stackOwnEvent('CREATE_FAILED'), stackOwnEvent('CREATE_IN_PROGRESS')]));

    const error = await rejectionOf(pollStackOperation(deployment(), operationResult(), STACK_CREATION));

    expect(error).toBeInstanceOf(StackCreateFailedError);
    expect(error.message).toBe(
      'Creating stack prod-app failed (CREATE_FAILED). First failure: stack status reason: The following resource(s) failed to create: [Table].. Look at the stack\'s events in the CloudFormation console before running the deployment again.',
    );
  });

  it('fails with DeadlineExceededError once the wait limit is spent', async () => {
    givenStack(stack('CREATE_IN_PROGRESS'));

    // 35 s of earlier loops, the 5 s Wait, then retries after 5, 7.5 and 11.25 s: 63 s.
    const error = await rejectionOf(pollStackOperation(deployment({ maxWaitSeconds: 60 }), operationResult({ polls: 0, waitedSeconds: 35, waitSeconds: 5 }), STACK_CREATION, 3));

    // CloudFormation accepted the create: a missed deadline leaves the outcome unknown, never "failed".
    expect(error).toBeInstanceOf(StackOutcomeUnknownError);
    expect(error.message).toMatch(/^Stack prod-app may still be changing: CloudFormation accepted the create, but its final status is not known\. Creating stack prod-app \(CREATE_IN_PROGRESS\) had not finished when the deployment's budget of 60 seconds \(maxWaitSeconds\) ran out \(4 polls\)\. Last known status: CREATE_IN_PROGRESS\. Look at the stack \(https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudformation\/home\?region=us-east-1#\/stacks\/stackinfo\?stackId=arn/);
  });

  it('fails when the stack is gone', async () => {
    cfn.on(DescribeStacksCommand).rejects(stackMissing(STACK_ID));

    const error = await rejectionOf(pollStackOperation(deployment(), operationResult(), STACK_CREATION));

    expect(error).toBeInstanceOf(StackCreateFailedError);
    expect(error.message).toBe(`Creating stack prod-app: the stack ${STACK_ID} no longer exists; someone deleted it while the deployment ran.`);
  });
});

describe('pollStackOperation: an update', () => {
  const updating = (overrides = {}) => operationResult({ action: 'UPDATE', status: 'UPDATE_IN_PROGRESS', ...overrides });

  it.each(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'])(
    '%s is still running',
    async (status) => {
      givenStack(stack(status));

      const error = await rejectionOf(pollStackOperation(deployment(), updating(), STACK_UPDATE));

      expect(error).toBeInstanceOf(StillInProgressError);
      expect(error.message).toBe(`Updating stack prod-app (${status}): still running after 1 poll (5 s of the 3600 s budget spent).`);
    },
  );

  it('UPDATE_COMPLETE is done: decision UPDATED, and says "outputs" for none', async () => {
    givenStack(stack('UPDATE_COMPLETE'));

    const next = await pollStackOperation(deployment(), updating(), STACK_UPDATE);

    expect(next).toMatchObject({ done: true, decision: 'UPDATED', status: 'UPDATE_COMPLETE', outputs: [], summary: 'Updated stack prod-app (UPDATE_COMPLETE, 0 outputs).', waitSeconds: 0 });
  });

  it('UPDATE_ROLLBACK_COMPLETE fails with StackUpdateFailedError: rolled back, with the reason', async () => {
    givenStack(stack('UPDATE_ROLLBACK_COMPLETE'));
    cfn.on(DescribeStackEventsCommand).resolves(
      eventsPage([stackEvent('Table', 'AWS::DynamoDB::Table', 'UPDATE_FAILED', 'Provisioned throughput cannot be set for PAY_PER_REQUEST'), stackOwnEvent('UPDATE_IN_PROGRESS')]),
    );

    const error = await rejectionOf(pollStackOperation(deployment(), updating(), STACK_UPDATE));

    expect(error).toBeInstanceOf(StackUpdateFailedError);
    expect(error.message).toBe(
      'Updating stack prod-app failed (UPDATE_ROLLBACK_COMPLETE). First failure: Table (AWS::DynamoDB::Table) UPDATE_FAILED: Provisioned throughput cannot be set for PAY_PER_REQUEST. CloudFormation rolled the stack back to its previous state; fix the cause and run the deployment again.',
    );
  });

  it('UPDATE_ROLLBACK_FAILED fails saying the stack did not roll back cleanly', async () => {
    givenStack(stack('UPDATE_ROLLBACK_FAILED'));
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([stackOwnEvent('UPDATE_IN_PROGRESS')]));

    const error = await rejectionOf(pollStackOperation(deployment(), updating(), STACK_UPDATE));

    expect(error).toBeInstanceOf(StackUpdateFailedError);
    expect(error.message).toMatch(/^Updating stack prod-app failed \(UPDATE_ROLLBACK_FAILED\)\. First failure: CloudFormation gave no reason in the stack events\. The stack did not roll back cleanly/);
  });

  it('a stack found in a create status is not a successful update', async () => {
    givenStack(stack('CREATE_COMPLETE'));
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([]));

    await expect(pollStackOperation(deployment(), updating(), STACK_UPDATE)).rejects.toBeInstanceOf(StackUpdateFailedError);
  });
});

describe('pollStackOperation: the outcome is the stack\'s, once CloudFormation accepted the operation', () => {
  it('a throttled status read is polled again (StillInProgressError naming the read error), not reported as a failure', async () => {
    cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).rejectsOnce(awsError('Throttling', 'Rate exceeded')).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    const started = operationResult({ action: 'UPDATE', status: 'UPDATE_IN_PROGRESS' });

    const unread = await rejectionOf(pollStackOperation(deployment(), started, STACK_UPDATE, 0));
    const read = await pollStackOperation(deployment(), started, STACK_UPDATE, 1);

    expect(unread).toBeInstanceOf(StillInProgressError);
    expect(unread.message).toMatch(/^Updating stack prod-app \(the last read of its status failed: CloudFormation DescribeStacks .* failed with Throttling.*\): still running after 1 poll/);
    expect(read).toMatchObject({ done: true, status: 'UPDATE_COMPLETE', decision: 'UPDATED', polls: 2, waitedSeconds: 10, waitSeconds: 0 });
  });

  it('a status that cannot be read (access denied) is StackOutcomeUnknownError with the last known status, never a plain failure', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 'User is not authorized to perform: cloudformation:DescribeStacks', 403));

    const error = await rejectionOf(pollStackOperation(deployment(), operationResult({ action: 'UPDATE', status: 'UPDATE_IN_PROGRESS' }), STACK_UPDATE));

    expect(error).toBeInstanceOf(StackOutcomeUnknownError);
    expect(error.message).toMatch(/^Stack prod-app may still be changing: CloudFormation accepted the update, but its final status is not known\. Its status could not be read: .*AccessDenied.* Last known status: UPDATE_IN_PROGRESS\./);
  });

  it('a rolled-back update is still reported as failed when its events cannot be read', async () => {
    givenStack(stack('UPDATE_ROLLBACK_COMPLETE'));
    cfn.on(DescribeStackEventsCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    const error = await rejectionOf(pollStackOperation(deployment(), operationResult({ action: 'UPDATE', status: 'UPDATE_IN_PROGRESS' }), STACK_UPDATE));

    expect(error).toBeInstanceOf(StackUpdateFailedError);
    expect(error.message).toMatch(/UPDATE_ROLLBACK_COMPLETE/);
  });

  it('transient errors never become "done": the budget still ends the polling, as an unknown outcome', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    const error = await rejectionOf(pollStackOperation(deployment({ maxWaitSeconds: 60 }), operationResult({ polls: 3, waitedSeconds: 35, waitSeconds: 25 }), STACK_UPDATE));

    expect(error).toBeInstanceOf(StackOutcomeUnknownError);
    expect(error).not.toBeInstanceOf(AwsTransientError);
  });
});

describe('pollStackOperation: what an update left behind', () => {
  it('lists the old resources the clean-up failed to delete or skipped, in the output and the summary', async () => {
    givenStack(stack('UPDATE_COMPLETE'));
    cfn.on(DescribeStackEventsCommand, { StackName: STACK_ID }).resolves(
      eventsPage([
        stackOwnEvent('UPDATE_COMPLETE'),
        stackEvent('OldQueue', 'AWS::SQS::Queue', 'DELETE_FAILED', 'Access denied for sqs:DeleteQueue'),
        stackEvent('Archive', 'AWS::S3::Bucket', 'DELETE_SKIPPED'),
        stackOwnEvent('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'),
        stackEvent('Topic', 'AWS::SNS::Topic', 'UPDATE_COMPLETE'),
        stackOwnEvent('UPDATE_IN_PROGRESS', 'User Initiated'),
        stackEvent('Older', 'AWS::SQS::Queue', 'DELETE_FAILED', 'from an earlier update'),
      ]),
    );

    const done = await pollStackOperation(deployment(), operationResult({ action: 'UPDATE', status: 'UPDATE_IN_PROGRESS' }), STACK_UPDATE);

    expect(done).toMatchObject({ done: true, decision: 'UPDATED' });
    expect(done.warnings).toEqual(['Archive (AWS::S3::Bucket) DELETE_SKIPPED: no reason given', 'OldQueue (AWS::SQS::Queue) DELETE_FAILED: Access denied for sqs:DeleteQueue']);
    expect(done.summary).toMatch(/^Updated stack prod-app \(UPDATE_COMPLETE, 0 outputs\)\. Warning: the update's clean-up left 2 old resource\(s\) behind: Archive .*; OldQueue/);
  });

  it('an update whose events cannot be read is still reported as updated, without warnings', async () => {
    givenStack(stack('UPDATE_COMPLETE'));
    cfn.on(DescribeStackEventsCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    const done = await pollStackOperation(deployment(), operationResult({ action: 'UPDATE', status: 'UPDATE_IN_PROGRESS' }), STACK_UPDATE);

    expect(done).toMatchObject({ done: true, decision: 'UPDATED' });
    expect(done).not.toHaveProperty('warnings');
  });
});
