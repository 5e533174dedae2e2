import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import {
  decideForExistingStack,
  describeFailure,
  describeStack,
  firstFailure,
  operationOutcome,
  stackOutputs,
} from '../../../functions/shared/stacks';
import { AwsCallError, AwsTransientError, StackNotReadyError } from '../../../functions/shared/errors';
import { MAX_STACK_EVENT_PAGES } from '../../../functions/shared/limits';
import { STACK_ID, STACK_NAME, awsError, fixture, stack, stackMissing } from '../../helpers/aws';
import { eventsPage, publishedStack, rejectionOf, stackEvent, stackOwnEvent, thrownBy } from '../helpers';
import type { DescribeStackEventsCommandOutput } from '@aws-sdk/client-cloudformation';

const cfn = mockClient(CloudFormationClient);

beforeEach(() => {
  cfn.reset();
});

describe('describeStack', () => {
  it('returns the stack CloudFormation describes', async () => {
    const published = publishedStack('cfn-ds-awscli-create-complete.json');
    cfn.on(DescribeStacksCommand, { StackName: 'myteststack' }).resolves({ Stacks: [published] });

    const described = await describeStack('myteststack');

    expect(described).toBe(published);
    expect(cfn.commandCalls(DescribeStacksCommand)[0].args[0].input).toEqual({ StackName: 'myteststack' });
  });

  it('returns undefined for the published "Stack with id X does not exist"', async () => {
    cfn.on(DescribeStacksCommand).rejects(stackMissing(STACK_NAME));

    await expect(describeStack(STACK_NAME)).resolves.toBeUndefined();
  });

  it.each([
    ['another ValidationError', awsError('ValidationError', '1 validation error detected: Value at \'stackName\' failed to satisfy constraint'), AwsCallError],
    ['AccessDenied', awsError('AccessDenied', 'User is not authorized to perform: cloudformation:DescribeStacks', 403), AwsCallError],
    ['throttling', awsError('Throttling', 'Rate exceeded'), AwsTransientError],
  ])('throws on %s: never "the stack does not exist"', async (_case, error, expected) => {
    cfn.on(DescribeStacksCommand).rejects(error);

    const thrown = await rejectionOf(describeStack(STACK_NAME));

    expect(thrown).toBeInstanceOf(expected);
    expect(thrown.message).toContain(`CloudFormation DescribeStacks ${STACK_NAME} failed with ${error.name}`);
  });
});

