import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DEFINITION_PATH, taskStates } from '../statemachine/definition';
import { type ArtifactStore, grantArtifactRead } from './artifact-access';
import { CloudFormationServiceRole, type CloudFormationServiceRoleProps } from './cloudformation-service-role';
import { DeployFunction } from './deploy-function';
import { acknowledgeWildcardResources } from './nag';
import { accessLogsBucket, removalPolicyFor, secureBucket } from './secure-bucket';
import { ACCOUNT_WIDE_ACTIONS, ACCOUNT_WIDE_REASON, AWAIT_TABLE_ACTIONS, CHANGE_SET_ACTIONS, COMPLETION_PERMISSIONS, STAGED_TEMPLATE_KEY_PATTERN, TASK_PERMISSIONS, type TaskPermissions } from './task-permissions';
import { STACK_WAIT_TABLE_ENV } from '../functions/shared/stack-events';
import { APPROVAL_TOPIC_ENV } from '../functions/shared/approvals';
import { APPROVALS_PAST_HALF_DEADLINE, METRIC_NAMESPACE, STATE_MACHINE_ARN_ENV, STATE_MACHINE_DIMENSION } from '../functions/check-waiting-approvals/metric';
import { DEFAULT_TARGET_ROLE_PATTERN, stackStatusEventPattern } from './target-account-stack';

/** Staged templates are only read while their stack operation starts; a week covers any retry. */
export const DEFAULT_STAGED_TEMPLATE_EXPIRATION = Duration.days(7);
/** Old versions of input documents: the record of what each deployment was told to do. */
export const INPUT_DOCUMENT_HISTORY = Duration.days(365);
export const DEFAULT_LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;
/** The trigger reads one small document and makes a few Step Functions calls per invocation. */
const TRIGGER_TIMEOUT = Duration.minutes(1);
/** How often the waiting approvals are counted: also the alarm's period. */
export const APPROVAL_CHECK_INTERVAL = Duration.minutes(5);
/** A check reads a few history pages for each running execution (functions/check-waiting-approvals bounds them). */
const APPROVAL_CHECK_TIMEOUT = Duration.minutes(2);
/** Consecutive failed checks (of APPROVAL_CHECK_INTERVAL each) before the check's own alarm goes off. */
const APPROVAL_CHECK_FAILURES_TO_ALARM = 3;

export interface OrchestratorStackProps extends StackProps {
  /** What CloudFormation may provision through its service role. @default - the sample application's needs */
  readonly serviceRole?: CloudFormationServiceRoleProps;
  /**
   * Names of the stacks the state machine may create, change and delete (`<environmentName>-<stackName>`),
   * as IAM wildcards, e.g. `['test-*', 'prod-*']`.
   *
   * @default ['*'] - any stack in this account and region
   */
  readonly stackNamePatterns?: string[];
  /**
   * Artifact buckets of pipelines defined outside this app, whose zips the deployments read. The
   * sample pipeline grants its own. @default - none
   */
  readonly artifactStores?: ArtifactStore[];
  /** @default 7 days */
  readonly stagedTemplateExpiration?: Duration;
  /** @default three months */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Keep the buckets and log groups when the stack is deleted.
   *
   * @default true
   */
  readonly retainData?: boolean;
  /**
   * Event mode (default true): a wait table, a rule for CloudFormation's stack status change events
   * and a completion function, so that deployments wait for their stack's event instead of polling.
   */
  readonly eventMode?: boolean;
  /**
   * Workload accounts the deployments may target (input `targetRoleArn`): the task functions may
   * assume roles matching `targetRolePattern` there, those roles may read staged templates, and
   * those accounts may forward their stack status change events to this account's bus.
   */
  readonly targetAccounts?: string[];
  /** The names of the roles the task functions may assume in the target accounts. @default DEFAULT_TARGET_ROLE_PATTERN */
  readonly targetRolePattern?: string;
}

/**
 * The deployer: the state machine built from `statemachine/deploy.asl.json`, one Lambda per task
 * state, the pipeline trigger, the input-document and template-staging buckets, and the
 * CloudFormation service role the deployments pass.
 */
