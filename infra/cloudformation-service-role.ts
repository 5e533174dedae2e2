import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface CloudFormationServiceRoleProps {
  /**
   * What CloudFormation may provision in the deployed stacks: the policy of the role it assumes.
   * This is your application's choice, not the deployer's.
   *
   * @default - `sampleApplicationPolicy()`: DynamoDB tables and SNS topics, what `examples/app`
   * needs, unless `managedPolicyArns` is given
   */
  readonly policy?: iam.PolicyDocument;
  /**
   * ARNs of managed policies for the role instead of (or besides) `policy`, e.g. your own customer
   * managed policy. With these and no `policy`, the sample policy is left out.
   *
   * @default - none
   */
  readonly managedPolicyArns?: string[];
}

/**
 * What the sample application (`examples/app/template.yaml`) needs CloudFormation to do: manage
 * DynamoDB tables and SNS topics in this account and region, and nothing else. Every action of
 * the two services is allowed because CloudFormation's resource handlers call many of them
 * (tags, point-in-time recovery, TTL, contributor insights, topic attributes…) and the list
 * changes as the services grow.
 *
 * Replace it with what your templates provision. PowerUserAccess would make every deployment able
 * to create almost anything in the account: choose it knowingly, never by default.
 */
export function sampleApplicationPolicy(scope: Construct): iam.PolicyDocument {
  const stack = Stack.of(scope);
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'SampleAppTables',
        actions: ['dynamodb:*'],
        resources: [stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: '*' })],
      }),
      new iam.PolicyStatement({
        sid: 'SampleAppTopics',
        actions: ['sns:*'],
        resources: [stack.formatArn({ service: 'sns', resource: '*' })],
      }),
    ],
  });
}

/**
 * The role CloudFormation assumes to create, update and delete the deployed stacks' resources.
 * The task Lambdas only orchestrate: they may pass this role to CloudFormation, and never hold
 * its permissions themselves.
 */
export class CloudFormationServiceRole extends Construct {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: CloudFormationServiceRoleProps = {}) {
    super(scope, id);
    const managedPolicyArns = props.managedPolicyArns ?? [];
    const managedPolicies = managedPolicyArns.map((arn, index) => iam.ManagedPolicy.fromManagedPolicyArn(this, `ManagedPolicy${index + 1}`, arn));
    const policy = props.policy ?? (managedPolicies.length === 0 ? sampleApplicationPolicy(this) : undefined);
    const usesSamplePolicy = props.policy === undefined && policy !== undefined;

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
      description: 'Assumed by CloudFormation to provision the stacks the safe deploy state machine deploys',
      managedPolicies,
      inlinePolicies: policy ? { Provisioning: policy } : undefined,
    });

    if (usesSamplePolicy) {
      const reason =
        'The CloudFormation service role provisions the deployed application: it must manage whole DynamoDB tables and SNS topics ' +
        '(CloudFormation handlers call many of their actions), scoped to this account and region. Replace the policy with your application\'s (README, Deploy to AWS).';
      for (const finding of [
        'Action::dynamodb:*',
        'Action::sns:*',
        'Resource::arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table/*',
        'Resource::arn:<AWS::Partition>:sns:<AWS::Region>:<AWS::AccountId>:*',
      ]) {
        Validations.of(this.role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
      }
    }
    for (const arn of managedPolicyArns) {
      if (Token.isUnresolved(arn)) continue;
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM4[Policy::${arn}]`,
        reason: 'Chosen by the operator (serviceRoleManagedPolicies): what CloudFormation may provision is the application\'s decision.',
      });
    }
  }
}
