/**
 * Deploying into other accounts: what the orchestrator allows its functions (assume only the
 * target accounts' deploy roles, by name pattern), what it lets the targets do (read staged
 * templates, put events on its bus), and the target-account stack itself (the deploy role, its
 * trust and permissions, the service role, the forwarding of stack status events). cdk-nag clean.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { actionsOf, allStatements, render, resourcesOf, synthesize, type Synthesized } from './synth';
import { TASK_PERMISSIONS, COMPLETION_PERMISSIONS } from '../../infra/task-permissions';
import { STACK_STATUS_EVENT_PATTERN } from '../../functions/shared/stack-events';

const ORCHESTRATOR = '111111111111';
const TARGETS = ['222222222222', '333333333333'];

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize({ targetAccounts: TARGETS.join(','), orchestratorAccount: ORCHESTRATOR, externalId: 'orders-7f3a' });
});
afterAll(() => synthesized.cleanup());

describe('the orchestrator with target accounts', () => {
  test('every function that calls CloudFormation may assume the deploy roles of the target accounts, by name pattern, and nothing else', () => {
    const assuming = allStatements(synthesized.orchestratorTemplate).filter(({ statement }) => actionsOf(statement).includes('sts:AssumeRole'));
    const expectedCallers = Object.values(TASK_PERMISSIONS).filter((permissions) => permissions.cloudFormation.length > 0).length + 1;
    expect(assuming).toHaveLength(expectedCallers);
    for (const { statement } of assuming) {
      expect(actionsOf(statement)).toEqual(['sts:AssumeRole']);
      expect(resourcesOf(statement).map(render).sort()).toEqual(TARGETS.map((account) => `arn:<AWS::Partition>:iam::${account}:role/SafeDeployTarget-*`));
    }
  });

  test('the target accounts\' deploy roles may read the staged templates, and nothing else of the bucket', () => {
    synthesized.orchestratorTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'TargetAccountsReadStagedTemplates',
            Action: 's3:GetObject',
            Condition: { ArnLike: { 'aws:PrincipalArn': TARGETS.map((account) => Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([`:iam::${account}:role/SafeDeployTarget-*`])] })) } },
          }),
        ]),
      },
    });
  });

  test('the target accounts may put their events on the orchestrator\'s default bus', () => {
    for (const account of TARGETS) {
      synthesized.orchestratorTemplate.hasResourceProperties('AWS::Events::EventBusPolicy', { EventBusName: 'default', Action: 'events:PutEvents', Principal: account });
    }
  });

  test('without targetAccounts no function may assume any role', () => {
    const alone = synthesize();
    try {
      expect(allStatements(alone.orchestratorTemplate).filter(({ statement }) => actionsOf(statement).includes('sts:AssumeRole'))).toEqual([]);
    } finally {
      alone.cleanup();
    }
  });

  test('a target role pattern that would match any role is refused', () => {
    expect(() => synthesize({ targetAccounts: TARGETS[0], targetRolePattern: '*' })).toThrow(/targetRolePattern must be a role name/);
  });
});

describe('the target-account stack', () => {
  test('its deploy role trusts only the orchestrator\'s task roles, with the ExternalId', () => {
    const template = synthesized.targetTemplate!;
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'SafeDeployTarget-DeployRole',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'sts:AssumeRole',
            Principal: { AWS: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([`:iam::${ORCHESTRATOR}:root`])] }) },
            Condition: {
              ArnLike: { 'aws:PrincipalArn': Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([`:iam::${ORCHESTRATOR}:role/SafeDeployOrchestrator-*`])] }) },
              StringEquals: { 'sts:ExternalId': 'orders-7f3a' },
            },
          }),
        ],
      },
    });
  });

  test('it may make exactly the deployer\'s CloudFormation calls, read staged templates of the orchestrator\'s account, and pass only the service role', () => {
    const statements = allStatements(synthesized.targetTemplate!).map(({ statement }) => statement);
    const cloudFormation = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('cloudformation:')));
    const expected = [...new Set([...Object.values(TASK_PERMISSIONS).flatMap((permissions) => permissions.cloudFormation), ...COMPLETION_PERMISSIONS.cloudFormation])]
      .map((action) => `cloudformation:${action}`)
      .sort();
    expect(cloudFormation.flatMap((statement) => actionsOf(statement)).sort()).toEqual(expected);
    // ListStacks takes no resource, so it alone is on `*`; every other call is on stacks and change sets.
    for (const statement of cloudFormation) {
      const onEverything = resourcesOf(statement).map(render).includes('*');
      expect(onEverything).toBe(actionsOf(statement).includes('cloudformation:ListStacks'));
      if (onEverything) expect(actionsOf(statement)).toEqual(['cloudformation:ListStacks']);
    }
    const staged = statements.find((statement) => actionsOf(statement).includes('s3:GetObject'))!;
    expect(staged.Condition).toEqual({ StringEquals: { 's3:ResourceAccount': ORCHESTRATOR } });
    const pass = statements.find((statement) => actionsOf(statement).includes('iam:PassRole'))!;
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } });
    expect(resourcesOf(pass)).toHaveLength(1);
  });

  test('it forwards the stack status changes that end an operation to the orchestrator\'s bus', () => {
    synthesized.targetTemplate!.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: STACK_STATUS_EVENT_PATTERN,
      Targets: [Match.objectLike({ Arn: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([`:${ORCHESTRATOR}:event-bus/default`])] }) })],
    });
  });

  test('cdk-nag finds nothing unacknowledged in either stack', () => {
    expect(synthesized.violations).toEqual([]);
  });
});
