import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { loadDefinitionText, placeholders, taskStates } from '../../statemachine/definition';
import { actionsOf, allStatements, render, resourcesOf, roleStatements, synthesize, type Synthesized } from './synth';
import type { DeployFunction } from '../../infra/deploy-function';
import { STACK_STATUS_EVENT_PATTERN } from '../../functions/shared/stack-events';

const LOG_WRITE = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const STACKS = 'arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/*/*';
const CHANGE_SETS = 'arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:changeSet/*/*';

/**
 * What each Lambda may do, written out: the contract the handlers' code is checked against in
 * function-permissions.test.ts. Besides these, each may write to its own log group.
 */
const EXPECTED_ACTIONS: Record<string, string[]> = {
  'Prepare Deployment': [],
  'Check Stack Existence': ['cloudformation:DescribeStacks', 'cloudformation:ListChangeSets'],
  'Delete Failed Stack': ['cloudformation:DeleteStack', 'cloudformation:DescribeStacks', 'iam:PassRole'],
  'Get Failed Stack Deletion Status': ['cloudformation:DescribeStackEvents', 'cloudformation:DescribeStacks'],
  'Create Stack': ['cloudformation:CreateStack', 'iam:PassRole', 's3:GetObject', 's3:PutObject'],
  'Get Stack Creation Status': ['cloudformation:DescribeStackEvents', 'cloudformation:DescribeStacks'],
  'Create Change Set': [
    'cloudformation:CreateChangeSet',
    'cloudformation:DeleteChangeSet',
    'cloudformation:DescribeChangeSet',
    'cloudformation:ListChangeSets',
    'iam:PassRole',
    's3:GetObject',
    's3:PutObject',
  ],
  'Get Change Set Creation Status': ['cloudformation:DescribeChangeSet'],
  'Delete Empty Change Set': ['cloudformation:DeleteChangeSet', 'cloudformation:DescribeStacks'],
  'Inspect Change Set Changes': ['cloudformation:DescribeChangeSet'],
  'Execute Change Set': ['cloudformation:DescribeChangeSet', 'cloudformation:DescribeStacks', 'cloudformation:ExecuteChangeSet'],
  'Await Approval': ['kms:Decrypt', 'kms:GenerateDataKey*', 'sns:Publish'],
  'Find Live Generation': ['cloudformation:ListStacks'],
  'Plan New Stack': [
    'cloudformation:DeleteChangeSet',
    'cloudformation:DescribeStacks',
    'cloudformation:ListStackResources',
    'cloudformation:ListStacks',
  ],
  'Get Stack Update Status': ['cloudformation:DescribeStackEvents', 'cloudformation:DescribeStacks'],
  'Delete Change Set': ['cloudformation:DeleteChangeSet'],
  'Clean Up Change Set': ['cloudformation:DeleteChangeSet', 'cloudformation:DescribeChangeSet'],
  'Await Stack Event': [
    'cloudformation:DescribeStackEvents',
    'cloudformation:DescribeStacks',
    'dynamodb:DeleteItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'states:SendTaskFailure',
    'states:SendTaskSuccess',
  ],
  'complete-stack-wait': [
    'cloudformation:DescribeStackEvents',
    'cloudformation:DescribeStacks',
    'dynamodb:DeleteItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
    'states:SendTaskFailure',
    'states:SendTaskSuccess',
  ],
  'check-waiting-approvals': ['states:GetExecutionHistory', 'states:ListExecutions'],
  trigger: [
    'codepipeline:PutJobFailureResult',
    'codepipeline:PutJobSuccessResult',
    's3:GetObject',
    'states:DescribeExecution',
    'states:GetExecutionHistory',
    'states:StartExecution',
  ],
};

let synthesized: Synthesized;
let template: Template;
let stack: Stack;

