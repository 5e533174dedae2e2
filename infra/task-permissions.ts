import { Duration } from 'aws-cdk-lib';

/** The CloudFormation API calls the task Lambdas make. */
export type CloudFormationAction =
  | 'CreateStack'
  | 'DeleteStack'
  | 'DescribeStacks'
  | 'DescribeStackEvents'
  | 'CreateChangeSet'
  | 'DescribeChangeSet'
  | 'DeleteChangeSet'
  | 'ExecuteChangeSet'
  | 'ListChangeSets'
  | 'ListStacks'
  | 'ListStackResources';

/** Actions whose IAM resource is the change set as well as its stack. */
export const CHANGE_SET_ACTIONS: ReadonlySet<CloudFormationAction> = new Set([
  'CreateChangeSet',
  'DescribeChangeSet',
  'DeleteChangeSet',
  'ExecuteChangeSet',
]);

/** Actions that take no resource (ListStacks): granted on `*`, as IAM requires. */
export const ACCOUNT_WIDE_ACTIONS: ReadonlySet<CloudFormationAction> = new Set(['ListStacks']);
/** Why they are on `*`, for cdk-nag. */
export const ACCOUNT_WIDE_REASON =
  'cloudformation:ListStacks supports no resource-level permissions; it reads stack names and statuses only (onUnsafe new-stack looks for a stack\'s generations).';

/** What one task Lambda does on AWS: its role allows exactly this, and nothing else. */
export interface TaskPermissions {
  /** CloudFormation calls, on the stacks (and change sets) the deployer may touch. */
  readonly cloudFormation: readonly CloudFormationAction[];
  /** Reads the artifact zip (s3:GetObject, s3:GetObjectVersion) from the pipelines' artifact buckets. */
  readonly readsArtifacts?: boolean;
  /**
   * Puts a template over the 51,200-byte TemplateBody limit in the staging bucket (s3:PutObject)
   * and hands CloudFormation its URL; CloudFormation reads it with the caller's credentials
   * (s3:GetObject). Sets TEMPLATE_STAGING_BUCKET.
   */
  readonly stagesTemplates?: boolean;
  /** Sends `RoleARN`: iam:PassRole on the CloudFormation service role, to cloudformation.amazonaws.com only. */
  readonly passesServiceRole?: boolean;
  /** Is told the service role's ARN (DEFAULT_CLOUDFORMATION_ROLE_ARN), used when the input document names none. */
  readonly knowsDefaultServiceRole?: boolean;
  /**
   * Event mode's waiting task: records its token in the wait table (dynamodb:PutItem), may claim it
   * (dynamodb:UpdateItem) and remove it (dynamodb:DeleteItem) and answer it (states:SendTaskSuccess, SendTaskFailure). Sets STACK_WAIT_TABLE.
   */
  readonly awaitsStackEvents?: boolean;
  /** Publishes approval requests to the approval topic (sns:Publish); sets APPROVAL_TOPIC_ARN. */
  readonly requestsApproval?: boolean;
  /** Is told the wait table's name (STACK_WAIT_TABLE), which makes event mode the deployments' default. */
  readonly knowsWaitTable?: boolean;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default 30 seconds */
  readonly timeout?: Duration;
}

/**
 * Reading the artifact zip (up to MAX_ARTIFACT_BYTES, held in memory) needs memory, and memory
 * brings CPU for unzipping and parsing the template.
 */
const ARTIFACT_READER = { memorySize: 1024, timeout: Duration.minutes(2) } as const;

/**
 * Every task state of `statemachine/deploy.asl.json`, by name, and the calls its Lambda makes.
 *
 * Read from the handlers' code, not from intentions: a test bundles each handler as the CDK app
 * does and checks that the SDK commands left in the bundle are exactly the ones granted here.
 * Execute Change Set passes no role (CloudFormation uses the one the change set was created with,
 * without iam:PassRole), so it is not granted PassRole.
 */
export const TASK_PERMISSIONS: Readonly<Record<string, TaskPermissions>> = {
  'Prepare Deployment': { cloudFormation: [], readsArtifacts: true, knowsDefaultServiceRole: true, knowsWaitTable: true, ...ARTIFACT_READER },
  'Check Stack Existence': { cloudFormation: ['DescribeStacks', 'ListChangeSets'] },
  'Delete Failed Stack': { cloudFormation: ['DeleteStack', 'DescribeStacks'], passesServiceRole: true },
  'Get Failed Stack Deletion Status': { cloudFormation: ['DescribeStacks', 'DescribeStackEvents'] },
  'Create Stack': { cloudFormation: ['CreateStack'], readsArtifacts: true, stagesTemplates: true, passesServiceRole: true, ...ARTIFACT_READER },
  'Get Stack Creation Status': { cloudFormation: ['DescribeStacks', 'DescribeStackEvents'] },
  'Create Change Set': {
    cloudFormation: ['CreateChangeSet', 'DescribeChangeSet', 'ListChangeSets', 'DeleteChangeSet'],
    readsArtifacts: true,
    stagesTemplates: true,
    passesServiceRole: true,
    ...ARTIFACT_READER,
  },
  'Get Change Set Creation Status': { cloudFormation: ['DescribeChangeSet'] },
  'Delete Empty Change Set': { cloudFormation: ['DeleteChangeSet', 'DescribeStacks'] },
  'Inspect Change Set Changes': { cloudFormation: ['DescribeChangeSet'] },
  'Execute Change Set': { cloudFormation: ['ExecuteChangeSet', 'DescribeStacks', 'DescribeChangeSet'] },
  'Get Stack Update Status': { cloudFormation: ['DescribeStacks', 'DescribeStackEvents'] },
  'Delete Change Set': { cloudFormation: ['DeleteChangeSet'] },
  'Clean Up Change Set': { cloudFormation: ['DescribeChangeSet', 'DeleteChangeSet'] },
  'Await Stack Event': { cloudFormation: ['DescribeStacks', 'DescribeStackEvents'], awaitsStackEvents: true },
  'Await Approval': { cloudFormation: [], requestsApproval: true },
  'Find Live Generation': { cloudFormation: ['ListStacks'] },
  'Plan New Stack': { cloudFormation: ['ListStacks', 'ListStackResources', 'DescribeStacks', 'DeleteChangeSet'], readsArtifacts: true, ...ARTIFACT_READER },
};

/** The completion function (functions/complete-stack-wait): reads the stack, claims a wait, answers its token. */
export const COMPLETION_PERMISSIONS = {
  cloudFormation: ['DescribeStacks', 'DescribeStackEvents'],
  dynamoDb: ['Query', 'UpdateItem', 'DeleteItem'],
  stepFunctions: ['SendTaskSuccess', 'SendTaskFailure'],
} as const;
/** What the waiting task does with the wait table. */
export const AWAIT_TABLE_ACTIONS = ['PutItem', 'UpdateItem', 'DeleteItem'] as const;

/** Where staged templates go inside the staging bucket (functions/shared/template-source.ts). */
export const STAGED_TEMPLATE_KEY_PATTERN = 'templates/*';
