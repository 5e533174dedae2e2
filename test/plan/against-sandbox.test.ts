import { CloudFormationClient, CreateChangeSetCommand, DescribeChangeSetCommand, type Change } from '@aws-sdk/client-cloudformation';
import { useSandbox } from '../sandbox/helpers';
import { byLogicalId, apiSummaries, fixtureText, predicted, side, summary } from './helpers';

const cfn = new CloudFormationClient({});

/** The sandbox's change set for an update of `stackName` (seeded from `before`) to `after`: every page. */
async function sandboxChanges(after: string, parameters: Record<string, string>, stackName = 'app'): Promise<Change[]> {
  const { Id } = await cfn.send(
    new CreateChangeSetCommand({
      StackName: stackName,
      ChangeSetName: 'plan-check',
      Capabilities: ['CAPABILITY_IAM'],
      TemplateBody: after,
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
    }),
  );
  let page = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: Id }));
  while (page.Status === 'CREATE_PENDING' || page.Status === 'CREATE_IN_PROGRESS') page = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: Id }));
  const changes: Change[] = [...(page.Changes ?? [])];
  while (page.NextToken) {
    page = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: Id, NextToken: page.NextToken }));
    changes.push(...(page.Changes ?? []));
  }
  return changes;
}

interface Pair {
  name: string;
  before: string;
  after: string;
  beforeParameters?: Record<string, string>;
  afterParameters?: Record<string, string>;
}

const BUCKET_BEFORE = fixtureText('sandbox', 'cfn-template-cfn101-bucket-before.yaml');
const EC2 = fixtureText('sandbox', 'cfn-template-awsdocs-ec2-instance-changesets.json');
const QUEUES = `
Resources:
  A: { Type: AWS::SQS::Queue, Properties: { DelaySeconds: 0 } }
  B: { Type: AWS::SQS::Queue, DeletionPolicy: Retain, Properties: { DelaySeconds: 0 } }
  C: { Type: AWS::SQS::Queue, Properties: { QueueName: jobs } }
`;
const FUNCTION = `
Parameters:
  Memory: { Type: Number, Default: 128 }
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: { Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }] }
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: worker
      Runtime: nodejs20.x
      Handler: index.handler
      MemorySize: !Ref Memory
      Role: !GetAtt Role.Arn
      Code: { ZipFile: "exports.handler = async () => 1;" }
`;

const PAIRS: Pair[] = [
  { name: 'cfn101 bucket: new BucketName', before: BUCKET_BEFORE, after: BUCKET_BEFORE, beforeParameters: { BucketName: 'b-123' }, afterParameters: { BucketName: 'b-456' } },
  { name: 'cfn101 bucket: versioning', before: BUCKET_BEFORE, after: fixtureText('sandbox', 'cfn-template-cfn101-bucket-after-versioning.yaml'), beforeParameters: { BucketName: 'b-123' }, afterParameters: { BucketName: 'b-123' } },
  { name: 'cfn101 bucket: logical id rename', before: BUCKET_BEFORE, after: fixtureText('sandbox', 'cfn-template-cfn101-changeset-challenge.yaml'), beforeParameters: { BucketName: 'b-123' }, afterParameters: { BucketName: 'b-123' } },
  { name: 'EC2: new InstanceType only', before: EC2, after: EC2, beforeParameters: { KeyPairName: 'k' }, afterParameters: { KeyPairName: 'k', InstanceType: 't2.medium' } },
  { name: 'EC2: all three parameters', before: EC2, after: EC2, beforeParameters: { KeyPairName: 'k' }, afterParameters: { KeyPairName: 'k2', InstanceType: 't2.small', Purpose: 'production' } },
  {
    name: 'queues: one modified, a retained one removed, a named one renamed',
    before: QUEUES,
    after: QUEUES.replace('A: { Type: AWS::SQS::Queue, Properties: { DelaySeconds: 0 } }', 'A: { Type: AWS::SQS::Queue, Properties: { DelaySeconds: 5 } }')
      .replace(/\n {2}B: .*\n/, '\n')
      .replace('QueueName: jobs', 'QueueName: jobs-v2'),
  },
  { name: 'Lambda: a parameter changes memory in place', before: FUNCTION, after: FUNCTION, afterParameters: { Memory: '256' } },
  { name: 'Lambda: a new function name replaces it; the role stays', before: FUNCTION, after: FUNCTION.replace('FunctionName: worker', 'FunctionName: worker-v2') },
  { name: 'no changes', before: FUNCTION, after: FUNCTION },
];

describe('plan: predictions agree with the sandbox change sets for the same template pairs', () => {
  const sandbox = useSandbox();

  it.each(PAIRS.map((pair) => [pair.name, pair] as const))('%s', async (_name, pair) => {
    // Prepare
    sandbox().seedStack({ stackName: 'app', templateBody: pair.before, parameters: pair.beforeParameters ?? {} });

    // Act
    const fromSandbox = await sandboxChanges(pair.after, pair.afterParameters ?? {});
    const prediction = predicted(side(pair.before, pair.beforeParameters), side(pair.after, pair.afterParameters));

    // Assess: the same changes, replacements and property targets, and the same PolicyAction.
    expect(byLogicalId(prediction.map(summary))).toEqual(byLogicalId(apiSummaries(fromSandbox)));
    const policyActions = (list: Array<{ LogicalResourceId?: string; PolicyAction?: string }>) =>
      Object.fromEntries(list.map((change) => [change.LogicalResourceId, change.PolicyAction]));
    expect(policyActions(prediction)).toEqual(policyActions(fromSandbox.map((change) => change.ResourceChange ?? {})));
  });

  it('differs on purpose where the sandbox knows more: a create-only property naming a replaced resource', async () => {
    // Prepare: the sandbox gives the replaced table a new physical id, so the parameter's name
    // changes for certain; offline, the new id is unknown, so plan says "may replace".
    const before = 'Resources:\n  T:\n    Type: AWS::SQS::Queue\n    Properties: { QueueName: jobs }\n  P:\n    Type: AWS::SSM::Parameter\n    Properties: { Name: !GetAtt T.QueueName, Type: String, Value: x }\n';
    const after = before.replace('QueueName: jobs', 'QueueName: jobs-v2');
    sandbox().seedStack({ stackName: 'app', templateBody: before });

    // Act
    const fromSandbox = await sandboxChanges(after, {});
    const prediction = predicted(side(before), side(after));

    // Assess
    expect(fromSandbox.map((change) => change.ResourceChange?.Replacement)).toEqual(['True', 'True']);
    expect(prediction.map((change) => change.Replacement)).toEqual(['True', 'Conditional']);
  });
});