beforeAll(() => {
  synthesized = synthesize();
  template = synthesized.orchestratorTemplate;
  stack = synthesized.orchestrator;
});
afterAll(() => synthesized.cleanup());

function logicalId(construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnFunction);
}

/** The functions besides the task Lambdas, by their folder under functions/. */
function otherFunctions(): Record<string, DeployFunction | undefined> {
  const { orchestrator } = synthesized;
  return { trigger: orchestrator.trigger, 'complete-stack-wait': orchestrator.stackEvents?.completion, 'check-waiting-approvals': orchestrator.approvalWaits.check };
}

function roleOf(name: string) {
  const deployFunction = otherFunctions()[name] ?? synthesized.orchestrator.taskFunctions[name];
  return { deployFunction, roleId: logicalId(deployFunction.role) };
}

describe('Lambda functions', () => {
  test('one per task state, the trigger, the completion function and the waiting-approvals check: Node.js 24 on arm64, each with its own role and log group', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(taskStates().length + 3);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
      expect(fn.Properties.LoggingConfig.LogGroup).toEqual({ Ref: expect.any(String) });
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
    const roles = new Set(Object.values(functions).map((fn) => JSON.stringify(fn.Properties.Role)));
    expect(roles.size).toBe(taskStates().length + 3);
  });

  test('each task Lambda bundles functions/<state-in-kebab-case>/handler.ts', () => {
    for (const state of taskStates()) {
      expect(fs.existsSync(path.join(__dirname, '..', '..', 'functions', state.functionFolder, 'handler.ts'))).toBe(true);
      expect(synthesized.orchestrator.taskFunctions[state.stateName]).toBeDefined();
    }
  });

  test('environment: the staging bucket, the default service role, the state machine', () => {
    const env = (name: string) => {
      const fn = template.findResources('AWS::Lambda::Function')[logicalId(roleOf(name).deployFunction.function)];
      return fn.Properties.Environment.Variables as Record<string, unknown>;
    };
    const staging = { Ref: logicalId(synthesized.orchestrator.stagingBucket) };
    expect(env('Create Stack').TEMPLATE_STAGING_BUCKET).toEqual(staging);
    expect(env('Create Change Set').TEMPLATE_STAGING_BUCKET).toEqual(staging);
    expect(env('Prepare Deployment').DEFAULT_CLOUDFORMATION_ROLE_ARN).toEqual({
      'Fn::GetAtt': [logicalId(synthesized.orchestrator.serviceRole), 'Arn'],
    });
    expect(env('trigger').STATE_MACHINE_ARN).toEqual({ Ref: logicalId(synthesized.orchestrator.stateMachine) });
    expect(env('check-waiting-approvals').STATE_MACHINE_ARN).toEqual({ Ref: logicalId(synthesized.orchestrator.stateMachine) });
    expect(env('Check Stack Existence')).toEqual({ NODE_OPTIONS: '--enable-source-maps' });
  });
});