describe('decideForExistingStack', () => {
  it.each(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE'])('%s is updated through a change set', (status) => {
    expect(decideForExistingStack(STACK_NAME, status)).toEqual({
      action: 'UPDATE',
      note: `Stack prod-app exists (${status}): it is updated through a change set that is inspected first.`,
    });
  });

  it('the published ROLLBACK_COMPLETE stack (a failed first create) is deleted and created afresh', () => {
    const decision = decideForExistingStack(STACK_NAME, publishedStack('cfn-ds-localstack-rollback-complete-stack.json').StackStatus!);

    expect(decision.action).toBe('RECREATE');
    expect(decision.note).toContain('ROLLBACK_COMPLETE: its first create failed and it holds no resources');
  });

  it('the published REVIEW_IN_PROGRESS shell is created through a CREATE change set', () => {
    const decision = decideForExistingStack(STACK_NAME, publishedStack('cfn-ds-localstack-review-in-progress.json').StackStatus!);

    expect(decision.action).toBe('CREATE_WITH_CHANGE_SET');
    expect(decision.note).toContain('REVIEW_IN_PROGRESS');
  });

  it.each([
    [publishedStack('cfn-ds-localstack-rollback-failed.json').StackStatus!, 'Delete the stack (retaining the resources that fail to delete)'],
    ['UPDATE_ROLLBACK_FAILED', 'run "aws cloudformation continue-update-rollback --stack-name prod-app"'],
    ['IMPORT_ROLLBACK_FAILED', 'roll the import back in the CloudFormation console'],
    [publishedStack('cfn-ds-localstack-delete-failed.json').StackStatus!, 'Finish deleting it (or restore it)'],
    ['CREATE_FAILED', 'aws cloudformation rollback-stack --stack-name prod-app'],
    ['UPDATE_FAILED', 'aws cloudformation rollback-stack --stack-name prod-app'],
  ])('%s cannot take a change: StackNotReadyError says what to do', (status, advice) => {
    const error = thrownBy(() => decideForExistingStack(STACK_NAME, status));

    expect(error).toBeInstanceOf(StackNotReadyError);
    expect(error.message).toMatch(new RegExp(`^Stack prod-app is ${status}`));
    expect(error.message).toContain(advice);
  });

  it.each([
    'CREATE_IN_PROGRESS',
    'UPDATE_IN_PROGRESS',
    'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
    'UPDATE_ROLLBACK_IN_PROGRESS',
    'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
    'ROLLBACK_IN_PROGRESS',
    'DELETE_IN_PROGRESS',
    'IMPORT_IN_PROGRESS',
    'IMPORT_ROLLBACK_IN_PROGRESS',
  ])('%s is busy: another operation is running', (status) => {
    const error = thrownBy(() => decideForExistingStack(STACK_NAME, status));

    expect(error).toBeInstanceOf(StackNotReadyError);
    expect(error.message).toBe(`Stack prod-app is busy (${status}): another operation is running on it. Wait until it finishes, then run the deployment again.`);
  });

  it.each(['DELETE_COMPLETE', 'SOME_FUTURE_STATUS', 'UNKNOWN'])('%s, a status it does not handle, is refused', (status) => {
    const error = thrownBy(() => decideForExistingStack(STACK_NAME, status));

    expect(error).toBeInstanceOf(StackNotReadyError);
    expect(error.message).toBe(`Stack prod-app is in status ${status}, which this deployer does not change. Resolve it in the CloudFormation console, then run the deployment again.`);
  });
});

describe('operationOutcome', () => {
  it.each([
    ['CREATE_COMPLETE', ['CREATE_COMPLETE'], 'SUCCEEDED'],
    ['UPDATE_COMPLETE', ['UPDATE_COMPLETE'], 'SUCCEEDED'],
    ['CREATE_IN_PROGRESS', ['CREATE_COMPLETE'], 'RUNNING'],
    ['ROLLBACK_IN_PROGRESS', ['CREATE_COMPLETE'], 'RUNNING'],
    ['REVIEW_IN_PROGRESS', ['CREATE_COMPLETE'], 'RUNNING'],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', ['UPDATE_COMPLETE'], 'RUNNING'],
    ['UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', ['UPDATE_COMPLETE'], 'RUNNING'],
    ['ROLLBACK_COMPLETE', ['CREATE_COMPLETE'], 'FAILED'],
    ['CREATE_FAILED', ['CREATE_COMPLETE'], 'FAILED'],
    ['UPDATE_ROLLBACK_COMPLETE', ['UPDATE_COMPLETE'], 'FAILED'],
    ['UPDATE_ROLLBACK_FAILED', ['UPDATE_COMPLETE'], 'FAILED'],
    ['UPDATE_COMPLETE', ['CREATE_COMPLETE'], 'FAILED'],
    ['DELETE_COMPLETE', ['UPDATE_COMPLETE'], 'FAILED'],
  ])('%s against %p is %s', (status, success, outcome) => {
    expect(operationOutcome(status, success)).toBe(outcome);
  });
});

