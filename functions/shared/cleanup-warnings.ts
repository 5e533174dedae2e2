import { DescribeStackEventsCommand, type StackEvent } from '@aws-sdk/client-cloudformation';
import { awsCall } from './aws-errors';
import { cloudFormation } from './cloudformation-client';
import { MAX_STACK_EVENT_PAGES } from './limits';

/**
 * What an update left behind. A stack can reach UPDATE_COMPLETE and still have left resources in
 * the account: during the clean-up that follows an update, CloudFormation deletes the old copies of
 * replaced resources and the resources taken out of the template; a deletion that fails is only an
 * event (DELETE_FAILED), and a resource kept by its DeletionPolicy or UpdateReplacePolicy (Retain)
 * is skipped (DELETE_SKIPPED). Neither changes the stack's final status.
 */
export type LeftBehindStatus = 'DELETE_FAILED' | 'DELETE_SKIPPED';

export interface CleanupWarning {
  logicalResourceId: string;
  /** The copy that is still in the account: the old physical resource. */
  physicalResourceId?: string;
  resourceType: string;
  status: LeftBehindStatus;
  reason?: string;
  /** ISO 8601. */
  timestamp: string;
  /** One line for the operator: what is left, and what to do about it. */
  message: string;
}

/** When the update ran: from the moment the change set's execution was requested to the moment its final status was read. */
export interface ExecutionWindow {
  from: Date;
  /** Unset: up to now. */
  to?: Date;
}

const LEFT_BEHIND = new Set<string>(['DELETE_FAILED', 'DELETE_SKIPPED']);

function isStackItself(event: StackEvent): boolean {
  return event.ResourceType === 'AWS::CloudFormation::Stack' && event.PhysicalResourceId === event.StackId;
}

function messageFor(event: StackEvent, status: LeftBehindStatus): string {
  const what = `${event.LogicalResourceId ?? '(unknown)'} (${event.ResourceType ?? '(unknown type)'})${event.PhysicalResourceId ? ` ${event.PhysicalResourceId}` : ''}`;
  return status === 'DELETE_FAILED'
    ? `${what}: CloudFormation could not delete it during the update's clean-up${event.ResourceStatusReason ? ` (${event.ResourceStatusReason})` : ''}; it is still in the account, outside the stack. Delete it by hand once the cause is fixed.`
    : `${what}: CloudFormation skipped its deletion (its DeletionPolicy or UpdateReplacePolicy is Retain); it is still in the account, outside the stack. Delete it or import it into a stack if it is no longer wanted where it is.`;
}

/**
 * The resources an update left behind, oldest first: its stack's DELETE_FAILED and DELETE_SKIPPED
 * events within the execution window. Events are read newest first, up to the start of the update
 * (the stack's own UPDATE_IN_PROGRESS within the window) or the window's start, at most
 * MAX_STACK_EVENT_PAGES pages.
 *
 * @param stackId the stack's id (ARN), so that a stack of the same name made later is not read.
 * @param window  when the change set was executed: `from` no later than the ExecuteChangeSet call,
 *   `to` no earlier than the read of UPDATE_COMPLETE.
 */
export async function cleanupWarnings(stackId: string, window: ExecutionWindow): Promise<CleanupWarning[]> {
  const from = window.from.getTime();
  const to = window.to?.getTime() ?? Number.POSITIVE_INFINITY;
  const found: CleanupWarning[] = [];
  const seen = new Set<string>();
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_STACK_EVENT_PAGES; page++) {
    const response = await awsCall(`CloudFormation DescribeStackEvents ${stackId}`, () =>
      cloudFormation.send(new DescribeStackEventsCommand({ StackName: stackId, NextToken: nextToken })),
    );
    for (const event of response.StackEvents ?? []) {
      const at = event.Timestamp ? new Date(event.Timestamp).getTime() : Number.NaN;
      // Older than the window: every further event belongs to an earlier operation.
      if (at < from) return found.reverse();
      if (!(at <= to)) continue;
      if (isStackItself(event)) {
        if (event.ResourceStatus === 'UPDATE_IN_PROGRESS') return found.reverse();
        continue;
      }
      const status = event.ResourceStatus ?? '';
      if (!LEFT_BEHIND.has(status)) continue;
      // A deletion retried and failed again is one resource left behind, not two.
      const key = `${event.LogicalResourceId}|${event.PhysicalResourceId ?? ''}|${status}`;
      if (seen.has(key)) continue;
      seen.add(key);
      found.push({
        logicalResourceId: event.LogicalResourceId ?? '(unknown)',
        ...(event.PhysicalResourceId ? { physicalResourceId: event.PhysicalResourceId } : {}),
        resourceType: event.ResourceType ?? '(unknown type)',
        status: status as LeftBehindStatus,
        ...(event.ResourceStatusReason ? { reason: event.ResourceStatusReason } : {}),
        timestamp: new Date(at).toISOString(),
        message: messageFor(event, status as LeftBehindStatus),
      });
    }
    nextToken = response.NextToken;
    if (!nextToken) break;
  }
  return found.reverse();
}

/** One sentence for the pipeline's summary, or undefined when nothing was left behind. */
export function cleanupSummary(warnings: readonly CleanupWarning[]): string | undefined {
  if (warnings.length === 0) return undefined;
  const failed = warnings.filter((warning) => warning.status === 'DELETE_FAILED').length;
  const skipped = warnings.length - failed;
  const parts = [failed ? `${failed} could not be deleted` : '', skipped ? `${skipped} kept by a Retain policy` : ''].filter(Boolean);
  return `Warning: the update left ${warnings.length} resource(s) in the account, outside the stack (${parts.join(', ')}): ${warnings.map((w) => w.logicalResourceId).join(', ')}.`;
}
