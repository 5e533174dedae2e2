import {
  CloudFormationClient,
  CloudFormationServiceException,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { fixtureJson, rejectionOf, useSandbox } from './helpers';

const TEMPLATE = `
Parameters:
  Env:
    Type: String
    Default: test
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub '\${Env}-orders'
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub '\${AWS::StackName}-table'
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
  Bucket:
    Type: AWS::S3::Bucket
Outputs:
  QueueUrl:
    Value: !Ref Queue
  TableArn:
    Value: !GetAtt Table.Arn
    Export:
      Name: !Sub '\${AWS::StackName}-table-arn'
  Greeting:
    Description: A literal
    Value: hello
`;

const cfn = new CloudFormationClient({});

async function statuses(stackName: string, polls: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < polls; i++) {
    const response = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    seen.push(response.Stacks?.[0]?.StackStatus ?? '');
  }
  return seen;
}

async function pollUntilSettled(stackName: string, maxPolls = 50): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < maxPolls; i++) {
    const status = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0]?.StackStatus ?? '';
    if (seen.at(-1) !== status) seen.push(status);
    if (!status.endsWith('_IN_PROGRESS')) return seen;
  }
  throw new Error(`${stackName} did not settle: ${seen.join(' → ')}`);
}

async function allEvents(stackName: string): Promise<StackEvent[]> {
  const events: StackEvent[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName, NextToken }));
    events.push(...(page.StackEvents ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return events;
}

describe('CloudFormation sandbox: stacks', () => {
  const sandbox = useSandbox();

  it('answers DescribeStacks on a missing stack with the real ValidationError', async () => {
    // Prepare
    const recorded = fixtureJson<{ Error: { Code: string; Message: string }; ResponseMetadata: { HTTPStatusCode: number } }>(
      'cfn-error-stack-does-not-exist.json',
    );

    // Act
    const error = await rejectionOf(cfn.send(new DescribeStacksCommand({ StackName: 'prod-missing' })));

    // Assess
    expect(error).toBeInstanceOf(CloudFormationServiceException);
    expect(error.name).toBe(recorded.Error.Code);
    expect(error.message).toBe(recorded.Error.Message.replace('<stack-name>', 'prod-missing'));
    expect(error.$fault).toBe('client');
    expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(recorded.ResponseMetadata.HTTPStatusCode);
  });

  it('creates a stack that moves from CREATE_IN_PROGRESS to CREATE_COMPLETE over successive polls, with outputs', async () => {
    // Act
    const { StackId } = await cfn.send(new CreateStackCommand({ StackName: 'prod-orders', TemplateBody: TEMPLATE, Parameters: [{ ParameterKey: 'Env', ParameterValue: 'prod' }] }));
    const seen = await statuses('prod-orders', 4);

    // Assess
    expect(StackId).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/prod-orders\/[0-9a-f-]{36}$/);
    expect(seen).toEqual(['CREATE_IN_PROGRESS', 'CREATE_IN_PROGRESS', 'CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: StackId }))).Stacks?.[0];
    expect(stack?.Outputs).toEqual([
      { OutputKey: 'QueueUrl', OutputValue: 'https://sqs.us-east-1.amazonaws.com/123456789012/prod-orders' },
      {
        OutputKey: 'TableArn',
        OutputValue: 'arn:aws:dynamodb:us-east-1:123456789012:table/prod-orders-table',
        ExportName: 'prod-orders-table-arn',
      },
      { OutputKey: 'Greeting', OutputValue: 'hello', Description: 'A literal' },
    ]);
    expect(stack?.Parameters).toEqual([{ ParameterKey: 'Env', ParameterValue: 'prod' }]);
  });

  it('describes a stack with the keys of a real DescribeStacks answer', async () => {
    // Prepare
    const recorded = fixtureJson<{ Stacks: Array<Record<string, unknown>> }>('cfn-ds-awscli-create-complete.json').Stacks[0];
    sandbox().seedStack({ stackName: 'prod-orders', templateBody: TEMPLATE });

    // Act
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'prod-orders' }))).Stacks?.[0];

    // Assess: every key of the recorded answer that has a value is there too.
    const expectedKeys = Object.keys(recorded).filter((key) => recorded[key] !== null && key !== 'Description');
    expect(Object.keys(stack ?? {})).toEqual(expect.arrayContaining(expectedKeys));
    expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
    expect(stack?.CreationTime).toBeInstanceOf(Date);
  });

  it('rolls a failed create back and records the failing resource and its reason in the events', async () => {
    // Prepare
    const reason = 'Resource handler returned message: "Table already exists" (HandlerErrorCode: AlreadyExists)';
    sandbox().cloudFormation.failResource({ logicalId: 'Table', operation: 'CREATE', reason });

    // Act
    await cfn.send(new CreateStackCommand({ StackName: 'prod-orders', TemplateBody: TEMPLATE }));
    const seen = await pollUntilSettled('prod-orders');

    // Assess
    expect(seen).toEqual(['CREATE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_COMPLETE']);
    const events = await allEvents('prod-orders');
    const failed = events.find((event) => event.ResourceStatus === 'CREATE_FAILED');
    expect(failed).toMatchObject({ LogicalResourceId: 'Table', ResourceType: 'AWS::DynamoDB::Table', ResourceStatusReason: reason });
    const rollback = events.find((event) => event.ResourceStatus === 'ROLLBACK_IN_PROGRESS');
    expect(rollback?.ResourceStatusReason).toBe('The following resource(s) failed to create: [Table]. Rollback requested by user.');
    expect(events[0]).toMatchObject({ LogicalResourceId: 'prod-orders', ResourceStatus: 'ROLLBACK_COMPLETE', ResourceType: 'AWS::CloudFormation::Stack' });
    expect(events.at(-1)).toMatchObject({ ResourceStatus: 'CREATE_IN_PROGRESS', ResourceStatusReason: 'User Initiated' });
    expect(sandbox().cloudFormation.stack('prod-orders')?.resources.size).toBe(0);
  });

  it('pages stack events newest first with NextToken', async () => {
    // Prepare
    sandbox().cloudFormation.options.stackEventsPageSize = 4;
    const recordedKeys = Object.keys(fixtureJson<{ StackEvents: object[] }>('cfn-describe-stack-events-awscli-nexttoken.json').StackEvents[0]);
    sandbox().seedStack({ stackName: 'prod-orders', templateBody: TEMPLATE });

    // Act
    const first = await cfn.send(new DescribeStackEventsCommand({ StackName: 'prod-orders' }));
    const events = await allEvents('prod-orders');

    // Assess
    expect(first.StackEvents).toHaveLength(4);
    expect(first.NextToken).toEqual(expect.any(String));
    expect(events.length).toBeGreaterThan(4);
    const times = events.map((event) => event.Timestamp?.getTime() ?? 0);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(Object.keys(events[0])).toEqual(expect.arrayContaining(recordedKeys));
  });

  it('deletes a stack: gone by name, DELETE_COMPLETE by id', async () => {
    // Prepare
    const { stackId } = sandbox().seedStack({ stackName: 'prod-orders', status: 'ROLLBACK_COMPLETE', templateBody: TEMPLATE });

    // Act
    await cfn.send(new DeleteStackCommand({ StackName: 'prod-orders' }));
    const seen = await pollUntilSettled(stackId);
    const byName = await rejectionOf(cfn.send(new DescribeStacksCommand({ StackName: 'prod-orders' })));

    // Assess
    expect(seen).toEqual(['DELETE_IN_PROGRESS', 'DELETE_COMPLETE']);
    expect(byName.message).toBe('Stack with id prod-orders does not exist');
    expect((await cfn.send(new DescribeStacksCommand({ StackName: stackId }))).Stacks?.[0]?.DeletionTime).toBeInstanceOf(Date);
  });

  it.each([
    'ROLLBACK_COMPLETE',
    'ROLLBACK_FAILED',
    'UPDATE_ROLLBACK_FAILED',
    'UPDATE_IN_PROGRESS',
    'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
    'DELETE_FAILED',
    'UPDATE_ROLLBACK_COMPLETE',
  ])('seeds a stack in %s that stays there', async (status) => {
    // Prepare
    sandbox().seedStack({ stackName: 'prod-orders', status, templateBody: TEMPLATE });

    // Act
    const seen = await statuses('prod-orders', 3);

    // Assess
    expect(seen).toEqual([status, status, status]);
  });

  it('seeds a REVIEW_IN_PROGRESS shell like the real one', async () => {
    // Prepare
    const recorded = fixtureJson<{ Stacks: Array<Record<string, unknown>> }>('cfn-ds-localstack-review-in-progress.json').Stacks[0];
    sandbox().seedStack({ stackName: 'prod-orders', status: 'REVIEW_IN_PROGRESS' });

    // Act
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'prod-orders' }))).Stacks?.[0];

    // Assess
    expect(stack).toMatchObject({ StackStatus: recorded.StackStatus, StackStatusReason: recorded.StackStatusReason });
  });

  it('slows a stack down by N polls', async () => {
    // Prepare
    await cfn.send(new CreateStackCommand({ StackName: 'prod-orders', TemplateBody: TEMPLATE }));
    sandbox().cloudFormation.slowDown('prod-orders', 5);

    // Act
    const seen = await statuses('prod-orders', 9);

    // Assess
    expect(seen.filter((status) => status === 'CREATE_IN_PROGRESS')).toHaveLength(8);
    expect(seen.at(-1)).toBe('CREATE_COMPLETE');
  });

  it('refuses a template over 51,200 bytes in TemplateBody and reads one by TemplateURL', async () => {
    // Prepare
    const padding = `Description: ${'x'.repeat(60_000)}\n`;
    const large = padding + TEMPLATE;
    sandbox().s3.createBucket('staging-bucket');
    sandbox().s3.putObject('staging-bucket', 'templates/large.yaml', large);

    // Act
    const inline = await rejectionOf(cfn.send(new CreateStackCommand({ StackName: 'prod-orders', TemplateBody: large })));
    const byUrl = await cfn.send(
      new CreateStackCommand({ StackName: 'prod-orders', TemplateURL: 'https://staging-bucket.s3.us-east-1.amazonaws.com/templates/large.yaml' }),
    );

    // Assess
    expect(inline.name).toBe('ValidationError');
    expect(inline.message).toContain('Member must have length less than or equal to 51200');
    expect(byUrl.StackId).toBeDefined();
  });

  it('answers template and parameter mistakes with CloudFormation\'s messages', async () => {
    // Act
    const notYaml = await rejectionOf(cfn.send(new CreateStackCommand({ StackName: 'a', TemplateBody: 'Resources: [unclosed' })));
    const noResources = await rejectionOf(cfn.send(new CreateStackCommand({ StackName: 'a', TemplateBody: 'Description: nothing' })));
    const unknownParameter = await rejectionOf(
      cfn.send(new CreateStackCommand({ StackName: 'a', TemplateBody: TEMPLATE, Parameters: [{ ParameterKey: 'Nope', ParameterValue: 'x' }] })),
    );
    const iam = await rejectionOf(
      cfn.send(new CreateStackCommand({ StackName: 'a', TemplateBody: 'Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: r\n' })),
    );

    // Assess
    expect(notYaml.message).toMatch(/^Template format error: YAML not well-formed\. \(line \d+, column \d+\)$/);
    expect(noResources.message).toBe('Template format error: At least one Resources member must be defined.');
    expect(unknownParameter.message).toBe('Parameters: [Nope] do not exist in the template');
    expect(iam).toMatchObject({ name: 'InsufficientCapabilitiesException', message: 'Requires capabilities : [CAPABILITY_NAMED_IAM]' });
  });

  it('records every call with its input, and mutating calls apart', async () => {
    // Act
    await cfn.send(new CreateStackCommand({ StackName: 'prod-orders', TemplateBody: TEMPLATE }));
    await cfn.send(new DescribeStacksCommand({ StackName: 'prod-orders' }));
    await rejectionOf(cfn.send(new CreateStackCommand({ StackName: 'prod-orders', TemplateBody: TEMPLATE })));

    // Assess
    expect(sandbox().calls.all().map((call) => `${call.operation}${call.error ? `!${call.error.name}` : ''}`)).toEqual([
      'CreateStack',
      'DescribeStacks',
      'CreateStack!AlreadyExistsException',
    ]);
    expect(sandbox().mutatingCalls()).toEqual(['CreateStack']);
    expect(sandbox().calls.find({ operation: 'CreateStack' })[0].input).toMatchObject({ StackName: 'prod-orders' });
  });
});