export class OrchestratorStack extends Stack {
  public readonly stateMachine: sfn.StateMachine;
  public readonly trigger: DeployFunction;
  /** Task Lambdas by state name. */
  public readonly taskFunctions: Readonly<Record<string, DeployFunction>>;
  public readonly inputBucket: s3.Bucket;
  public readonly stagingBucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;
  public readonly serviceRole: iam.Role;
  public readonly failedExecutionsAlarm: cloudwatch.Alarm;
  /** The roles that read pipeline artifacts: grant them read access to your pipeline's artifact bucket. */
  public readonly artifactReaderRoles: iam.IRole[];
  /** Where approval requests of unsafe change sets go (onUnsafe: approve); subscriptions are the user's. */
  public readonly approvalTopic: sns.Topic;
  public readonly approvalTopicKey: kms.Key;
  /** Attach to the people (roles) who may approve or reject unsafe change sets. */
  public readonly approverPolicy: iam.ManagedPolicy;
  /**
   * Approvals waiting longer than half their deadline: a scheduled check that counts them (a
   * metric of its own: Step Functions has none for how long a task has waited), the alarm on that
   * count, and an alarm on the check itself failing.
   */
  public readonly approvalWaits: { check: DeployFunction; schedule: events.Rule; alarm: cloudwatch.Alarm; checkFailingAlarm: cloudwatch.Alarm };
  /** Event mode's resources; absent with `eventMode: false`. */
  public readonly stackEvents?: { table: dynamodb.Table; rule: events.Rule; completion: DeployFunction; deadLetters: sqs.Queue };