describe('least privilege', () => {
  test.each(Object.keys(EXPECTED_ACTIONS))('%s: its role allows only its own calls', (name) => {
    const { deployFunction, roleId } = roleOf(name);
    const statements = roleStatements(template, roleId);
    const logGroup = { 'Fn::GetAtt': [logicalId(deployFunction.logGroup), 'Arn'] };
    const logs = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('logs:')));
    expect(logs).toEqual([expect.objectContaining({ Effect: 'Allow', Action: LOG_WRITE, Resource: logGroup })]);

    const actions = statements.flatMap(actionsOf).filter((action) => !action.startsWith('logs:'));
    expect([...new Set(actions)].sort()).toEqual(EXPECTED_ACTIONS[name]);
    expect(statements.every((statement) => statement.Effect === 'Allow')).toBe(true);
  });

  test('CloudFormation calls reach only this account and region\'s stacks and change sets', () => {
    const cloudFormation = allStatements(template).filter(({ statement }) => actionsOf(statement).some((action) => action.startsWith('cloudformation:')));
    expect(cloudFormation.length).toBeGreaterThan(0);
    for (const { statement } of cloudFormation) {
      const resources = resourcesOf(statement).map(render).sort();
      const changeSetActions = actionsOf(statement).every((action) => /ChangeSet$/.test(action));
      // ListStacks takes no resource: it alone is granted on `*`, in a statement of its own.
      const listsStacks = actionsOf(statement).includes('cloudformation:ListStacks');
      if (listsStacks) expect(actionsOf(statement)).toEqual(['cloudformation:ListStacks']);
      expect(resources).toEqual(listsStacks ? ['*'] : changeSetActions ? [CHANGE_SETS, STACKS] : [STACKS]);
    }
  });

  test('iam:PassRole: only the CloudFormation service role, only to cloudformation.amazonaws.com', () => {
    const serviceRole = { 'Fn::GetAtt': [logicalId(synthesized.orchestrator.serviceRole), 'Arn'] };
    const passRole = allStatements(template).filter(({ statement }) => actionsOf(statement).some((action) => action.startsWith('iam:')));
    expect(passRole).toHaveLength(3);
    for (const { statement } of passRole) {
      expect(statement).toEqual({
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: serviceRole,
        Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      });
    }
  });

  test('no "Action": "*" anywhere, and service-wide wildcards only in the service role\'s provisioning policy', () => {
    const serviceRoleId = logicalId(synthesized.orchestrator.serviceRole);
    for (const { owner, statement } of allStatements(template)) {
      for (const action of actionsOf(statement)) {
        expect(action).not.toBe('*');
        if (action.endsWith(':*')) expect(owner).toBe(serviceRoleId);
      }
    }
  });

  test('the staging bucket: put and get under templates/ only', () => {
    const stagingArn = `<${logicalId(synthesized.orchestrator.stagingBucket)}.Arn>/templates/*`;
    for (const name of ['Create Stack', 'Create Change Set']) {
      const s3 = roleStatements(template, roleOf(name).roleId).filter((statement) => actionsOf(statement).some((action) => action.startsWith('s3:')));
      expect(s3.map((statement) => resourcesOf(statement).map(render))).toEqual([[stagingArn]]);
    }
  });

  test('the trigger: input documents, this state machine and its executions, job results', () => {
    const statements = roleStatements(template, roleOf('trigger').roleId);
    const resourcesFor = (action: string) => statements.filter((statement) => actionsOf(statement).includes(action)).flatMap(resourcesOf).map(render);
    const stateMachineId = logicalId(synthesized.orchestrator.stateMachine);
    expect(resourcesFor('s3:GetObject')).toEqual([`<${logicalId(synthesized.orchestrator.inputBucket)}.Arn>/*`]);
    expect(resourcesFor('states:StartExecution')).toEqual([`<${stateMachineId}>`]);
    expect(resourcesFor('states:DescribeExecution')).toEqual([
      `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${stateMachineId}.Name>:*`,
    ]);
    expect(resourcesFor('codepipeline:PutJobSuccessResult')).toEqual(['*']);
  });

  test('the pipelines\' artifact buckets are not readable until a pipeline grants them', () => {
    expect(synthesized.orchestrator.artifactReaderRoles.map((role) => stack.resolve(role.roleName))).toEqual(
      ['Prepare Deployment', 'Create Stack', 'Create Change Set', 'Plan New Stack'].map((name) => ({ Ref: roleOf(name).roleId })),
    );
    for (const name of ['Prepare Deployment', 'Create Stack', 'Create Change Set', 'Plan New Stack']) {
      const reads = roleStatements(template, roleOf(name).roleId).filter((statement) => actionsOf(statement).includes('s3:GetObjectVersion'));
      expect(reads).toEqual([]);
    }
  });
});

