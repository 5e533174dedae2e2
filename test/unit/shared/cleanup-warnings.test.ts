/**
 * What an update left behind, read from its stack events. The events follow the published AWS CLI
 * example (test/fixtures/cloudformation/cfn-describe-stack-events-awscli-nexttoken.json): the
 * stack's own events carry PhysicalResourceId = StackId, newest first.
 */
import { CloudFormationClient, DescribeStackEventsCommand, type StackEvent } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { cleanupSummary, cleanupWarnings } from '../../../functions/shared/cleanup-warnings';
import { AwsTransientError } from '../../../functions/shared/errors';
import { MAX_STACK_EVENT_PAGES } from '../../../functions/shared/limits';
import { STACK_ID, awsError } from '../../helpers/aws';
import { eventsPage, rejectionOf, stackEvent, stackOwnEvent } from '../helpers';

const cfn = mockClient(CloudFormationClient);

const EXECUTED_AT = new Date('2026-11-01T10:00:00Z');
const COMPLETE_AT = new Date('2026-11-01T10:05:00Z');
const WINDOW = { from: EXECUTED_AT, to: COMPLETE_AT };

const at = (event: StackEvent, iso: string, physicalResourceId?: string): StackEvent => ({
  ...event,
  Timestamp: new Date(iso),
  ...(physicalResourceId ? { PhysicalResourceId: physicalResourceId } : {}),
});

// One update, newest first: the old version's deletion skipped (Retain), the old bucket's failed (not empty).
const UPDATE = [
  at(stackOwnEvent('UPDATE_COMPLETE'), '2026-11-01T10:04:30Z'),
  at(stackEvent('OldVersion', 'AWS::Lambda::Version', 'DELETE_SKIPPED'), '2026-11-01T10:04:20Z', 'arn:aws:lambda:us-east-1:123456789012:function:app:2'),
  at(stackEvent('AssetsBucket', 'AWS::S3::Bucket', 'DELETE_FAILED', 'The bucket you tried to delete is not empty'), '2026-11-01T10:04:10Z', 'prod-app-assets-1a2b'),
  at(stackEvent('AssetsBucket', 'AWS::S3::Bucket', 'DELETE_IN_PROGRESS'), '2026-11-01T10:04:00Z', 'prod-app-assets-1a2b'),
  at(stackOwnEvent('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'), '2026-11-01T10:03:50Z'),
  at(stackEvent('AssetsBucket', 'AWS::S3::Bucket', 'UPDATE_COMPLETE'), '2026-11-01T10:03:00Z', 'prod-app-assets-v2-3c4d'),
  at(stackOwnEvent('UPDATE_IN_PROGRESS', 'User Initiated'), '2026-11-01T10:00:05Z'),
];
// An earlier update that also left something behind: not this update's business.
const EARLIER = [
  at(stackOwnEvent('UPDATE_COMPLETE'), '2026-10-01T09:00:00Z'),
  at(stackEvent('OldQueue', 'AWS::SQS::Queue', 'DELETE_FAILED', 'Access denied'), '2026-10-01T08:59:00Z', 'https://sqs/old'),
];

beforeEach(() => {
  cfn.reset();
});