describe('stackOutputs', () => {
  it('lists the published stack\'s outputs with their descriptions', () => {
    expect(stackOutputs(publishedStack('cfn-ds-awscli-create-complete.json'))).toEqual([
      { OutputKey: 'BucketName', OutputValue: 'myteststack-s3bucket-jssofi1zie2w', Description: 'Name of S3 bucket to hold website content' },
    ]);
  });

  it('keeps export names, and is empty for a stack without outputs', () => {
    expect(stackOutputs(stack('UPDATE_COMPLETE', { Outputs: [{ OutputKey: 'Arn', OutputValue: 'arn:x', ExportName: 'prod-app-Arn' }] }))).toEqual([
      { OutputKey: 'Arn', OutputValue: 'arn:x', ExportName: 'prod-app-Arn' },
    ]);
    expect(stackOutputs(stack('UPDATE_COMPLETE'))).toEqual([]);
  });
});

describe('firstFailure', () => {
  const TABLE_FAILED = stackEvent('Table', 'AWS::DynamoDB::Table', 'CREATE_FAILED', 'users already exists in stack arn:aws:cloudformation:us-east-1:123456789012:stack/other/1');
  const TOPIC_CANCELLED = stackEvent('Topic', 'AWS::SNS::Topic', 'CREATE_FAILED', 'Resource creation cancelled');
  const OLDER_FAILURE = stackEvent('OldTable', 'AWS::DynamoDB::Table', 'UPDATE_FAILED', 'an older operation, not this one');

  it('returns the oldest failure of the latest operation, not the cancellations that follow it', async () => {
    cfn.on(DescribeStackEventsCommand).resolves(
      eventsPage([stackOwnEvent('ROLLBACK_COMPLETE'), stackOwnEvent('ROLLBACK_IN_PROGRESS', 'The following resource(s) failed to create: [Table].'), TOPIC_CANCELLED, TABLE_FAILED, stackOwnEvent('CREATE_IN_PROGRESS', 'User Initiated')]),
    );

    const failure = await firstFailure(STACK_ID);

    expect(failure).toEqual({
      logicalResourceId: 'Table',
      resourceType: 'AWS::DynamoDB::Table',
      status: 'CREATE_FAILED',
      reason: 'users already exists in stack arn:aws:cloudformation:us-east-1:123456789012:stack/other/1',
    });
    expect(cfn.commandCalls(DescribeStackEventsCommand)[0].args[0].input).toEqual({ StackName: STACK_ID, NextToken: undefined });
  });

  it('reads events across pages, following the published NextToken, until the operation start', async () => {
    const published = fixture<DescribeStackEventsCommandOutput>('cloudformation/cfn-describe-stack-events-awscli-nexttoken.json');
    cfn.on(DescribeStackEventsCommand).resolves(published);
    cfn.on(DescribeStackEventsCommand, { NextToken: published.NextToken }).resolves(eventsPage([TOPIC_CANCELLED, TABLE_FAILED], 'page-3'));
    cfn.on(DescribeStackEventsCommand, { NextToken: 'page-3' }).resolves(eventsPage([stackOwnEvent('CREATE_IN_PROGRESS', 'User Initiated'), OLDER_FAILURE], 'page-4'));

    const failure = await firstFailure(STACK_ID);

    expect(failure?.logicalResourceId).toBe('Table');
    expect(cfn.commandCalls(DescribeStackEventsCommand).map((call) => call.args[0].input.NextToken)).toEqual([undefined, published.NextToken, 'page-3']);
  });

  it('stops at the operation start: failures of older operations, and pages after it, are never read', async () => {
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([stackOwnEvent('UPDATE_IN_PROGRESS', 'User Initiated'), OLDER_FAILURE], 'older-page'));

    const failure = await firstFailure(STACK_ID);

    expect(failure).toBeUndefined();
    expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(1);
  });

  it.each(['CREATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS', 'IMPORT_IN_PROGRESS', 'DELETE_IN_PROGRESS'])('%s of the stack itself marks the start', async (status) => {
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([TABLE_FAILED, stackOwnEvent(status), OLDER_FAILURE]));

    await expect(firstFailure(STACK_ID)).resolves.toMatchObject({ logicalResourceId: 'Table' });
  });

  it('does not take the stack\'s own rollback or cleanup events for the start', async () => {
    cfn.on(DescribeStackEventsCommand).resolves(
      eventsPage([stackOwnEvent('UPDATE_ROLLBACK_IN_PROGRESS'), stackOwnEvent('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'), TABLE_FAILED, stackOwnEvent('UPDATE_IN_PROGRESS')]),
    );

    await expect(firstFailure(STACK_ID)).resolves.toMatchObject({ logicalResourceId: 'Table' });
  });

  it('counts a nested stack\'s failure as a resource failure, and not the stack\'s own failed status', async () => {
    const nested = { ...stackEvent('ChildStack', 'AWS::CloudFormation::Stack', 'UPDATE_FAILED', 'Embedded stack was not successfully updated'), PhysicalResourceId: `${STACK_ID}-ChildStack` };
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([stackOwnEvent('UPDATE_ROLLBACK_FAILED', 'rollback failed'), nested, stackOwnEvent('UPDATE_IN_PROGRESS')]));

    await expect(firstFailure(STACK_ID)).resolves.toEqual({
      logicalResourceId: 'ChildStack',
      resourceType: 'AWS::CloudFormation::Stack',
      status: 'UPDATE_FAILED',
      reason: 'Embedded stack was not successfully updated',
    });
  });

  it('prefers a real failure to a cancellation, even one reported before it', async () => {
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([TABLE_FAILED, TOPIC_CANCELLED, stackOwnEvent('CREATE_IN_PROGRESS')]));

    await expect(firstFailure(STACK_ID)).resolves.toMatchObject({ logicalResourceId: 'Table' });
  });

  it('falls back to the oldest cancellation when every failure is one', async () => {
    const other = stackEvent('Queue', 'AWS::SQS::Queue', 'UPDATE_FAILED', 'Resource update cancelled');
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([TOPIC_CANCELLED, other, stackOwnEvent('UPDATE_IN_PROGRESS')]));

    await expect(firstFailure(STACK_ID)).resolves.toMatchObject({ logicalResourceId: 'Queue' });
  });

  it('names a failure without a reason', async () => {
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([stackEvent('Table', 'AWS::DynamoDB::Table', 'DELETE_FAILED'), stackOwnEvent('DELETE_IN_PROGRESS')]));

    await expect(firstFailure(STACK_ID)).resolves.toMatchObject({ status: 'DELETE_FAILED', reason: '(no reason given)' });
  });

  it(`reads at most ${MAX_STACK_EVENT_PAGES} pages and answers with what it found`, async () => {
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([TABLE_FAILED], 'more'));

    const failure = await firstFailure(STACK_ID);

    expect(failure?.logicalResourceId).toBe('Table');
    expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(MAX_STACK_EVENT_PAGES);
  });

  it('stops when there is no next page', async () => {
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([TABLE_FAILED]));

    await expect(firstFailure(STACK_ID)).resolves.toMatchObject({ logicalResourceId: 'Table' });
    expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(1);
  });

  it('lets a throttled read be retried', async () => {
    cfn.on(DescribeStackEventsCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    await expect(firstFailure(STACK_ID)).rejects.toBeInstanceOf(AwsTransientError);
  });
});

describe('describeFailure', () => {
  it('names the resource, its type, status and reason', () => {
    const text = describeFailure({ logicalResourceId: 'Table', resourceType: 'AWS::DynamoDB::Table', status: 'CREATE_FAILED', reason: 'exists' }, stack('ROLLBACK_COMPLETE'));

    expect(text).toBe('Table (AWS::DynamoDB::Table) CREATE_FAILED: exists');
  });

  it('falls back to the stack\'s status reason (published DELETE_FAILED stack), then to saying there is none', () => {
    expect(describeFailure(undefined, publishedStack('cfn-ds-localstack-delete-failed.json'))).toBe(
      'stack status reason: The following resource(s) failed to delete: [BrokenPolicy]. ',
    );
    expect(describeFailure(undefined, stack('ROLLBACK_COMPLETE'))).toBe('CloudFormation gave no reason in the stack events');
  });
});