describe('the CloudFormation service role', () => {
  test('is assumed by CloudFormation and by nothing else', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' } }],
      },
    });
  });

  test('may by default provision what the sample application needs: DynamoDB tables and SNS topics here', () => {
    const statements = roleStatements(template, logicalId(synthesized.orchestrator.serviceRole));
    expect(statements.map((statement) => [actionsOf(statement), resourcesOf(statement).map(render)])).toEqual([
      [['dynamodb:*'], ['arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table/*']],
      [['sns:*'], ['arn:<AWS::Partition>:sns:<AWS::Region>:<AWS::AccountId>:*']],
    ]);
  });
});

describe('the state machine', () => {
  test('is the ASL file, a STANDARD workflow, logging every event without data, traced', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      DefinitionS3Location: Match.objectLike({ Key: Match.stringLikeRegexp('\\.json$') }),
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StateMachineLogs'), 'Arn'] } } }],
      },
    });
    const { Key } = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0].Properties.DefinitionS3Location;
    expect(fs.readFileSync(path.join(synthesized.outdir, `asset.${Key}`), 'utf8')).toBe(loadDefinitionText());
  });

  test('every ${...} placeholder in the ASL is filled with the ARN of its task\'s Lambda, and nothing else is', () => {
    const substitutions = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0].Properties.DefinitionSubstitutions as Record<string, unknown>;
    expect(Object.keys(substitutions).sort()).toEqual(placeholders());
    for (const state of taskStates()) {
      expect(substitutions[state.substitutionKey]).toEqual({
        'Fn::GetAtt': [logicalId(synthesized.orchestrator.taskFunctions[state.stateName].function), 'Arn'],
      });
    }
  });

  test('may invoke exactly the task Lambdas (fromFile cannot infer it)', () => {
    const statements = roleStatements(template, logicalId(synthesized.orchestrator.stateMachine.role));
    const invoke = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('lambda:')));
    expect(invoke).toHaveLength(1);
    expect(invoke[0].Action).toBe('lambda:InvokeFunction');
    const expected = taskStates().map((state) => ({ 'Fn::GetAtt': [logicalId(synthesized.orchestrator.taskFunctions[state.stateName].function), 'Arn'] }));
    expect(resourcesOf(invoke[0])).toEqual(expect.arrayContaining(expected));
    expect(resourcesOf(invoke[0])).toHaveLength(expected.length);
  });

  test.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])('an alarm goes off on %s, told to the approval topic', (metric) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/States',
      MetricName: metric,
      AlarmActions: [{ Ref: logicalId(synthesized.orchestrator.approvalTopic as never) }],
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: logicalId(synthesized.orchestrator.stateMachine) } }],
      Statistic: 'Sum',
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('log groups for the state machine and every Lambda, kept three months', () => {
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(logGroups).toHaveLength(taskStates().length + 4);
    for (const logGroup of logGroups) expect(logGroup.Properties.RetentionInDays).toBe(90);
  });
});

