import type { Approval } from './state';

/** Where Await Approval sends its requests: the approval topic's ARN, in its environment. */
export const APPROVAL_TOPIC_ENV = 'APPROVAL_TOPIC_ARN';

/** The error a rejection answers Await Approval with (SendTaskFailure). */
export const APPROVAL_REJECTED = 'ApprovalRejected';
/** How an unsafe change set waiting for approval can end without being executed. */
export const APPROVAL_OUTCOMES: ReadonlySet<string> = new Set([APPROVAL_REJECTED, 'ApprovalTimedOut', 'ApprovalStaleError']);

/** What an approval answers Await Approval with (SendTaskSuccess): Execute Change Set runs exactly `changeSetId`. */
export function approvalOutput(approver: string, changeSetId: string, reason: string | undefined, at: Date = new Date()): Approval {
  return { approved: true, approver, ...(reason ? { reason } : {}), changeSetId, at: at.toISOString() };
}

/** What a rejection answers it with (SendTaskFailure): the deployment fails with these words. */
export function rejectionCause(approver: string, reason: string | undefined): string {
  return `Rejected by ${approver}: ${reason ?? 'no reason given'}`;
}
