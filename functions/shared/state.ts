/**
 * The shapes of the execution's data. Each task writes its result under its own key (its
 * `ResultPath` in `statemachine/deploy.asl.json`), so the final output tells the whole story:
 *
 *   $            the input document (DeploymentInput)
 *   $.deployment Prepare Deployment           what will be deployed, validated and normalised
 *   $.stack      Check Stack Existence        whether the stack existed and what to do with it
 *   $.recreate   Delete Failed Stack (+ loop) the ROLLBACK_COMPLETE stack deleted before a fresh create
 *   $.changeSet  Create Change Set (+ loop)   the change set and its creation status
 *   $.inspection Inspect Change Set Changes   every change, and the ones that remove or replace
 *   $.result     the stack operation and its end: decision, status, stack outputs
 *   $.failure    { Error, Cause } when the deployment failed
 */
import type { OnBusy, SafetyPolicy } from './input';

export interface Parameter {
  ParameterKey: string;
  ParameterValue: string;
}

export interface Tag {
  Key: string;
  Value: string;
}

export interface ArtifactLocation {
  bucket: string;
  key: string;
  version?: string;
}

export interface TemplateSummary {
  /** Size in bytes; above MAX_TEMPLATE_BODY_BYTES the template is staged in S3 and passed by URL. */
  bytes: number;
  sha256: string;
  resourceCount: number;
  /** SHA-256 of the template configuration file: the file read again at create time must be this one. */
  configurationSha256?: string;
}

export type WaitMode = 'event' | 'poll';
export type OnUnsafe = 'fail' | 'approve' | 'new-stack';

/** Another account (and region) the deployment goes to, through a role it assumes there. */
export interface DeploymentTarget {
  /** The target account, from targetRoleArn (or the orchestrator's own when only a region is given). */
  account?: string;
  /** The role every CloudFormation call is made with (`targetRoleArn`). */
  roleArn?: string;
  /** `targetExternalId`, when the role's trust policy asks for one. */
  externalId?: string;
  region?: string;
}

/** One stack of a lineage: `<environment>-<stack>` (the first generation) or `<environment>-<stack>-<suffix>`. */
export interface Generation {
  stackName: string;
  stackId: string;
  status: string;
  /** ISO 8601, CloudFormation's CreationTime. */
  createdAt: string;
}

/** onUnsafe new-stack: the generations of the stack found when the deployment started (Find Live Generation). */
export interface Generations {
  /** `<environmentName>-<stackName>`: the first generation's name, and every other's prefix. */
  lineage: string;
  /** The newest generation that completed its create: the one deployed to, unless the change is unsafe. */
  live: string;
  /** Every generation that exists (not DELETE_COMPLETE), oldest first. */
  stacks: Generation[];
}

/** onUnsafe new-stack: the change was unsafe, so this deployment creates a new generation beside the live one (Plan New Stack). */
export interface NewStack {
  /** The live stack, left untouched: `Deployment.stackName` now names the new one. */
  previousStackName: string;
  previousStackId?: string;
  /** Deterministic for the previous stack and the revision, so a retried job reuses the stack instead of making another. */
  suffix: string;
  /** Why: what the unsafe change set would have removed or replaced. */
  reason: string;
}

export interface Deployment {
  environmentName: string;
  /** The CloudFormation stack: `<environmentName>-<stackName>`. */
  stackName: string;
  artifact: ArtifactLocation;
  templatePath: string;
  templateConfigurationPath?: string;
  template: TemplateSummary;
  /** The template configuration's parameters; the value of a NoEcho parameter shows as MASKED_VALUE. */
  parameters: Parameter[];
  tags: Tag[];
  capabilities: string[];
  roleArn?: string;
  safetyPolicy: SafetyPolicy;
  /** The budget of the whole deployment in seconds, counted from `startedAt`. */
  maxWaitSeconds: number;
  /** When the execution started (ISO 8601), as Step Functions says; absent when the handler was called alone. */
  startedAt?: string;
  /** `startedAt + maxWaitSeconds`: after it the deployment stops waiting, cleans up and fails. */
  deadline?: string;
  /** What to do when another deployment holds the stack: fail at once, or wait for it within the budget. */
  onBusy: OnBusy;
  /** What an unsafe change set does: `fail` (deleted), or `approve` (kept, waiting for a person). */
  onUnsafe: OnUnsafe;
  /** With `approve`: how long the change set waits for an answer (the Await Approval state's timeout). */
  approvalTimeoutSeconds?: number;
  /** With `new-stack`: at most this many generations of the stack may exist (default 2). */
  maxStacks?: number;
  /** With `new-stack`: the stack's generations, found before anything is touched. */
  generations?: Generations;
  /** Set when the change was unsafe and a new generation is deployed beside the live stack (`stackName` names it). */
  newStack?: NewStack;
  /** `event`: the state machine waits for the stack's status change event; `poll`: it polls DescribeStacks. */
  waitMode: WaitMode;
  /** Where the stack is, when not in the orchestrator's own account and region. */
  target?: DeploymentTarget;
  /** Derived from the execution name, so a retried task finds the change set it already made. */
  changeSetName: string;
  /** Derived from the execution name: CloudFormation treats a repeated create with it as the same request. */
  clientRequestToken: string;
}

