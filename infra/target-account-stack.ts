import { CfnOutput, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CloudFormationServiceRole, type CloudFormationServiceRoleProps } from './cloudformation-service-role';
import { acknowledgeWildcardResources } from './nag';
import { ACCOUNT_WIDE_ACTIONS, ACCOUNT_WIDE_REASON, COMPLETION_PERMISSIONS, STAGED_TEMPLATE_KEY_PATTERN, TASK_PERMISSIONS } from './task-permissions';
import { STACK_STATUS_EVENT_PATTERN } from '../functions/shared/stack-events';
import { ORCHESTRATOR_STACK_NAME } from './stack-names';

/** The settled stack status changes (functions/shared/stack-events.ts), as a CDK event pattern: the orchestrator's rule and the targets' forwarding rule match the same events. */
export function stackStatusEventPattern(): events.EventPattern {
  return { source: STACK_STATUS_EVENT_PATTERN.source, detailType: STACK_STATUS_EVENT_PATTERN['detail-type'], detail: STACK_STATUS_EVENT_PATTERN.detail };
}

/** The deploy role's name: the orchestrator's task roles may assume only roles whose names match its pattern. */
export const DEFAULT_DEPLOY_ROLE_NAME = 'SafeDeployTarget-DeployRole';
/** The pattern the orchestrator's task roles may assume in its target accounts (context `targetRolePattern`). */
export const DEFAULT_TARGET_ROLE_PATTERN = 'SafeDeployTarget-*';

export interface TargetAccountStackProps extends StackProps {
  /** The account the orchestrator runs in: only its task roles may assume the deploy role. */
  readonly orchestratorAccount: string;
  /** The orchestrator's region, where its event bus is. @default this stack's region */
  readonly orchestratorRegion?: string;
  /** The orchestrator's stack name: its task roles' names start with it. @default ORCHESTRATOR_STACK_NAME */
  readonly orchestratorStackName?: string;
  /** @default DEFAULT_DEPLOY_ROLE_NAME */
  readonly deployRoleName?: string;
  /** When set, the orchestrator must pass it (the input document's targetExternalId) to assume the deploy role. */
  readonly externalId?: string;
  /** What CloudFormation may provision in this account's deployed stacks. */
  readonly serviceRole?: CloudFormationServiceRoleProps;
  /** Forward this account's stack status change events to the orchestrator's bus (event mode). @default true */
  readonly forwardStackEvents?: boolean;
}

/**
 * What a workload account needs for the orchestrator to deploy into it (`npx cdk deploy
 * SafeDeployTarget -c orchestratorAccount=ACCOUNT`): the deploy role the orchestrator assumes,
 * allowed exactly the CloudFormation calls the deployer makes and the reading of templates staged
 * in the orchestrator's bucket; the CloudFormation service role that provisions the stacks; and a
 * rule forwarding the stacks' status change events to the orchestrator's event bus.
 */
export class TargetAccountStack extends Stack {
  public readonly deployRole: iam.Role;
  public readonly serviceRole: iam.Role;
  public readonly forwardingRule?: events.Rule;

  constructor(scope: Construct, id: string, props: TargetAccountStackProps) {
    super(scope, id, {
      description: 'Safe CloudFormation deployer, target account: the role the orchestrator deploys with, the CloudFormation service role, and the forwarding of stack status events',
      ...props,
    });
    const orchestratorStack = props.orchestratorStackName ?? ORCHESTRATOR_STACK_NAME;

    this.serviceRole = new CloudFormationServiceRole(this, 'CloudFormationServiceRole', props.serviceRole).role;

    // Only the orchestrator's task roles (CDK names them after their stack), never the whole account.
    const orchestratorRoles = `arn:${this.partition}:iam::${props.orchestratorAccount}:role/${orchestratorStack}-*`;
    this.deployRole = new iam.Role(this, 'DeployRole', {
      roleName: props.deployRoleName ?? DEFAULT_DEPLOY_ROLE_NAME,
      description: `Assumed by the safe deployer's task functions in account ${props.orchestratorAccount} for the CloudFormation calls of a deployment`,
      assumedBy: new iam.AccountPrincipal(props.orchestratorAccount).withConditions({
        ArnLike: { 'aws:PrincipalArn': orchestratorRoles },
        ...(props.externalId ? { StringEquals: { 'sts:ExternalId': props.externalId } } : {}),
      }),
    });

    const cloudFormationActions = [...new Set([...Object.values(TASK_PERMISSIONS).flatMap((permissions) => permissions.cloudFormation), ...COMPLETION_PERMISSIONS.cloudFormation])].sort();
    const stacks = this.formatArn({ service: 'cloudformation', region: '*', resource: 'stack', resourceName: '*/*' });
    const changeSets = this.formatArn({ service: 'cloudformation', region: '*', resource: 'changeSet', resourceName: '*/*' });
    const onResources = cloudFormationActions.filter((action) => !ACCOUNT_WIDE_ACTIONS.has(action));
    const accountWide = cloudFormationActions.filter((action) => ACCOUNT_WIDE_ACTIONS.has(action));
    this.deployRole.addToPolicy(
      new iam.PolicyStatement({ sid: 'DeployerCalls', actions: onResources.map((action) => `cloudformation:${action}`), resources: [stacks, changeSets] }),
    );
    this.deployRole.addToPolicy(
      new iam.PolicyStatement({ sid: 'DeployerListCalls', actions: accountWide.map((action) => `cloudformation:${action}`), resources: ['*'] }),
    );
    Validations.of(this.deployRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: ACCOUNT_WIDE_REASON,
    });
    // Templates over 51,200 bytes are staged in the orchestrator's bucket; CloudFormation reads them with this role's credentials.
    const stagedTemplates = `arn:${this.partition}:s3:::*/${STAGED_TEMPLATE_KEY_PATTERN}`;
    this.deployRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'StagedTemplates',
        actions: ['s3:GetObject'],
        resources: [stagedTemplates],
        conditions: { StringEquals: { 's3:ResourceAccount': props.orchestratorAccount } },
      }),
    );
    this.deployRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PassServiceRole',
        actions: ['iam:PassRole'],
        resources: [this.serviceRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      }),
    );
    acknowledgeWildcardResources(
      this.deployRole,
      [stacks, changeSets, stagedTemplates],
      'Stack and change set ARNs end in ids CloudFormation generates and stack names come from the input documents (this account only); staged templates are read only from buckets of the orchestrator\'s account (s3:ResourceAccount).',
    );

    if (props.forwardStackEvents ?? true) {
      const orchestratorBus = events.EventBus.fromEventBusArn(
        this,
        'OrchestratorBus',
        `arn:${this.partition}:events:${props.orchestratorRegion ?? this.region}:${props.orchestratorAccount}:event-bus/default`,
      );
      this.forwardingRule = new events.Rule(this, 'ForwardStackStatusChanges', {
        description: 'Forwards the stack status changes that end an operation to the safe deployer\'s event bus, for its deployments waiting on them',
        eventPattern: stackStatusEventPattern(),
        targets: [new targets.EventBus(orchestratorBus)],
      });
    }

    new CfnOutput(this, 'DeployRoleArn', { value: this.deployRole.roleArn, description: 'targetRoleArn of the input documents deploying into this account' });
    new CfnOutput(this, 'CloudFormationServiceRoleArn', {
      value: this.serviceRole.roleArn,
      description: 'cloudFormationRoleArn of the input documents deploying into this account',
    });
  }
}