describe('event mode', () => {
  test('a wait table keyed by stack and execution, expiring its records by TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'stackId', KeyType: 'HASH' },
        { AttributeName: 'waiter', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  test('a rule on the stack status changes that end an operation, invoking the completion function, with a dead-letter queue', () => {
    const table = { Ref: logicalId(synthesized.orchestrator.stackEvents?.table as never) };
    const completion = synthesized.orchestrator.stackEvents?.completion as DeployFunction;
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: STACK_STATUS_EVENT_PATTERN,
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId(completion.function), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(synthesized.orchestrator.stackEvents?.deadLetters as never), 'Arn'] } },
        }),
      ],
    });
    expect(STACK_STATUS_EVENT_PATTERN.detail['status-details'].status.some((status) => status.endsWith('_IN_PROGRESS'))).toBe(false);
    const env = (fn: DeployFunction) => (stack.resolve((fn.function.node.defaultChild as CfnFunction).environment) as { variables: Record<string, unknown> }).variables;
    expect(env(completion).STACK_WAIT_TABLE).toEqual(table);
    expect(env(synthesized.orchestrator.taskFunctions['Await Stack Event']).STACK_WAIT_TABLE).toEqual(table);
    // Prepare Deployment is told the table, so that deployments default to event mode.
    expect(env(synthesized.orchestrator.taskFunctions['Prepare Deployment']).STACK_WAIT_TABLE).toEqual(table);
  });

  test('task tokens are answered only for this state machine\'s executions', () => {
    // The two event functions, and the approver policy.
    const answering = allStatements(template).filter(({ statement }) => actionsOf(statement).some((action) => action.startsWith('states:SendTask')));
    expect(answering.length).toBe(3);
    for (const { statement } of answering) {
      expect(actionsOf(statement).sort()).toEqual(['states:SendTaskFailure', 'states:SendTaskSuccess']);
      expect(resourcesOf(statement)).toEqual([{ Ref: logicalId(synthesized.orchestrator.stateMachine) }]);
    }
  });

  test('eventMode: false leaves out the table, the rule and the completion function: deployments poll', () => {
    const polling = synthesize({ eventMode: 'false' });
    try {
      const pollingTemplate = polling.orchestratorTemplate;
      pollingTemplate.resourceCountIs('AWS::DynamoDB::Table', 0);
      // Only the waiting-approvals check's schedule: no stack status change rule.
      const rules = Object.values(pollingTemplate.findResources('AWS::Events::Rule'));
      expect(rules.map((rule) => [rule.Properties.ScheduleExpression, rule.Properties.EventPattern])).toEqual([['rate(5 minutes)', undefined]]);
      expect(polling.orchestrator.stackEvents).toBeUndefined();
      const prepare = polling.orchestrator.taskFunctions['Prepare Deployment'].function.node.defaultChild as CfnFunction;
      expect(JSON.stringify(polling.orchestrator.resolve(prepare.environment))).not.toContain('STACK_WAIT_TABLE');
    } finally {
      polling.cleanup();
    }
  });
});

describe('approvals (onUnsafe: approve)', () => {
  test('the approval topic is encrypted and reachable over TLS only; only Await Approval may publish to it', () => {
    // A key of the stack's, which CloudWatch alarms may use (they cannot publish with the AWS managed aws/sns key).
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(synthesized.orchestrator.approvalTopicKey as never), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'CloudWatchAlarmsPublish', Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
    });
    const publishing = allStatements(template).filter(({ statement }) => actionsOf(statement).includes('sns:Publish'));
    expect(publishing.map(({ statement }) => actionsOf(statement))).toEqual(expect.arrayContaining([['sns:Publish']]));
    const env = (stack.resolve((synthesized.orchestrator.taskFunctions['Await Approval'].function.node.defaultChild as CfnFunction).environment) as { variables: Record<string, unknown> }).variables;
    expect(env.APPROVAL_TOPIC_ARN).toEqual({ Ref: logicalId(synthesized.orchestrator.approvalTopic as never) });
  });

  test('the approver policy answers only this state machine\'s tasks and reads only its executions', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Sid: 'AnswerApprovals', Action: ['states:SendTaskFailure', 'states:SendTaskSuccess'], Resource: { Ref: logicalId(synthesized.orchestrator.stateMachine) } }),
          Match.objectLike({ Sid: 'ReadExecutions', Action: ['states:DescribeExecution', 'states:GetExecutionHistory'] }),
        ],
      },
    });
  });
});

