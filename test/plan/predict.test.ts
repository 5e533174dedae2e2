import type { Change } from '@aws-sdk/client-cloudformation';
import { predictChangeSet } from '../../local/plan';
import { byLogicalId, consoleSummaries, apiSummaries, fixtureJson, fixtureText, predicted, side, summary } from './helpers';

type ConsoleChanges = Parameters<typeof consoleSummaries>[0];

const BUCKET_BEFORE = fixtureText('sandbox', 'cfn-template-cfn101-bucket-before.yaml');
const EC2 = fixtureText('sandbox', 'cfn-template-awsdocs-ec2-instance-changesets.json');

describe('plan: predictions against the change sets CloudFormation published for the same template pairs', () => {
  it('cfn101: a new BucketName parameter value replaces the bucket (Replacement True, BucketName Always)', () => {
    // Prepare
    const expected = consoleSummaries(fixtureJson<ConsoleChanges>('sandbox', 'cfn-changes-console-cfn101-bucketname-replacement.json'));

    // Act
    const changes = predicted(side(BUCKET_BEFORE, { BucketName: 'understanding-changesets-123' }), side(BUCKET_BEFORE, { BucketName: 'understanding-changesets-456' }));

    // Assess
    expect(changes.map(summary)).toEqual(expected);
    expect(changes[0]).toMatchObject({ PolicyAction: 'ReplaceAndDelete', Details: expect.arrayContaining([expect.objectContaining({ ChangeSource: 'ParameterReference', CausingEntity: 'BucketName' })]) });
  });

  it('cfn101: adding VersioningConfiguration modifies the bucket in place (Replacement False)', () => {
    const expected = consoleSummaries(fixtureJson<ConsoleChanges>('sandbox', 'cfn-changes-console-cfn101-versioning-no-replacement.json'));

    const changes = predicted(side(BUCKET_BEFORE, { BucketName: 'b-123' }), side(fixtureText('sandbox', 'cfn-template-cfn101-bucket-after-versioning.yaml'), { BucketName: 'b-123' }));

    expect(changes.map(summary)).toEqual(expected);
    expect(changes[0].Details).toEqual([{ Target: { Attribute: 'Properties', Name: 'VersioningConfiguration', RequiresRecreation: 'Never' }, Evaluation: 'Static', ChangeSource: 'DirectModification' }]);
  });

  it('cfn101: renaming the logical id removes the old bucket and adds the new one (and the queue)', () => {
    const expected = consoleSummaries(fixtureJson<ConsoleChanges>('sandbox', 'cfn-changes-console-cfn101-logical-id-rename.json'));

    const changes = predicted(side(BUCKET_BEFORE, { BucketName: 'b-123' }), side(fixtureText('sandbox', 'cfn-template-cfn101-changeset-challenge.yaml'), { BucketName: 'b-123' }));

    expect(byLogicalId(changes.map(summary))).toEqual(byLogicalId(expected));
    expect(changes.find((change) => change.Action === 'Remove')).toMatchObject({ PolicyAction: 'Delete' });
  });

  it('SNS: a new TopicName replaces the topic (the LocalStack recording against AWS)', () => {
    const expected = apiSummaries(fixtureJson<{ Changes: Change[] }>('sandbox', 'cfn-dcs-localstack-sns-topicname-replacement.json').Changes);
    const before = fixtureText('sandbox', 'cfn-template-localstack-sns-topic-simple.yaml');

    const changes = predicted(side(before), side(before.replace(/sns-topic-simple/g, 'sns-topic-simple-2')));

    expect(changes.map(summary)).toEqual(expected);
  });

  it('EC2 (AWS docs): KeyName replaces, InstanceType may replace, Tags never do: Replacement True', () => {
    const expected = fixtureJson<{ Changes: Change[] }>('sandbox', 'cfn-dcs-awsdocs-replacement-true-multiple.json').Changes;

    const changes = predicted(side(EC2, { KeyPairName: 'MyKeyName' }), side(EC2, { Purpose: 'production', KeyPairName: 'MyNewKeyName', InstanceType: 't2.small' }));

    expect(changes.map(summary)).toEqual(apiSummaries(expected));
    // The parameter details name the same parameters as the real answer.
    expect(changes[0].Details?.filter((detail) => detail.ChangeSource === 'ParameterReference')).toEqual(
      expect.arrayContaining((expected[0].ResourceChange?.Details ?? []).filter((detail) => detail.ChangeSource === 'ParameterReference')),
    );
  });

  it('EC2 (AWS docs): a new Purpose only retags the instance (Replacement False), detail for detail', () => {
    const expected = fixtureJson<{ Changes: Change[] }>('sandbox', 'cfn-dcs-awsdocs-parameter-modify.json').Changes;

    const changes = predicted(side(EC2, { KeyPairName: 'MyKeyName' }), side(EC2, { KeyPairName: 'MyKeyName', Purpose: 'production' }));

    expect(changes.map((change) => change.Details)).toEqual(expected.map((change) => change.ResourceChange?.Details));
    expect(changes.map(summary)).toEqual(apiSummaries(expected));
  });
});

