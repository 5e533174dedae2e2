/**
 * Event mode's two functions: Await Stack Event (records the task token, reads the stack once) and
 * the completion function (woken by a status change event, reads the stack, answers the token).
 */
import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand, QueryCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as awaitStackEvent } from '../../functions/await-stack-event/handler';
import { handler as completeStackWait, type StackStatusChangeEvent } from '../../functions/complete-stack-wait/handler';
import { STACK_WAIT_TABLE_ENV } from '../../functions/shared/stack-events';
import { STACK_ID, awsError, fixture, stack } from '../helpers/aws';
import { deployment, eventsPage, operationResult, stackEvent, stackOwnEvent } from './helpers';

const cfn = mockClient(CloudFormationClient);
const dynamo = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);

const TABLE = 'stack-waits';
const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAR1token';
const EXECUTION_ARN = 'arn:aws:states:us-east-1:123456789012:execution:deploy:exec-1';
const UPDATING = operationResult({ action: 'UPDATE', status: 'UPDATE_IN_PROGRESS' });
const EVENT = fixture<StackStatusChangeEvent>('cloudformation/cfn-eventbridge-stack-status-change.json');

const saved = process.env[STACK_WAIT_TABLE_ENV];
beforeEach(() => {
  cfn.reset();
  dynamo.reset();
  sfn.reset();
  dynamo.on(PutItemCommand).resolves({});
  dynamo.on(UpdateItemCommand).resolves({});
  dynamo.on(DeleteItemCommand).resolves({});
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
  cfn.on(DescribeStackEventsCommand).resolves(eventsPage([stackOwnEvent('UPDATE_IN_PROGRESS')]));
  process.env[STACK_WAIT_TABLE_ENV] = TABLE;
});
afterAll(() => {
  if (saved === undefined) delete process.env[STACK_WAIT_TABLE_ENV];
  else process.env[STACK_WAIT_TABLE_ENV] = saved;
});

const awaitEvent = (overrides: Partial<Parameters<typeof awaitStackEvent>[0]> = {}) =>
  awaitStackEvent({ deployment: deployment(), result: UPDATING, taskToken: TOKEN, executionArn: EXECUTION_ARN, ...overrides });

function recordOfThisWait(): Record<string, AttributeValue> {
  return {
    stackId: { S: STACK_ID },
    waiter: { S: EXECUTION_ARN },
    taskToken: { S: TOKEN },
    context: { S: JSON.stringify({ deployment: deployment(), result: UPDATING }) },
    expiresAt: { N: '2000000000' },
  };
}

describe('Await Stack Event', () => {
  it('records the token under the stack and the execution, reads the stack once and, still changing, leaves the wait to the event', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_IN_PROGRESS')] });

    const result = await awaitEvent();

    expect(result).toEqual({ waiting: true });
    const put = dynamo.commandCalls(PutItemCommand)[0].args[0].input;
    expect(put.TableName).toBe(TABLE);
    expect(put.Item).toMatchObject({ stackId: { S: STACK_ID }, waiter: { S: EXECUTION_ARN }, taskToken: { S: TOKEN } });
    expect(JSON.parse(put.Item?.context?.S ?? '')).toEqual({ deployment: deployment(), result: UPDATING });
    // Expires by TTL two days after now at the latest deadline, in epoch seconds.
    expect(Number(put.Item?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000 + 86_400);
    expect(dynamo.commandCalls(UpdateItemCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('a stack already done: claims its own record and answers the wait with the result', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });

    expect(await awaitEvent()).toEqual({ waiting: false });

    // Marked as this reader's, not deleted: a retried claim whose answer was lost finds its own mark.
    expect(dynamo.commandCalls(UpdateItemCommand)[0].args[0].input).toMatchObject({
      Key: { stackId: { S: STACK_ID }, waiter: { S: EXECUTION_ARN } },
      UpdateExpression: 'SET claimedBy = :claimant',
      ConditionExpression: 'taskToken = :token AND (attribute_not_exists(claimedBy) OR claimedBy = :claimant)',
      ExpressionAttributeValues: { ':token': { S: TOKEN }, ':claimant': { S: `wait:${EXECUTION_ARN}:0` } },
    });
    // Answered, then forgotten.
    expect(dynamo.commandCalls(DeleteItemCommand)).toHaveLength(1);
    const success = sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input;
    expect(success.taskToken).toBe(TOKEN);
    expect(JSON.parse(success.output ?? '')).toMatchObject({ done: true, decision: 'UPDATED', status: 'UPDATE_COMPLETE' });
  });

  it('a stack already rolled back: answers with the update\'s failure, in the shape of a Lambda error', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_ROLLBACK_COMPLETE')] });
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([stackEvent('Table', 'AWS::DynamoDB::Table', 'UPDATE_FAILED', 'Limit exceeded'), stackOwnEvent('UPDATE_IN_PROGRESS')]));

    await awaitEvent();

    const failure = sfn.commandCalls(SendTaskFailureCommand)[0].args[0].input;
    expect(failure.error).toBe('StackUpdateFailedError');
    expect(JSON.parse(failure.cause ?? '')).toEqual({
      errorType: 'StackUpdateFailedError',
      errorMessage: expect.stringContaining('Updating stack prod-app failed (UPDATE_ROLLBACK_COMPLETE). First failure: Table (AWS::DynamoDB::Table) UPDATE_FAILED: Limit exceeded'),
    });
  });

  it('the completion function claimed the record first: answers nothing', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    dynamo.on(UpdateItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));

    expect(await awaitEvent()).toEqual({ waiting: false });
    expect(sfn.calls()).toHaveLength(0);
  });

  it('past the deadline and still changing (a fallback check): the outcome is unknown, said as such', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_IN_PROGRESS')] });
    const late = deployment({ maxWaitSeconds: 600, deadline: new Date(Date.now() - 1000).toISOString() });

    await awaitEvent({ deployment: late, retryCount: 3 });

    const failure = sfn.commandCalls(SendTaskFailureCommand)[0].args[0].input;
    expect(failure.error).toBe('StackOutcomeUnknownError');
    expect(JSON.parse(failure.cause ?? '').errorMessage).toMatch(/^Stack prod-app may still be changing: .* It had not finished when the deployment's budget of 600 seconds \(maxWaitSeconds\) ran out\. Last known status: UPDATE_IN_PROGRESS\./);
  });

  it('a throttled read of the stack is no answer: it waits for the event (or the next fallback check)', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    expect(await awaitEvent()).toEqual({ waiting: true });
    expect(sfn.calls()).toHaveLength(0);
  });

  it('a wait table that cannot be written fails the task as transient (the state retries it with a new token)', async () => {
    dynamo.on(PutItemCommand).rejects(awsError('ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded.'));

    await expect(awaitEvent()).rejects.toMatchObject({ name: 'AwsTransientError' });
    expect(cfn.calls()).toHaveLength(0);
  });

  it('without STACK_WAIT_TABLE it says what is missing', async () => {
    delete process.env[STACK_WAIT_TABLE_ENV];

    await expect(awaitEvent()).rejects.toMatchObject({ name: 'ConfigurationError', message: expect.stringMatching(/STACK_WAIT_TABLE is not set/) });
  });

  it('never logs the task token, which answers the wait', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    const lines: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' '))),
    );
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      await awaitEvent();
      dynamo.on(QueryCommand).resolves({ Items: [recordOfThisWait()] });
      await completeStackWait(EVENT);
    } finally {
      spies.forEach((spy) => spy.mockRestore());
      write.mockRestore();
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });
});

