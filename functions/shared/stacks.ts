import { DescribeStackEventsCommand, DescribeStacksCommand, type Stack, type StackEvent } from '@aws-sdk/client-cloudformation';
import { cloudFormation } from './cloudformation-client';
import { awsCall, isStackMissing, toDeploymentError } from './aws-errors';
import { StackNotReadyError } from './errors';
import { MAX_STACK_EVENT_PAGES } from './limits';
import type { StackAction, StackOutput } from './state';

/** Describes a stack by name or id; `undefined` only when CloudFormation says it does not exist. */
export async function describeStack(stackNameOrId: string): Promise<Stack | undefined> {
  try {
    const response = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackNameOrId }));
    return response.Stacks?.[0];
  } catch (error) {
    if (isStackMissing(error)) return undefined;
    throw toDeploymentError(error, `CloudFormation DescribeStacks ${stackNameOrId}`);
  }
}

/** Statuses from which a change set can be created and executed. */
const UPDATABLE_STATUSES = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
]);

/** What the operator must do, for each status that cannot take a change. */
const BLOCKED_ADVICE: Record<string, (stack: string) => string> = {
  ROLLBACK_FAILED: (stack) =>
    `Stack ${stack} is ROLLBACK_FAILED: its first create failed and the rollback could not delete everything. Delete the stack (retaining the resources that fail to delete) in the CloudFormation console, then run the deployment again.`,
  UPDATE_ROLLBACK_FAILED: (stack) =>
    `Stack ${stack} is UPDATE_ROLLBACK_FAILED. Fix the cause shown in its events, run "aws cloudformation continue-update-rollback --stack-name ${stack}" (with --resources-to-skip for resources that cannot roll back), and run the deployment again once it is UPDATE_ROLLBACK_COMPLETE.`,
  IMPORT_ROLLBACK_FAILED: (stack) =>
    `Stack ${stack} is IMPORT_ROLLBACK_FAILED. Fix the cause shown in its events and roll the import back in the CloudFormation console, then run the deployment again.`,
  DELETE_FAILED: (stack) =>
    `Stack ${stack} is DELETE_FAILED: a delete was started and did not finish. Finish deleting it (or restore it) before deploying again; this deployer will not update a half-deleted stack.`,
  CREATE_FAILED: (stack) =>
    `Stack ${stack} is CREATE_FAILED with rollback disabled. Roll it back ("aws cloudformation rollback-stack --stack-name ${stack}") or delete it, then run the deployment again.`,
  UPDATE_FAILED: (stack) =>
    `Stack ${stack} is UPDATE_FAILED with rollback disabled. Roll it back ("aws cloudformation rollback-stack --stack-name ${stack}"), then run the deployment again.`,
};

export interface StackDecision {
  action: StackAction;
  note: string;
}

/** Decides what to do with an existing stack, or throws StackNotReadyError saying what the operator must do. */
export function decideForExistingStack(stackName: string, status: string): StackDecision {
  if (UPDATABLE_STATUSES.has(status)) {
    return { action: 'UPDATE', note: `Stack ${stackName} exists (${status}): it is updated through a change set that is inspected first.` };
  }
  if (status === 'ROLLBACK_COMPLETE') {
    return {
      action: 'RECREATE',
      note: `Stack ${stackName} is ROLLBACK_COMPLETE: its first create failed and it holds no resources. It cannot be updated, so it is deleted and created afresh.`,
    };
  }
  if (status === 'REVIEW_IN_PROGRESS') {
    // A shell left by a CREATE change set: no resources yet. Creating through a change set keeps any
    // change set someone is reviewing, where deleting the shell would throw it away.
    return {
      action: 'CREATE_WITH_CHANGE_SET',
      note: `Stack ${stackName} is REVIEW_IN_PROGRESS (created by a change set, never executed): it is created through a CREATE change set, inspected first.`,
    };
  }
  const advice = BLOCKED_ADVICE[status];
  if (advice) throw new StackNotReadyError(advice(stackName));
  if (isBusyStatus(status)) {
    throw new StackNotReadyError(
      `Stack ${stackName} is busy (${status}): another operation is running on it. Wait until it finishes, then run the deployment again.`,
    );
  }
  throw new StackNotReadyError(`Stack ${stackName} is in status ${status}, which this deployer does not change. Resolve it in the CloudFormation console, then run the deployment again.`);
}

/** An operation is running on the stack; REVIEW_IN_PROGRESS is an idle shell, not an operation. */
export function isBusyStatus(status: string): boolean {
  return status.endsWith('_IN_PROGRESS') && status !== 'REVIEW_IN_PROGRESS';
}

