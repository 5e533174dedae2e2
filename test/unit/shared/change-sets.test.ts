import { CloudFormationClient, DescribeChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { allChanges, changeSetRef, describeChangeSetPage, isNoChangesReason } from '../../../functions/shared/change-sets';
import { AwsCallError, AwsTransientError } from '../../../functions/shared/errors';
import { CHANGE_SET_ID, STACK_NAME, awsError, fixture } from '../../helpers/aws';
import { CHANGE_SET_NAME, changeSetPage, publishedChangeSet, rejectionOf, resourceChange } from '../helpers';

const cfn = mockClient(CloudFormationClient);

const ROOT = publishedChangeSet('cfn-dcs-awsdocs-nested-root.json');
const CHILD = publishedChangeSet('cfn-dcs-awsdocs-nested-child.json');

beforeEach(() => {
  cfn.reset();
});

describe('isNoChangesReason', () => {
  it('is true for the published reason of an empty change set', () => {
    expect(isNoChangesReason(publishedChangeSet('cfn-dcs-localstack-failed-no-changes.json').StatusReason)).toBe(true);
  });

  it('is true for the published "No updates are to be performed."', () => {
    expect(isNoChangesReason(fixture<{ Error: { Message: string } }>('cloudformation/cfn-error-no-updates.json').Error.Message)).toBe(true);
  });

  it.each([
    'Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template',
    'Parameters: [TableName] must have values',
    'Executable from root change set',
    '',
  ])('is false for "%s"', (reason) => {
    expect(isNoChangesReason(reason)).toBe(false);
  });

  it('is false when there is no reason', () => {
    expect(isNoChangesReason(undefined)).toBe(false);
  });
});

describe('changeSetRef', () => {
  it('names a change set by its ARN alone', () => {
    expect(changeSetRef(STACK_NAME, { id: CHANGE_SET_ID })).toEqual({ changeSet: CHANGE_SET_ID });
  });

  it('names a change set by name together with its stack when there is no ARN', () => {
    expect(changeSetRef(STACK_NAME, { id: CHANGE_SET_NAME })).toEqual({ changeSet: CHANGE_SET_NAME, stackName: STACK_NAME });
  });
});

describe('describeChangeSetPage', () => {
  it('asks for the page it is given', async () => {
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('CREATE_COMPLETE'));

    const page = await describeChangeSetPage({ changeSet: CHANGE_SET_NAME, stackName: STACK_NAME }, 'page-2');

    expect(page.Status).toBe('CREATE_COMPLETE');
    expect(cfn.commandCalls(DescribeChangeSetCommand)[0].args[0].input).toEqual({ ChangeSetName: CHANGE_SET_NAME, StackName: STACK_NAME, NextToken: 'page-2' });
  });

  it('classifies errors: throttling is retried, a missing change set is not', async () => {
    cfn.on(DescribeChangeSetCommand).rejectsOnce(awsError('Throttling', 'Rate exceeded')).rejectsOnce(awsError('ChangeSetNotFound', 'ChangeSet [x] does not exist', 404));

    const throttled = await rejectionOf(describeChangeSetPage({ changeSet: CHANGE_SET_ID }));
    const missing = await rejectionOf(describeChangeSetPage({ changeSet: CHANGE_SET_ID }));

    expect(throttled).toBeInstanceOf(AwsTransientError);
    expect(missing).toBeInstanceOf(AwsCallError);
    expect(missing.message).toContain(`CloudFormation DescribeChangeSet ${CHANGE_SET_ID} failed with ChangeSetNotFound`);
  });
});