describe('approvals waiting longer than half their deadline', () => {
  const topic = () => ({ Ref: logicalId(synthesized.orchestrator.approvalTopic as never) });
  const checkFunctionId = () => logicalId(synthesized.orchestrator.approvalWaits.check.function);

  test('the check runs every 5 minutes, invoked by an EventBridge schedule that drops a run older than the next', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [checkFunctionId(), 'Arn'] }, RetryPolicy: { MaximumEventAgeInSeconds: 300 } })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [checkFunctionId(), 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [logicalId(synthesized.orchestrator.approvalWaits.schedule), 'Arn'] },
    });
  });

  test('an alarm on the check\'s count (SafeDeploy ApprovalsPastHalfDeadline of this state machine), told to the approval topic, saying how to answer', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'SafeDeploy',
      MetricName: 'ApprovalsPastHalfDeadline',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: logicalId(synthesized.orchestrator.stateMachine) } }],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic()],
      AlarmDescription: Match.stringLikeRegexp('deploy-orchestrator approve EXECUTION_ARN.*reject EXECUTION_ARN --reason'),
    });
  });

  test('and an alarm on the check failing for 15 minutes, told to the same topic: a silent check would hide waiting approvals', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: checkFunctionId() } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic()],
    });
  });

  test('the check lists this state machine\'s executions and reads their histories, nothing more (its metric goes through its log)', () => {
    const statements = roleStatements(template, roleOf('check-waiting-approvals').roleId);
    const resourcesFor = (action: string) => statements.filter((statement) => actionsOf(statement).includes(action)).flatMap(resourcesOf).map(render);
    const stateMachineId = logicalId(synthesized.orchestrator.stateMachine);
    expect(resourcesFor('states:ListExecutions')).toEqual([`<${stateMachineId}>`]);
    expect(resourcesFor('states:GetExecutionHistory')).toEqual([`arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${stateMachineId}.Name>:*`]);
    expect(statements.flatMap(actionsOf).some((action) => action.startsWith('cloudwatch:'))).toBe(false);
  });
});

describe('buckets', () => {
  test('encrypted, public access blocked, versioned, TLS only, kept when the stack goes', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(3);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(bucket.DeletionPolicy).toBe('Retain');
    }
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    for (const bucketId of Object.keys(buckets)) {
      const policy = policies.find((candidate) => JSON.stringify(candidate.Properties.Bucket) === JSON.stringify({ Ref: bucketId }));
      expect(policy?.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  test('the input and staging buckets log their access', () => {
    const logs = { Ref: logicalId(synthesized.orchestrator.accessLogsBucket) };
    for (const bucket of [synthesized.orchestrator.inputBucket, synthesized.orchestrator.stagingBucket]) {
      expect(template.toJSON().Resources[logicalId(bucket)].Properties.LoggingConfiguration).toMatchObject({ DestinationBucketName: logs });
    }
  });

  test('staged templates expire after a week', () => {
    const rules = template.toJSON().Resources[logicalId(synthesized.orchestrator.stagingBucket)].Properties.LifecycleConfiguration.Rules;
    expect(rules).toEqual([expect.objectContaining({ Id: 'ExpireStagedTemplates', Status: 'Enabled', ExpirationInDays: 7 })]);
  });
});

describe('the stack', () => {
  test('outputs what the README\'s next step needs', () => {
    for (const output of ['StateMachineArn', 'TriggerFunctionName', 'InputBucketName', 'StagingBucketName', 'CloudFormationServiceRoleArn']) {
      template.hasOutput(output, {});
    }
  });

  test('names nothing physically: CloudFormation names every resource', () => {
    const nameProperties = ['BucketName', 'FunctionName', 'RoleName', 'LogGroupName', 'StateMachineName', 'AlarmName', 'PolicyName'];
    for (const [logicalIdOfResource, resource] of Object.entries(template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>)) {
      for (const property of nameProperties) {
        if (property === 'PolicyName' && resource.Type === 'AWS::IAM::Policy') continue; // an inline policy's name is not a resource name
        if (property === 'FunctionName' && resource.Type === 'AWS::Lambda::Permission') continue; // names the function it lets EventBridge invoke
        expect({ logicalIdOfResource, [property]: resource.Properties?.[property] }).toEqual({ logicalIdOfResource, [property]: undefined });
      }
    }
  });
});
