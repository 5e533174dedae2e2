/**
 * The shapes of the execution's data. Each task writes its result under its own key (its
 * `ResultPath` in `statemachine/deploy.asl.json`), so the final output tells the whole story:
 *
 *   $            the input document (DeploymentInput)
 *   $.deployment Prepare Deployment           what will be deployed, validated and normalised
 *   $.stack      Check Stack Existence        whether the stack existed and what to do with it
 *   $.recreate   Delete Failed Stack (+ loop) the ROLLBACK_COMPLETE stack deleted before a fresh create
 *   $.changeSet  Create Change Set (+ loop)   the change set and its creation status
 *   $.inspection Inspect Change Set Changes   the decision record: every change and its verdict
 *   $.result     the stack operation and its end: decision, status, stack outputs
 *   $.failure    { Error, Cause } when the deployment failed
 */
import type { SafetyPolicy } from './input';

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
}

export interface Deployment {
  environmentName: string;
  /** The CloudFormation stack: `<environmentName>-<stackName>`. */
  stackName: string;
  artifact: ArtifactLocation;
  templatePath: string;
  templateConfigurationPath?: string;
  template: TemplateSummary;
  parameters: Parameter[];
  tags: Tag[];
  capabilities: string[];
  roleArn?: string;
  safetyPolicy: SafetyPolicy;
  maxWaitSeconds: number;
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

export type StackAction = 'CREATE' | 'RECREATE' | 'UPDATE' | 'CREATE_WITH_CHANGE_SET';

export interface StackCheck {
  exists: boolean;
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

/** What a change does to its resource, as the safety policy classifies it (see safety-policy.ts). */
export type ChangeKind =
  | 'add'
  | 'import'
  | 'in-place-modify'
  | 'replacement'
  | 'conditional-replacement'
  | 'unstated-replacement'
  | 'removal'
  | 'retained-removal'
  | 'dynamic'
  | 'unknown-action';

/**
 * The rule that gave a change its verdict: `safe-change` (adds, imports, in-place modifications),
 * `protect` and `built-in-protection` (blocked whatever an allow list says), `built-in-allowance`
 * (a harmless replacement), `retained-removal`, `allow-list`, `not-allowed` (nothing lets it
 * through) and `unknown-action`.
 */
export type PolicyRule =
  | 'safe-change'
  | 'protect'
  | 'built-in-protection'
  | 'built-in-allowance'
  | 'retained-removal'
  | 'allow-list'
  | 'not-allowed'
  | 'unknown-action';

export type ChangeVerdict = 'ALLOWED' | 'BLOCKED';

/** Where the entry that decided a change lives: a list of the input's safetyPolicy, or a built-in list. */
export type PolicySource =
  | 'safetyPolicy.protect'
  | 'safetyPolicy.allowRemoval'
  | 'safetyPolicy.allowReplacement'
  | 'safetyPolicy.retainedRemovals'
  | 'built-in protected types'
  | 'built-in harmless replacements';

export interface MatchedEntry {
  source: PolicySource;
  /** The entry as written (a logical id, nested path or type pattern), or the built-in type. */
  entry: string;
  builtIn: boolean;
  /** Why a built-in entry is on its list. */
  reason?: string;
  /** The safetyPolicy.unprotect entry that lifted a built-in protection before this entry applied. */
  unprotectedBy?: string;
}

/** One change of the change set, judged. */
export interface ChangeDecision {
  /** The nested stacks the resource sits in (`Network` or `Network/Subnets`); empty for the stack's own resources. */
  nestedPath: string;
  logicalResourceId: string;
  physicalResourceId?: string;
  resourceType: string;
  action: string;
  /** `True`, `False` or `Conditional` as CloudFormation said it; absent when it did not say. */
  replacement?: string;
  policyAction?: string;
  /** The properties or attributes whose change forces (or may force) the replacement, e.g. `Properties.TableName (always replaces)`. */
  causes: string[];
  kind: ChangeKind;
  rule: PolicyRule;
  /** The policy entry that decided it; absent when no entry did (safe changes, and changes nothing allows). */
  matched?: MatchedEntry;
  verdict: ChangeVerdict;
  /** One line: what the change does and why it got its verdict. */
  explanation: string;
}

/** Exact counts over every change, however many the record lists. */
export interface DecisionCounts {
  changes: number;
  /** Adds and imports. */
  adds: number;
  inPlaceModifications: number;
  /** Every change that replaces or may replace (True, Conditional, or not stated). */
  replacements: number;
  /** Every Remove, retained ones included. */
  removals: number;
  /** Dynamic and unknown actions. */
  undetermined: number;
  blocked: number;
}

/** The safety policy's decision on a whole change set. */
export interface DecisionRecord {
  verdict: 'SAFE' | 'BLOCKED';
  counts: DecisionCounts;
  /** Blocked changes first, then the others, each in change set order. */
  changes: ChangeDecision[];
  /** Changes left out of `changes` to keep the execution's data small; `counts` still counts them. */
  omitted: number;
}

export interface Inspection {
  safe: boolean;
  changeCount: number;
  offendingCount: number;
  summary: string;
  decision: DecisionRecord;
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