export type OperationOutcome = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** Where a stack operation stands: done when it reaches its success status, running while `*_IN_PROGRESS`, failed otherwise. */
export function operationOutcome(status: string, successStatuses: readonly string[]): OperationOutcome {
  if (successStatuses.includes(status)) return 'SUCCEEDED';
  if (status.endsWith('_IN_PROGRESS')) return 'RUNNING';
  return 'FAILED';
}

export function stackOutputs(stack: Stack): StackOutput[] {
  return (stack.Outputs ?? []).map((output) => ({
    OutputKey: output.OutputKey ?? '',
    OutputValue: output.OutputValue ?? '',
    ...(output.Description ? { Description: output.Description } : {}),
    ...(output.ExportName ? { ExportName: output.ExportName } : {}),
  }));
}

/** Statuses with which a stack's own event marks the start of an operation. */
const OPERATION_START_STATUSES = new Set(['CREATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS', 'IMPORT_IN_PROGRESS', 'DELETE_IN_PROGRESS']);
/** Failures that only follow another failure (CloudFormation cancels the rest of the work). */
const CONSEQUENTIAL_FAILURE = /Resource (creation|update) cancelled/i;

export interface FailureEvent {
  logicalResourceId: string;
  resourceType: string;
  status: string;
  reason: string;
}

function isStackItself(event: StackEvent): boolean {
  return event.PhysicalResourceId === event.StackId && event.ResourceType === 'AWS::CloudFormation::Stack';
}

/** The stack's events, newest first, back to the stack's own event that started its latest operation. */
async function* eventsOfLatestOperation(stackId: string, startStatuses: ReadonlySet<string>): AsyncGenerator<StackEvent> {
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_STACK_EVENT_PAGES; page++) {
    const response = await awsCall(`CloudFormation DescribeStackEvents ${stackId}`, () =>
      cloudFormation.send(new DescribeStackEventsCommand({ StackName: stackId, NextToken: nextToken })),
    );
    for (const event of response.StackEvents ?? []) {
      if (isStackItself(event) && startStatuses.has(event.ResourceStatus ?? '')) return;
      yield event;
    }
    nextToken = response.NextToken;
    if (!nextToken) return;
  }
}

/**
 * The first resource that failed in the stack's latest operation: its events are read newest first
 * back to the operation's start, and the oldest failure is the cause (later ones are its consequences).
 */
export async function firstFailure(stackId: string): Promise<FailureEvent | undefined> {
  const failures: StackEvent[] = [];
  for await (const event of eventsOfLatestOperation(stackId, OPERATION_START_STATUSES)) {
    if (!isStackItself(event) && (event.ResourceStatus ?? '').endsWith('_FAILED')) failures.push(event);
  }
  return pickRootCause(failures);
}

function pickRootCause(failures: StackEvent[]): FailureEvent | undefined {
  const causes = failures.filter((event) => !CONSEQUENTIAL_FAILURE.test(event.ResourceStatusReason ?? ''));
  const event = (causes.length ? causes : failures).at(-1);
  if (!event) return undefined;
  return {
    logicalResourceId: event.LogicalResourceId ?? '(unknown)',
    resourceType: event.ResourceType ?? '(unknown type)',
    status: event.ResourceStatus ?? '',
    reason: event.ResourceStatusReason ?? '(no reason given)',
  };
}

export function describeFailure(failure: FailureEvent | undefined, stack: Stack): string {
  if (failure) {
    return `${failure.logicalResourceId} (${failure.resourceType}) ${failure.status}: ${failure.reason}`;
  }
  return stack.StackStatusReason ? `stack status reason: ${stack.StackStatusReason}` : 'CloudFormation gave no reason in the stack events';
}

/** Statuses with which an update's clean-up says it did not delete an old resource. */
const LEFT_BEHIND_STATUSES = new Set(['DELETE_FAILED', 'DELETE_SKIPPED']);
const UPDATE_START: ReadonlySet<string> = new Set(['UPDATE_IN_PROGRESS']);

/**
 * What the latest update left behind: a stack can be UPDATE_COMPLETE while its clean-up failed to
 * delete, or skipped, the old copy of a replaced or removed resource. Read from the stack's events
 * back to the update's start; one line per resource, for the operator.
 */
export async function leftBehindByUpdate(stackId: string): Promise<string[]> {
  const found: string[] = [];
  for await (const event of eventsOfLatestOperation(stackId, UPDATE_START)) {
    if (!isStackItself(event) && LEFT_BEHIND_STATUSES.has(event.ResourceStatus ?? '')) {
      const physical = event.PhysicalResourceId ? ` [${event.PhysicalResourceId}]` : '';
      found.push(`${event.LogicalResourceId} (${event.ResourceType})${physical} ${event.ResourceStatus}: ${event.ResourceStatusReason ?? 'no reason given'}`);
    }
  }
  // Oldest first, as they happened.
  return found.reverse();
}