/** How the next poll is paced; returned by every status task and read by the Wait states' SecondsPath. */
export interface PollState {
  polls: number;
  waitedSeconds: number;
  waitSeconds: number;
}

export type StackAction = 'CREATE' | 'RECREATE' | 'UPDATE' | 'CREATE_WITH_CHANGE_SET' | 'WAIT';

export interface StackCheck extends Partial<PollState> {
  exists: boolean;
  /** WAIT: another deployment holds the stack and the input document said `"onBusy": "wait"`. */
  action: StackAction;
  stackId?: string;
  status?: string;
  /** Why this action was chosen, in words for the operator. */
  note: string;
}

export interface StackRecreate extends PollState {
  deletedStackId: string;
  previousStatus: string;
  note: string;
  deleted: boolean;
}

export type ChangeSetOutcome = 'PENDING' | 'READY' | 'NO_CHANGES';

export interface ChangeSetState extends PollState {
  name: string;
  id: string;
  /** The stack's id, as the change set names it once CloudFormation has made it. */
  stackId?: string;
  type: 'UPDATE' | 'CREATE';
  status: string;
  statusReason?: string;
  outcome: ChangeSetOutcome;
}

export interface ChangeSummary {
  /** With the path of nested stacks it sits in: `Network/Subnet`. */
  logicalResourceId: string;
  resourceType: string;
  action: string;
  replacement?: string;
  physicalResourceId?: string;
  policyAction?: string;
}

/** One change of the decision record: what it does, the rule applied, what decided it, and the verdict. */
export interface DecidedChange extends ChangeSummary {
  verdict: 'allowed' | 'blocked';
  rule: string;
  reason: string;
  /** The policy entry (or built-in list) that decided it, when one did. */
  matched?: string;
  /** The properties that force (or may force) a replacement. */
  causes: string[];
}

/** How many changes of each kind the change set holds: the pipeline's output variables. */
export interface DecisionCounts {
  removals: number;
  replacements: number;
  blocked: number;
}

export interface OffendingChange extends ChangeSummary {
  /** The rule that flagged it: removal, replacement, conditional-replacement, unknown-action. */
  rule: string;
  reason: string;
  /** The properties or attributes whose change forces the replacement, e.g. `Properties.TableName`. */
  causes: string[];
}

/** A person's answer to an unsafe change set (SendTaskSuccess of the Await Approval state). */
export interface Approval {
  approved: true;
  /** Who answered: the ARN their credentials resolve to. */
  approver: string;
  reason?: string;
  /** The change set they reviewed; only that one is executed. */
  changeSetId: string;
  at: string;
}

export interface Inspection {
  safe: boolean;
  changeCount: number;
  /** The decision record: every change (at most MAX_CHANGES_IN_OUTPUT of `changeCount`) with its verdict. */
  changes: DecidedChange[];
  counts: DecisionCounts;
  /** True when `changes` holds only the first MAX_CHANGES_IN_OUTPUT of `changeCount`. */
  truncated: boolean;
  /** At most MAX_CHANGES_IN_OUTPUT of them; `offendingCount` counts them all. */
  offending: OffendingChange[];
  offendingCount: number;
  summary: string;
  /** Set when a person approved this unsafe change set (onUnsafe: approve). */
  approval?: Approval;
}

export type Decision = 'CREATED' | 'UPDATED' | 'NO_CHANGES';

export interface StackOutput {
  OutputKey: string;
  OutputValue: string;
  Description?: string;
  ExportName?: string;
}

export interface OperationResult extends PollState {
  action: 'CREATE' | 'UPDATE' | 'NONE';
  stackId: string;
  status: string;
  /** False while the operation runs; the Choice after each status task reads it. */
  done: boolean;
  decision?: Decision;
  outputs?: StackOutput[];
  summary?: string;
  /** Old resources the update's clean-up failed to delete or skipped (DELETE_FAILED, DELETE_SKIPPED). */
  warnings?: string[];
}

export interface Failure {
  Error: string;
  Cause: string;
}

/** A SUCCEEDED execution's output: the input document's fields, and each task's result under its key. */
export interface ExecutionOutput {
  deployment: Deployment;
  stack: StackCheck;
  recreate?: StackRecreate;
  changeSet?: ChangeSetState;
  inspection?: Inspection;
  result: OperationResult;
}