describe('allChanges', () => {
  it('returns every change of a one-page change set, at the top level', async () => {
    const published = publishedChangeSet('cfn-dcs-awsdocs-add-remove.json');
    cfn.on(DescribeChangeSetCommand).resolves(published);

    const located = await allChanges({ changeSet: CHANGE_SET_ID });

    expect(located.map(({ path, change }) => [path, change.ResourceChange?.LogicalResourceId])).toEqual([
      ['', 'AutoScalingGroup'],
      ['', 'LaunchConfig'],
      ['', 'MyEC2Instance'],
    ]);
    expect(cfn.commandCalls(DescribeChangeSetCommand)).toHaveLength(1);
  });

  it('reads every page, following NextToken until there is none', async () => {
    const add = resourceChange({ Action: 'Add', LogicalResourceId: 'Queue', ResourceType: 'AWS::SQS::Queue' });
    const remove = resourceChange({ Action: 'Remove', LogicalResourceId: 'Table', ResourceType: 'AWS::DynamoDB::Table' });
    const modify = resourceChange({ Action: 'Modify', LogicalResourceId: 'Fn', ResourceType: 'AWS::Lambda::Function', Replacement: 'False' });
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('CREATE_COMPLETE', [add], { NextToken: 'page-2' }));
    cfn.on(DescribeChangeSetCommand, { NextToken: 'page-2' }).resolves(changeSetPage('CREATE_COMPLETE', [remove], { NextToken: 'page-3' }));
    cfn.on(DescribeChangeSetCommand, { NextToken: 'page-3' }).resolves(changeSetPage('CREATE_COMPLETE', [modify]));

    const located = await allChanges({ changeSet: CHANGE_SET_ID });

    expect(located.map(({ change }) => change.ResourceChange?.LogicalResourceId)).toEqual(['Queue', 'Table', 'Fn']);
    expect(cfn.commandCalls(DescribeChangeSetCommand).map((call) => call.args[0].input.NextToken)).toEqual([undefined, 'page-2', 'page-3']);
  });

  it('follows a nested stack\'s ResourceChange.ChangeSetId into its own change set (published root and child) and puts the parent in the path', async () => {
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: ROOT.ChangeSetId }).resolves(ROOT);
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: CHILD.ChangeSetId }).resolves(CHILD);

    const located = await allChanges({ changeSet: ROOT.ChangeSetId! });

    expect(located.map(({ path, change }) => [path, change.ResourceChange?.LogicalResourceId, change.ResourceChange?.ResourceType])).toEqual([
      ['', 'ChildStack', 'AWS::CloudFormation::Stack'],
      ['ChildStack/', 'function', 'AWS::Lambda::Function'],
    ]);
    const child = cfn.commandCalls(DescribeChangeSetCommand)[1].args[0].input;
    expect(child).toEqual({ ChangeSetName: CHILD.ChangeSetId, StackName: undefined, NextToken: undefined });
  });

  it('reads every page of a nested change set, and nests paths level by level', async () => {
    const grandChildStack = resourceChange({
      Action: 'Modify',
      LogicalResourceId: 'Inner',
      ResourceType: 'AWS::CloudFormation::Stack',
      Replacement: 'False',
      ChangeSetId: 'arn:aws:cloudformation:us-west-2:123456789012:changeSet/inner/1',
    });
    const removed = resourceChange({ Action: 'Remove', LogicalResourceId: 'Queue', ResourceType: 'AWS::SQS::Queue' });
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: ROOT.ChangeSetId }).resolves(ROOT);
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: CHILD.ChangeSetId }).resolves({ ...CHILD, NextToken: 'child-2' });
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: CHILD.ChangeSetId, NextToken: 'child-2' }).resolves({ ...CHILD, Changes: [grandChildStack] });
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: 'arn:aws:cloudformation:us-west-2:123456789012:changeSet/inner/1' }).resolves({ ...CHILD, Changes: [removed] });

    const located = await allChanges({ changeSet: ROOT.ChangeSetId! });

    expect(located.map(({ path, change }) => `${path}${change.ResourceChange?.LogicalResourceId}`)).toEqual([
      'ChildStack',
      'ChildStack/function',
      'ChildStack/Inner',
      'ChildStack/Inner/Queue',
    ]);
  });

  it('follows only nested stacks that carry a ChangeSetId', async () => {
    const removedStack = resourceChange({ Action: 'Remove', LogicalResourceId: 'OldChild', ResourceType: 'AWS::CloudFormation::Stack' });
    const notAStack = resourceChange({ Action: 'Modify', LogicalResourceId: 'Fn', ResourceType: 'AWS::Lambda::Function', Replacement: 'False', ChangeSetId: CHANGE_SET_ID });
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('CREATE_COMPLETE', [removedStack, notAStack]));

    const located = await allChanges({ changeSet: 'root' });

    expect(located).toHaveLength(2);
    expect(cfn.commandCalls(DescribeChangeSetCommand)).toHaveLength(1);
  });
});