describe('cleanupWarnings', () => {
  it('lists the resources the update failed to delete or skipped, oldest first, with a message for each', async () => {
    cfn.on(DescribeStackEventsCommand, { StackName: STACK_ID }).resolves(eventsPage([...UPDATE, ...EARLIER]));

    const warnings = await cleanupWarnings(STACK_ID, WINDOW);

    expect(warnings).toEqual([
      {
        logicalResourceId: 'AssetsBucket',
        physicalResourceId: 'prod-app-assets-1a2b',
        resourceType: 'AWS::S3::Bucket',
        status: 'DELETE_FAILED',
        reason: 'The bucket you tried to delete is not empty',
        timestamp: '2026-11-01T10:04:10.000Z',
        message:
          "AssetsBucket (AWS::S3::Bucket) prod-app-assets-1a2b: CloudFormation could not delete it during the update's clean-up (The bucket you tried to delete is not empty); it is still in the account, outside the stack. Delete it by hand once the cause is fixed.",
      },
      {
        logicalResourceId: 'OldVersion',
        physicalResourceId: 'arn:aws:lambda:us-east-1:123456789012:function:app:2',
        resourceType: 'AWS::Lambda::Version',
        status: 'DELETE_SKIPPED',
        timestamp: '2026-11-01T10:04:20.000Z',
        message: expect.stringContaining('CloudFormation skipped its deletion (its DeletionPolicy or UpdateReplacePolicy is Retain)'),
      },
    ]);
  });

  it('stops at the start of the update: an earlier operation\'s leftovers are not read', async () => {
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage(UPDATE, 'page-2'));
    cfn.on(DescribeStackEventsCommand, { NextToken: 'page-2' }).resolves(eventsPage(EARLIER));

    const warnings = await cleanupWarnings(STACK_ID, { from: new Date('2026-09-01T00:00:00Z'), to: COMPLETE_AT });

    expect(warnings.map((w) => w.logicalResourceId)).toEqual(['AssetsBucket', 'OldVersion']);
    expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(1);
  });

  it('reads the next page when the update\'s events span pages, and ignores events after the window', async () => {
    const later = at(stackEvent('Other', 'AWS::SQS::Queue', 'DELETE_FAILED', 'a later operation'), '2026-11-01T11:00:00Z', 'q');
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([later, ...UPDATE.slice(0, 2)], 'page-2'));
    cfn.on(DescribeStackEventsCommand, { NextToken: 'page-2' }).resolves(eventsPage(UPDATE.slice(2)));

    const warnings = await cleanupWarnings(STACK_ID, WINDOW);

    expect(warnings.map((w) => [w.logicalResourceId, w.status])).toEqual([
      ['AssetsBucket', 'DELETE_FAILED'],
      ['OldVersion', 'DELETE_SKIPPED'],
    ]);
    expect(cfn.commandCalls(DescribeStackEventsCommand).map((call) => call.args[0].input.NextToken)).toEqual([undefined, 'page-2']);
  });

  it('counts a deletion that failed twice once', async () => {
    const failed = at(stackEvent('AssetsBucket', 'AWS::S3::Bucket', 'DELETE_FAILED', 'not empty'), '2026-11-01T10:04:10Z', 'b');
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([{ ...failed, EventId: 'second' }, failed, UPDATE.at(-1)!]));

    expect(await cleanupWarnings(STACK_ID, WINDOW)).toHaveLength(1);
  });

  it('finds nothing after a clean update', async () => {
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([UPDATE[0], UPDATE[4], UPDATE[5], UPDATE[6]]));

    expect(await cleanupWarnings(STACK_ID, WINDOW)).toEqual([]);
  });

  it(`reads at most ${MAX_STACK_EVENT_PAGES} pages`, async () => {
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage([at(stackEvent('Queue', 'AWS::SQS::Queue', 'UPDATE_COMPLETE'), '2026-11-01T10:01:00Z', 'q')], 'more'));

    await cleanupWarnings(STACK_ID, WINDOW);

    expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(MAX_STACK_EVENT_PAGES);
  });

  it('lets a throttled read be retried', async () => {
    cfn.on(DescribeStackEventsCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    expect(await rejectionOf(cleanupWarnings(STACK_ID, WINDOW))).toBeInstanceOf(AwsTransientError);
  });
});

describe('cleanupSummary', () => {
  it('says how many were left and why, in one sentence', async () => {
    cfn.on(DescribeStackEventsCommand).resolves(eventsPage(UPDATE));

    expect(cleanupSummary(await cleanupWarnings(STACK_ID, WINDOW))).toBe(
      'Warning: the update left 2 resource(s) in the account, outside the stack (1 could not be deleted, 1 kept by a Retain policy): AssetsBucket, OldVersion.',
    );
  });

  it('is nothing when nothing was left', () => {
    expect(cleanupSummary([])).toBeUndefined();
  });
});