describe('plan: what the schemas say and what cannot be known offline', () => {
  const TABLE = `
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
  Setting:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Sub "/app/\${Table}"
      Type: String
      Value: !GetAtt Table.Arn
`;

  it('a resource whose create-only property names a replaced resource may be replaced (Conditional), its other properties change in place', () => {
    const changes = predicted(side(TABLE), side(TABLE.replace('TableName: orders', 'TableName: orders-v2')));

    expect(changes.map(summary)).toEqual([
      { action: 'Modify', logicalId: 'Table', replacement: 'True', targets: ['Properties/TableName/Always'] },
      { action: 'Modify', logicalId: 'Setting', replacement: 'Conditional', targets: ['Properties/Name/Conditionally', 'Properties/Value/Never'] },
    ]);
    expect(changes[1].Details).toEqual(
      expect.arrayContaining([
        { Target: { Attribute: 'Properties', Name: 'Name', RequiresRecreation: 'Conditionally' }, Evaluation: 'Dynamic', ChangeSource: 'ResourceReference', CausingEntity: 'Table' },
        { Target: { Attribute: 'Properties', Name: 'Value', RequiresRecreation: 'Never' }, Evaluation: 'Dynamic', ChangeSource: 'ResourceAttribute', CausingEntity: 'Table.Arn' },
      ]),
    );
  });

  it('a create-only property that becomes an import is a possible replacement, not a certain one', () => {
    const before = 'Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: alerts\n';

    const changes = predicted(side(before), side(before.replace('TopicName: alerts', 'TopicName: !ImportValue shared-topic-name')));

    expect(changes.map(summary)).toEqual([{ action: 'Modify', logicalId: 'Topic', replacement: 'Conditional', targets: ['Properties/TopicName/Conditionally'] }]);
    expect(changes[0].Details?.[0].Evaluation).toBe('Dynamic');
  });

  it('a property read from an SSM parameter at deploy time may change on any deployment, the template unchanged', () => {
    // Prepare: the AWS documentation's pattern for the latest Amazon Linux AMI.
    const instance = `
Parameters:
  LatestAmiId:
    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>
    Default: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64
Resources:
  Server:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: !Ref LatestAmiId
      InstanceType: t3.micro
`;

    // Act
    const report = predictChangeSet({ deployed: side(instance), proposed: side(instance) });

    // Assess
    expect(report.changes.map(({ change }) => summary(change))).toEqual([{ action: 'Modify', logicalId: 'Server', replacement: 'Conditional', targets: ['Properties/ImageId/Conditionally'] }]);
    expect(report.changes[0].change.Details).toEqual([
      { Target: { Attribute: 'Properties', Name: 'ImageId', RequiresRecreation: 'Conditionally' }, Evaluation: 'Dynamic', ChangeSource: 'ParameterReference', CausingEntity: 'LatestAmiId' },
    ]);
    expect(report.changes[0].notes).toContain('ImageId takes the value of SSM parameter LatestAmiId at deploy time: it changes if that value changed since the last deployment');
  });

  it('a create-only property below the top level replaces (ECS capacity provider AutoScalingGroupProvider.AutoScalingGroupArn)', () => {
    const provider = (arn: string, protection: string) => `
Resources:
  Provider:
    Type: AWS::ECS::CapacityProvider
    Properties:
      AutoScalingGroupProvider:
        AutoScalingGroupArn: ${arn}
        ManagedTerminationProtection: ${protection}
`;
    const replaced = predicted(side(provider('asg-a', 'DISABLED')), side(provider('asg-b', 'DISABLED')));
    const inPlace = predicted(side(provider('asg-a', 'DISABLED')), side(provider('asg-a', 'ENABLED')));

    expect(replaced.map(summary)).toEqual([{ action: 'Modify', logicalId: 'Provider', replacement: 'True', targets: ['Properties/AutoScalingGroupProvider/Always'] }]);
    expect(inPlace.map(summary)).toEqual([{ action: 'Modify', logicalId: 'Provider', replacement: 'False', targets: ['Properties/AutoScalingGroupProvider/Never'] }]);
  });

  it('a type the schemas do not know (AWS::CDK::Metadata, Custom::*) may be replaced by any modification, and says why', () => {
    const before = 'Resources:\n  CDKMetadata:\n    Type: AWS::CDK::Metadata\n    Properties:\n      Analytics: v2:deflate64:abc\n  Seed:\n    Type: Custom::Seed\n    Properties:\n      ServiceToken: arn:aws:lambda:us-east-1:123456789012:function:seed\n      Rows: 1\n';

    const prediction = predicted(side(before), side(before.replace('abc', 'def').replace('Rows: 1', 'Rows: 2')));

    expect(prediction.map(summary)).toEqual([
      { action: 'Modify', logicalId: 'CDKMetadata', replacement: 'Conditional', targets: ['Properties/Analytics/Conditionally'] },
      { action: 'Modify', logicalId: 'Seed', replacement: 'Conditional', targets: ['Properties/Rows/Conditionally'] },
    ]);
  });

  it('a removal carries the DeletionPolicy as PolicyAction; a replacement its UpdateReplacePolicy', () => {
    const before = 'Resources:\n  Keep:\n    Type: AWS::SQS::Queue\n    DeletionPolicy: Retain\n  Log:\n    Type: AWS::Logs::LogGroup\n    UpdateReplacePolicy: Retain\n    Properties:\n      LogGroupName: app\n';

    const changes = predicted(side(before), side('Resources:\n  Log:\n    Type: AWS::Logs::LogGroup\n    UpdateReplacePolicy: Retain\n    Properties:\n      LogGroupName: app-v2\n'));

    expect(changes.map((change) => [change.LogicalResourceId, change.Action, change.Replacement, change.PolicyAction])).toEqual([
      ['Log', 'Modify', 'True', 'ReplaceAndRetain'],
      ['Keep', 'Remove', undefined, 'Retain'],
    ]);
  });

  it('numbers written as strings, and conditions that keep a resource out, change nothing', () => {
    const before = 'Parameters:\n  Env: { Type: String, Default: dev }\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: { DelaySeconds: 5 }\n  Alarm:\n    Type: AWS::SNS::Topic\n    Condition: IsProd\n';

    expect(predicted(side(before), side(before.replace('DelaySeconds: 5', 'DelaySeconds: "5"')))).toEqual([]);
    expect(predicted(side(before), side(before, { Env: 'prod' })).map(summary)).toEqual([{ action: 'Add', logicalId: 'Alarm', replacement: null, targets: [] }]);
  });
});