  constructor(scope: Construct, id: string, props: OrchestratorStackProps = {}) {
    super(scope, id, {
      description: 'Safe CloudFormation deployer: a Step Functions state machine that deploys a stack only when the change removes or replaces nothing its safety policy protects',
      ...props,
    });
    const retention = { retainData: props.retainData ?? true };
    const removalPolicy = removalPolicyFor(retention);
    const logRetention = props.logRetention ?? DEFAULT_LOG_RETENTION;

    // Storage
    this.accessLogsBucket = accessLogsBucket(this, 'AccessLogsBucket', retention);
    this.inputBucket = secureBucket(this, 'InputBucket', {
      ...retention,
      accessLogs: this.accessLogsBucket,
      accessLogsPrefix: 'input/',
      bucketProps: {
        lifecycleRules: [{ id: 'ExpireOldInputDocuments', noncurrentVersionExpiration: INPUT_DOCUMENT_HISTORY }],
      },
    });
    this.stagingBucket = secureBucket(this, 'StagingBucket', {
      ...retention,
      accessLogs: this.accessLogsBucket,
      accessLogsPrefix: 'staging/',
      bucketProps: {
        lifecycleRules: [
          {
            id: 'ExpireStagedTemplates',
            expiration: props.stagedTemplateExpiration ?? DEFAULT_STAGED_TEMPLATE_EXPIRATION,
            noncurrentVersionExpiration: Duration.days(1),
            abortIncompleteMultipartUploadAfter: Duration.days(1),
          },
        ],
      },
    });

    this.serviceRole = new CloudFormationServiceRole(this, 'CloudFormationServiceRole', props.serviceRole).role;

    // One Lambda per task state, each allowed exactly the calls it makes
    const stackArns = (props.stackNamePatterns ?? ['*']).map((pattern) =>
      this.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${pattern}/*` }),
    );
    const changeSetArns = [this.formatArn({ service: 'cloudformation', resource: 'changeSet', resourceName: '*/*' })];
    const stagedTemplates = this.stagingBucket.arnForObjects(STAGED_TEMPLATE_KEY_PATTERN);

    // Event mode: the table where waiting deployments leave their task tokens
    const waitTable =
      props.eventMode === false
        ? undefined
        : new dynamodb.Table(this, 'StackWaitTable', {
            partitionKey: { name: 'stackId', type: dynamodb.AttributeType.STRING },
            sortKey: { name: 'waiter', type: dynamodb.AttributeType.STRING },
            billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
            timeToLiveAttribute: 'expiresAt',
            encryption: dynamodb.TableEncryption.AWS_MANAGED,
            // Task tokens of running deployments, hours old at most: nothing to restore.
            removalPolicy: RemovalPolicy.DESTROY,
          });
    if (waitTable) {
      Validations.of(waitTable).acknowledge({
        id: 'AwsSolutions-DDB3',
        reason: 'The table holds only the task tokens of deployments waiting now (expired by TTL); a point-in-time copy would restore tokens nobody can answer.',
      });
    }

    // A key of this stack's, not the AWS managed aws/sns key: CloudWatch alarms cannot publish to a
    // topic encrypted with that one, and this topic carries the alarms too.
    this.approvalTopicKey = new kms.Key(this, 'ApprovalTopicKey', {
      description: 'Safe deploy: encrypts the approval and alarm topic',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.approvalTopicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.approvalTopic = new sns.Topic(this, 'ApprovalTopic', {
      displayName: 'Safe deploy: unsafe change sets waiting for approval, and failed deployments',
      enforceSSL: true,
      masterKey: this.approvalTopicKey,
    });

    const states = taskStates();
    const unknown = Object.keys(TASK_PERMISSIONS).filter((name) => !states.some((state) => state.stateName === name));
    if (unknown.length > 0) throw new Error(`infra/task-permissions.ts names states that are not in the definition: ${unknown.join(', ')}`);

    const taskFunctions: Record<string, DeployFunction> = {};
    const definitionSubstitutions: Record<string, string> = {};
    const artifactReaderRoles: iam.IRole[] = [];
    for (const state of states) {
      const permissions = TASK_PERMISSIONS[state.stateName];
      if (!permissions) throw new Error(`Task state "${state.stateName}" has no entry in infra/task-permissions.ts: say which AWS calls its Lambda makes`);
      const task = new DeployFunction(this, state.substitutionKey.replace(/FunctionArn$/, ''), {
        functionFolder: state.functionFolder,
        description: `Safe deploy: the "${state.stateName}" state`,
        memorySize: permissions.memorySize,
        timeout: permissions.timeout,
        environment: {
          ...(permissions.stagesTemplates ? { TEMPLATE_STAGING_BUCKET: this.stagingBucket.bucketName } : {}),
          ...(permissions.knowsDefaultServiceRole ? { DEFAULT_CLOUDFORMATION_ROLE_ARN: this.serviceRole.roleArn } : {}),
          ...(waitTable && (permissions.knowsWaitTable || permissions.awaitsStackEvents) ? { [STACK_WAIT_TABLE_ENV]: waitTable.tableName } : {}),
          ...(permissions.requestsApproval ? { [APPROVAL_TOPIC_ENV]: this.approvalTopic.topicArn } : {}),
        },
        logRetention,
        removalPolicy,
      });
      this.grantTaskPermissions(task, permissions, { stackArns, changeSetArns, stagedTemplates });
      if (permissions.readsArtifacts) artifactReaderRoles.push(task.role);
      taskFunctions[state.stateName] = task;
      definitionSubstitutions[state.substitutionKey] = task.function.functionArn;
    }
    this.taskFunctions = taskFunctions;
    for (const [name, permissions] of Object.entries(TASK_PERMISSIONS)) {
      if (!permissions.requestsApproval) continue;
      taskFunctions[name].role.addToPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.approvalTopic.topicArn] }));
      // SNS encrypts what it is given to publish with the topic's key, on the publisher's behalf.
      taskFunctions[name].role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: [this.approvalTopicKey.keyArn] }));
      Validations.of(taskFunctions[name].role).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: 'SNS asks for a data key of whatever kind it needs (GenerateDataKey, GenerateDataKeyWithoutPlaintext) to encrypt a message; only on the topic\'s own key.',
      });
    }
    const awaiting = Object.entries(TASK_PERMISSIONS).filter(([, permissions]) => permissions.awaitsStackEvents).map(([name]) => taskFunctions[name]);
    if (waitTable) {
      for (const task of awaiting) {
        task.role.addToPolicy(new iam.PolicyStatement({ actions: AWAIT_TABLE_ACTIONS.map((action) => `dynamodb:${action}`), resources: [waitTable.tableArn] }));
      }
    }
    this.artifactReaderRoles = artifactReaderRoles;
    (props.artifactStores ?? []).forEach((store, index) =>
      grantArtifactRead(this, `ArtifactStoreAccess${index + 1}`, store, artifactReaderRoles),
    );

    // The state machine
    const stateMachineLogs = new logs.LogGroup(this, 'StateMachineLogs', { retention: logRetention, removalPolicy });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromFile(DEFINITION_PATH),
      definitionSubstitutions,
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      // Every state transition, for the audit trail beyond the 90 days of execution history; the
      // data (inputs, outputs) stays in the execution history, where the console shows it.
      logs: { destination: stateMachineLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    // DefinitionBody.fromFile cannot see which functions the definition calls: allow exactly these.
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'InvokeTaskFunctions',
        actions: ['lambda:InvokeFunction'],
        resources: Object.values(taskFunctions).map((task) => task.function.functionArn),
      }),
    );
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by CDK for state machine logging and X-Ray tracing: the CloudWatch Logs delivery actions (logs:CreateLogDelivery, logs:PutResourcePolicy, …) and xray:PutTraceSegments/GetSampling* support no resource-level permissions.',
    });

    if (waitTable) {
      // Not on the role's default policy: the function depends on that, and the state machine on the function.
      new iam.Policy(this, 'AwaitStackEventTaskResponse', {
        roles: awaiting.map((task) => task.role),
        statements: [new iam.PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [this.stateMachine.stateMachineArn] })],
      });
      this.stackEvents = this.addStackEvents(waitTable, { stackArns, logRetention, removalPolicy });
    }

    this.allowTargetAccounts(props.targetAccounts ?? [], props.targetRolePattern ?? DEFAULT_TARGET_ROLE_PATTERN, [
      ...Object.entries(TASK_PERMISSIONS)
        .filter(([, permissions]) => permissions.cloudFormation.length > 0)
        .map(([name]) => taskFunctions[name]),
      ...(this.stackEvents ? [this.stackEvents.completion] : []),
    ]);

    // Who may answer an approval request: only principals this policy is attached to.
    const executions = this.formatArn({ service: 'states', resource: 'execution', resourceName: `${this.stateMachine.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.approverPolicy = new iam.ManagedPolicy(this, 'ApproverPolicy', {
      description: 'Approve or reject the unsafe change sets of the safe deployer (deploy-orchestrator approve / reject, or the Step Functions console)',
      statements: [
        new iam.PolicyStatement({ sid: 'AnswerApprovals', actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [this.stateMachine.stateMachineArn] }),
        new iam.PolicyStatement({ sid: 'ReadExecutions', actions: ['states:DescribeExecution', 'states:GetExecutionHistory'], resources: [executions] }),
      ],
    });
    acknowledgeWildcardResources(this.approverPolicy, [executions], 'Execution ARNs end in the execution name; limited to this state machine\'s executions.');

    // The pipeline trigger
    this.trigger = new DeployFunction(this, 'Trigger', {
      functionFolder: 'trigger',
      description: 'Safe deploy: the CodePipeline action trigger that starts and follows the state machine',
      timeout: TRIGGER_TIMEOUT,
      environment: { STATE_MACHINE_ARN: this.stateMachine.stateMachineArn },
      logRetention,
      removalPolicy,
    });
    this.grantTriggerPermissions(this.trigger);

    // Alarms, told to the approval topic, where the people who look after deployments listen
    const alarm = (id: string, description: string, metric: cloudwatch.Metric, evaluationPeriods = 1): cloudwatch.Alarm => {
      const created = new cloudwatch.Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold: 1,
        evaluationPeriods,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new cloudwatchActions.SnsAction(this.approvalTopic));
      return created;
    };
    const everyFiveMinutes = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    this.failedExecutionsAlarm = alarm(
      'FailedExecutionsAlarm',
      'A deployment failed, or its change set was refused by the safety policy: open the failed execution in the Step Functions console for the reason.',
      this.stateMachine.metricFailed(everyFiveMinutes),
    );
    alarm(
      'TimedOutExecutionsAlarm',
      'A deployment ran past the state machine\'s own timeout: its stack may still be changing and its change set may be left; open the execution in the Step Functions console.',
      this.stateMachine.metricTimedOut(everyFiveMinutes),
    );
    alarm(
      'AbortedExecutionsAlarm',
      'Someone stopped a deployment: its stack may still be changing and its change set may be left; open the execution in the Step Functions console.',
      this.stateMachine.metricAborted(everyFiveMinutes),
    );
    this.approvalWaits = this.addApprovalWaitCheck(alarm, { executions, logRetention, removalPolicy });

    new CfnOutput(this, 'ApprovalTopicArn', { value: this.approvalTopic.topicArn, description: 'Approval requests of unsafe change sets (onUnsafe: approve): subscribe to it' });
    new CfnOutput(this, 'ApproverPolicyArn', { value: this.approverPolicy.managedPolicyArn, description: 'Attach to whoever may approve or reject unsafe change sets' });
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn, description: 'The deploy state machine' });
    new CfnOutput(this, 'TriggerFunctionName', {
      value: this.trigger.function.functionName,
      description: 'The Lambda function a CodePipeline "Invoke" action calls',
    });
    new CfnOutput(this, 'InputBucketName', { value: this.inputBucket.bucketName, description: 'Bucket of the input documents (UserParameters s3Bucket)' });
    new CfnOutput(this, 'StagingBucketName', { value: this.stagingBucket.bucketName, description: 'Bucket where templates over 51,200 bytes are staged' });
    new CfnOutput(this, 'CloudFormationServiceRoleArn', {
      value: this.serviceRole.roleArn,
      description: 'The role CloudFormation assumes for the deployed stacks (the default cloudFormationRoleArn)',
    });
  }

  /**
   * The waiting-approvals check: a function run every APPROVAL_CHECK_INTERVAL that publishes how
   * many executions have waited in Await Approval for longer than half their deadline (CloudWatch
   * embedded metric format, from its log: no CloudWatch permission needed), and the alarms.
   */
  private addApprovalWaitCheck(
    alarm: (id: string, description: string, metric: cloudwatch.Metric, evaluationPeriods?: number) => cloudwatch.Alarm,
    options: { executions: string; logRetention: logs.RetentionDays; removalPolicy: RemovalPolicy },
  ): OrchestratorStack['approvalWaits'] {
    const check = new DeployFunction(this, 'CheckWaitingApprovals', {
      functionFolder: 'check-waiting-approvals',
      description: 'Safe deploy: counts the approvals waiting longer than half their deadline, for the alarm',
      timeout: APPROVAL_CHECK_TIMEOUT,
      environment: { [STATE_MACHINE_ARN_ENV]: this.stateMachine.stateMachineArn },
      logRetention: options.logRetention,
      removalPolicy: options.removalPolicy,
    });
    check.role.addToPolicy(new iam.PolicyStatement({ actions: ['states:ListExecutions'], resources: [this.stateMachine.stateMachineArn] }));
    check.role.addToPolicy(new iam.PolicyStatement({ actions: ['states:GetExecutionHistory'], resources: [options.executions] }));
    acknowledgeWildcardResources(check.role, [options.executions], 'Execution ARNs end in the execution name; read-only, limited to this state machine\'s executions.');

    const schedule = new events.Rule(this, 'CheckWaitingApprovalsSchedule', {
      description: 'Counts the approvals waiting longer than half their deadline',
      schedule: events.Schedule.rate(APPROVAL_CHECK_INTERVAL),
      // A check older than the next one is worth nothing.
      targets: [new targets.LambdaFunction(check.function, { maxEventAge: APPROVAL_CHECK_INTERVAL })],
    });
    const pastHalfDeadline = new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: APPROVALS_PAST_HALF_DEADLINE,
      dimensionsMap: { [STATE_MACHINE_DIMENSION]: this.stateMachine.stateMachineArn },
      period: APPROVAL_CHECK_INTERVAL,
      // A retried check may publish twice in a period: each is the whole count, never to be added up.
      statistic: cloudwatch.Stats.MAXIMUM,
    });
    const waitingAlarm = alarm(
      'ApprovalsWaitingAlarm',
      'An unsafe change set has waited for approval for more than half its deadline (approvalTimeoutSeconds); unanswered, it will be deleted and its deployment will fail. The approval request went to this topic earlier. Find the execution in the Step Functions console (running, in "Await Approval") or in the CheckWaitingApprovals function\'s log ("waited longer than half its deadline"), review the change, and answer: deploy-orchestrator approve EXECUTION_ARN [--reason TEXT], or reject EXECUTION_ARN --reason TEXT.',
      pastHalfDeadline,
    );
    const checkFailingAlarm = alarm(
      'ApprovalCheckFailingAlarm',
      `The check for approvals waiting past half their deadline has failed in each of the last ${APPROVAL_CHECK_FAILURES_TO_ALARM} periods of ${APPROVAL_CHECK_INTERVAL.toMinutes()} minutes, so that alarm cannot be trusted until it runs again: read the errors in the CheckWaitingApprovals function's log group (a missing permission says which).`,
      check.function.metricErrors({ period: APPROVAL_CHECK_INTERVAL, statistic: cloudwatch.Stats.SUM }),
      APPROVAL_CHECK_FAILURES_TO_ALARM,
    );
    return { check, schedule, alarm: waitingAlarm, checkFailingAlarm };
  }

  /**
   * Deployments into other accounts: the functions that call CloudFormation may assume the deploy
   * roles there (by name pattern, account by account, never any role), those roles may read the
   * staged templates, and those accounts may put their stack status events on this account's bus.
   */
  private allowTargetAccounts(accounts: string[], rolePattern: string, callers: DeployFunction[]): void {
    if (accounts.length === 0) return;
    if (!/^[\w+=,.@*-]+$/.test(rolePattern) || rolePattern.replace(/\*/g, '') === '') {
      throw new Error(`targetRolePattern must be a role name with at most a few * wildcards (like SafeDeployTarget-*), not "${rolePattern}"`);
    }
    const roles = accounts.map((account) => `arn:${this.partition}:iam::${account}:role/${rolePattern}`);
    for (const caller of callers) {
      caller.role.addToPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: roles }));
      acknowledgeWildcardResources(caller.role, roles, 'The target accounts\' deploy roles, by the name pattern targetRolePattern: only those accounts, only roles so named.');
    }
    this.stagingBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'TargetAccountsReadStagedTemplates',
        principals: accounts.map((account) => new iam.AccountPrincipal(account)),
        actions: ['s3:GetObject'],
        resources: [this.stagingBucket.arnForObjects(STAGED_TEMPLATE_KEY_PATTERN)],
        conditions: { ArnLike: { 'aws:PrincipalArn': roles } },
      }),
    );
    if (this.stackEvents) {
      accounts.forEach(
        (account) =>
          new events.CfnEventBusPolicy(this, `TargetAccountEvents${account}`, {
            eventBusName: 'default',
            statementId: `SafeDeployTarget${account}`,
            action: 'events:PutEvents',
            principal: account,
          }),
      );
    }
  }

  /** The status change rule and its target, the completion function, with a dead-letter queue for events it could not take. */
  private addStackEvents(
    table: dynamodb.Table,
    options: { stackArns: string[]; logRetention: logs.RetentionDays; removalPolicy: RemovalPolicy },
  ): NonNullable<OrchestratorStack['stackEvents']> {
    const completion = new DeployFunction(this, 'CompleteStackWait', {
      functionFolder: 'complete-stack-wait',
      description: 'Safe deploy: answers the deployments waiting for a stack when its status change event comes',
      environment: { [STACK_WAIT_TABLE_ENV]: table.tableName },
      logRetention: options.logRetention,
      removalPolicy: options.removalPolicy,
    });
    completion.role.addToPolicy(
      new iam.PolicyStatement({ actions: COMPLETION_PERMISSIONS.cloudFormation.map((action) => `cloudformation:${action}`), resources: options.stackArns }),
    );
    acknowledgeWildcardResources(completion.role, options.stackArns, 'Stack ARNs end in an id CloudFormation generates; limited to this account and region (narrow with stackNamePatterns).');
    completion.role.addToPolicy(new iam.PolicyStatement({ actions: COMPLETION_PERMISSIONS.dynamoDb.map((action) => `dynamodb:${action}`), resources: [table.tableArn] }));
    completion.role.addToPolicy(
      new iam.PolicyStatement({ actions: COMPLETION_PERMISSIONS.stepFunctions.map((action) => `states:${action}`), resources: [this.stateMachine.stateMachineArn] }),
    );

    const deadLetters = new sqs.Queue(this, 'StackEventDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the stack status change rule.',
    });
    const rule = new events.Rule(this, 'StackStatusChangeRule', {
      description: 'CloudFormation stack status changes that end an operation, for the deployments waiting on them',
      eventPattern: stackStatusEventPattern(),
      targets: [new targets.LambdaFunction(completion.function, { retryAttempts: 8, maxEventAge: Duration.hours(2), deadLetterQueue: deadLetters })],
    });
    return { table, rule, completion, deadLetters };
  }

  private grantTaskPermissions(
    task: DeployFunction,
    permissions: TaskPermissions,
    arns: { stackArns: string[]; changeSetArns: string[]; stagedTemplates: string },
  ): void {
    const stackActions = permissions.cloudFormation.filter((action) => !CHANGE_SET_ACTIONS.has(action) && !ACCOUNT_WIDE_ACTIONS.has(action));
    const accountWideActions = permissions.cloudFormation.filter((action) => ACCOUNT_WIDE_ACTIONS.has(action));
    if (accountWideActions.length > 0) {
      task.role.addToPolicy(new iam.PolicyStatement({ actions: accountWideActions.map((action) => `cloudformation:${action}`), resources: ['*'] }));
      Validations.of(task.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: ACCOUNT_WIDE_REASON,
      });
    }
    const changeSetActions = permissions.cloudFormation.filter((action) => CHANGE_SET_ACTIONS.has(action));
    const wildcards: string[] = [];
    if (stackActions.length > 0) {
      task.role.addToPolicy(
        new iam.PolicyStatement({ actions: stackActions.map((action) => `cloudformation:${action}`), resources: arns.stackArns }),
      );
      wildcards.push(...arns.stackArns);
    }
    if (changeSetActions.length > 0) {
      const resources = [...arns.stackArns, ...arns.changeSetArns];
      task.role.addToPolicy(new iam.PolicyStatement({ actions: changeSetActions.map((action) => `cloudformation:${action}`), resources }));
      wildcards.push(...resources);
    }
    acknowledgeWildcardResources(
      task.role,
      wildcards,
      'Stack and change set ARNs end in an id CloudFormation generates, and stack names come from the input documents; limited to this account and region (narrow with stackNamePatterns).',
    );

    if (permissions.stagesTemplates) {
      task.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject'], resources: [arns.stagedTemplates] }));
      acknowledgeWildcardResources(
        task.role,
        [arns.stagedTemplates],
        'Staged templates are named by stack and template digest under templates/; CloudFormation reads them with the caller\'s credentials.',
      );
    }
    if (permissions.passesServiceRole) {
      task.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [this.serviceRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
        }),
      );
    }
  }

  private grantTriggerPermissions(trigger: DeployFunction): void {
    const inputDocuments = this.inputBucket.arnForObjects('*');
    trigger.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [inputDocuments] }));
    acknowledgeWildcardResources(trigger.role, [inputDocuments], 'Input documents are named by each pipeline action\'s UserParameters; read-only, one bucket.');

    trigger.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] }),
    );
    const executions = this.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    trigger.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['states:DescribeExecution', 'states:GetExecutionHistory'], resources: [executions] }),
    );
    acknowledgeWildcardResources(
      trigger.role,
      [executions],
      'Execution ARNs end in the execution name, which the trigger derives from each pipeline job; limited to this state machine\'s executions.',
    );

    trigger.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['codepipeline:PutJobSuccessResult', 'codepipeline:PutJobFailureResult'], resources: ['*'] }),
    );
    Validations.of(trigger.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'codepipeline:PutJobSuccessResult and PutJobFailureResult support no resource-level permissions (a job id is not an ARN).',
    });
  }
}