describe('the completion function', () => {
  it('answers each execution waiting on the stack with what a read of the stack says (the documented event shape)', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [recordOfThisWait()] });
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });

    const summary = await completeStackWait(EVENT);

    expect(summary).toEqual({ stackId: STACK_ID, status: 'UPDATE_COMPLETE', answered: 1, stillChanging: 0, alreadyAnswered: 0 });
    expect(dynamo.commandCalls(QueryCommand)[0].args[0].input).toMatchObject({
      TableName: TABLE,
      KeyConditionExpression: 'stackId = :stackId',
      ExpressionAttributeValues: { ':stackId': { S: STACK_ID } },
      ConsistentRead: true,
    });
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input.output ?? '')).toMatchObject({ decision: 'UPDATED', done: true });
  });

  it('an event out of order (the stack is still changing when read) answers nothing', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [recordOfThisWait()] });
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')] });

    expect(await completeStackWait(EVENT)).toMatchObject({ answered: 0, stillChanging: 1 });
    expect(dynamo.commandCalls(UpdateItemCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('claims as the event: a retried delivery of the same event finds its own mark and answers', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [recordOfThisWait()] });
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });

    await completeStackWait(EVENT);

    expect(dynamo.commandCalls(UpdateItemCommand)[0].args[0].input.ExpressionAttributeValues?.[':claimant']).toEqual({ S: `event:${EVENT.id}` });
  });

  it('a duplicate event finds the record gone and answers nothing', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });

    expect(await completeStackWait(EVENT)).toMatchObject({ answered: 0, stillChanging: 0, alreadyAnswered: 0 });
    expect(cfn.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('a record claimed by someone else, or a wait that already timed out, is counted and not an error', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [recordOfThisWait(), { ...recordOfThisWait(), waiter: { S: `${EXECUTION_ARN}-2` } }] });
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    dynamo.on(UpdateItemCommand).rejectsOnce(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} })).resolves({});
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));

    expect(await completeStackWait(EVENT)).toMatchObject({ answered: 0, alreadyAnswered: 2 });
  });

  it.each([
    ['an IN_PROGRESS status (the rule lets none through; a misconfigured rule might)', { ...EVENT, detail: { ...EVENT.detail, 'status-details': { status: 'UPDATE_IN_PROGRESS' } } }],
    ['another service\'s event', { ...EVENT, source: 'aws.s3' }],
    ['an event without a stack id', { ...EVENT, detail: { 'status-details': { status: 'UPDATE_COMPLETE' } } }],
  ])('ignores %s without reading anything', async (_what, event) => {
    await completeStackWait(event as StackStatusChangeEvent);

    expect(dynamo.calls()).toHaveLength(0);
    expect(cfn.calls()).toHaveLength(0);
  });

  it('a throttled wait table fails the invocation, for EventBridge to deliver the event again', async () => {
    dynamo.on(QueryCommand).rejects(awsError('ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded.'));

    await expect(completeStackWait(EVENT)).rejects.toMatchObject({ name: 'AwsTransientError' });
  });
});
