import { CloudFormationClient, DescribeChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/inspect-change-set-changes/handler';
import { AwsTransientError } from '../../functions/shared/errors';
import { CHANGE_SET_ID, awsError } from '../helpers/aws';
import { changeSetPage, changeSetState, commandsSent, deployment, publishedChangeSet, resourceChange } from './helpers';

const cfn = mockClient(CloudFormationClient);
const READY = changeSetState({ status: 'CREATE_COMPLETE', outcome: 'READY' });

beforeEach(() => {
  cfn.reset();
});

describe('Inspect Change Set Changes', () => {
  it('finds the published Replacement True change set unsafe, naming the resource and the properties that force it', async () => {
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: CHANGE_SET_ID }).resolves(publishedChangeSet('cfn-dcs-awsdocs-replacement-true-multiple.json'));

    const inspection = await handler({ deployment: deployment(), changeSet: READY });

    expect(inspection.safe).toBe(false);
    expect(inspection.offending).toEqual([
      expect.objectContaining({
        logicalResourceId: 'MyEC2Instance',
        resourceType: 'AWS::EC2::Instance',
        action: 'Modify',
        replacement: 'True',
        rule: 'replacement',
        causes: expect.arrayContaining(['Properties.KeyName (always replaces, DirectModification)']),
      }),
    ]);
    expect(commandsSent(cfn)).toEqual(['DescribeChangeSet']);
  });

  it('finds the published in-place change set safe', async () => {
    cfn.on(DescribeChangeSetCommand).resolves(publishedChangeSet('cfn-dcs-awscli-lambda-timeout-modify.json'));

    const inspection = await handler({ deployment: deployment(), changeSet: READY });

    expect(inspection).toMatchObject({ safe: true, changeCount: 1, offending: [] });
  });

  it('reads the nested stack\'s own change set (published root and child) and names its resources by path', async () => {
    const root = publishedChangeSet('cfn-dcs-awsdocs-nested-root.json');
    const child = publishedChangeSet('cfn-dcs-awsdocs-nested-child.json');
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: root.ChangeSetId }).resolves(root);
    cfn.on(DescribeChangeSetCommand, { ChangeSetName: child.ChangeSetId }).resolves({
      ...child,
      Changes: [...child.Changes!, resourceChange({ Action: 'Remove', LogicalResourceId: 'Queue', ResourceType: 'AWS::SQS::Queue', PhysicalResourceId: 'https://sqs/queue' })],
    });

    const inspection = await handler({ deployment: deployment(), changeSet: { ...READY, id: root.ChangeSetId! } });

    expect(inspection.changes.map((c) => c.logicalResourceId)).toEqual(['ChildStack', 'ChildStack/function', 'ChildStack/Queue']);
    expect(inspection.offending.map((o) => o.logicalResourceId)).toEqual(['ChildStack/Queue']);
    expect(inspection.summary).toBe('1 of 3 change(s) would remove or replace a resource: ChildStack/Queue.');
  });

  it('reads the second page too', async () => {
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('CREATE_COMPLETE', publishedChangeSet('cfn-dcs-awscli-lambda-timeout-modify.json').Changes, { NextToken: '2' }));
    cfn.on(DescribeChangeSetCommand, { NextToken: '2' }).resolves(changeSetPage('CREATE_COMPLETE', publishedChangeSet('cfn-dcs-localstack-sns-topicname-replacement.json').Changes));

    const inspection = await handler({ deployment: deployment(), changeSet: READY });

    expect(inspection.offending.map((o) => o.logicalResourceId)).toEqual(['topic123']);
  });

  it('lets a throttled read be retried rather than judging a partial list', async () => {
    cfn.on(DescribeChangeSetCommand).resolvesOnce(changeSetPage('CREATE_COMPLETE', [], { NextToken: '2' })).rejects(awsError('Throttling', 'Rate exceeded'));

    await expect(handler({ deployment: deployment(), changeSet: READY })).rejects.toBeInstanceOf(AwsTransientError);
  });
});
