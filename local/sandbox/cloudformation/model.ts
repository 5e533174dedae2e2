import type { Change, Parameter as SdkParameter, StackEvent, Tag } from '@aws-sdk/client-cloudformation';
import type { EvaluatedOutput } from './intrinsics';
import type { Template } from './template';

/**
 * The CloudFormation sandbox's state. A stack holds its deployed template, its resources with
 * their physical ids, its events (newest first, as DescribeStackEvents returns them) and at most
 * one running operation, which moves forward one step each time the stack is described.
 */
export interface SandboxResource {
  logicalId: string;
  type: string;
  physicalId: string;
  status: string;
  /** The resolved properties it was deployed with. */
  properties: Record<string, unknown>;
  deletionPolicy?: string;
}

/** One step of a running operation: what one poll of DescribeStacks sees happen. */
export type Step = () => void;

export interface StackOperation {
  kind: 'CREATE' | 'UPDATE' | 'DELETE';
  clientRequestToken?: string;
  steps: Step[];
  /** Polls that see no progress before the next step (a slow stack). */
  delayPolls: number;
}

export interface SandboxStack {
  stackId: string;
  stackName: string;
  status: string;
  statusReason?: string;
  description?: string;
  creationTime: Date;
  lastUpdatedTime?: Date;
  deletionTime?: Date;
  /** The deployed template's text and parsed form; empty for a REVIEW_IN_PROGRESS shell. */
  templateBody?: string;
  template?: Template;
  parameters: Record<string, string>;
  noEchoParameters: Set<string>;
  tags: Tag[];
  capabilities: string[];
  roleArn?: string;
  disableRollback: boolean;
  stackPolicyBody?: string;
  resources: Map<string, SandboxResource>;
  outputs: EvaluatedOutput[];
  events: StackEvent[];
  operation?: StackOperation;
  /** The last change set executed on the stack. */
  changeSetId?: string;
  /** Tokens already used by operations on this stack, with the operation that used them. */
  usedTokens: Map<string, string>;
}

/** A change set's Status and ExecutionStatus, and how many more describes see it still being created. */
export interface SandboxChangeSet {
  changeSetId: string;
  changeSetName: string;
  stackId: string;
  stackName: string;
  type: 'CREATE' | 'UPDATE';
  description?: string;
  status: string;
  statusReason?: string;
  executionStatus: string;
  creationTime: Date;
  clientToken?: string;
  templateBody: string;
  template: Template;
  /** The template with parameters and conditions resolved: what executing the change set deploys. */
  deployTemplate: Template;
  parameters: Record<string, string>;
  onStackFailure: 'ROLLBACK' | 'DO_NOTHING' | 'DELETE';
  sdkParameters: SdkParameter[];
  tags: Tag[];
  capabilities: string[];
  roleArn?: string;
  includeNestedStacks: boolean;
  /** The changes, computed when the change set is created and shown once it is complete. */
  changes: Change[];
  /** What the change set ends as once its creation finishes. */
  outcome: { status: 'CREATE_COMPLETE' } | { status: 'FAILED'; reason: string };
  /** Describes still to answer with CREATE_IN_PROGRESS before the outcome shows. */
  pendingPolls: number;
  /** Token of the ExecuteChangeSet call that started it, for idempotent retries. */
  executionToken?: string;
}
