import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { AWAIT_APPROVAL_STATE } from '../shared/approval-wait';
import { executionConsoleUrl } from '../shared/console-links';
import { logger } from '../shared/logger';
import * as z from '../shared/zod';
import { describeError } from './aws-call-errors';
import { stepFunctions } from './clients';
import { MAX_APPROVAL_HISTORY_EVENTS } from './limits';


/** What the person is asked to approve: the changes the safety policy blocked, by kind. */
export interface BlockedChanges {
  /** Every blocked change (the inspection's `offendingCount`). */
  total: number;
  /**
   * The kinds of the blocked changes the inspection lists: all of them, or the first
   * MAX_CHANGES_IN_OUTPUT when there are more (`count` < `total`). Absent when it lists none.
   */
  listed?: { count: number; replacements: number; removals: number; others: number };
}

/**
 * The part of Await Approval's input (the execution's data, `$`) read here: `$.inspection`, the
 * decision that blocked the change set (`Inspection` in functions/shared/state.ts). Read
 * leniently: anything else in the data is none of the trigger's business.
 */
const AwaitApprovalInputSchema = z.looseObject({
  inspection: z.looseObject({
    offending: z.optional(z.array(z.looseObject({ action: z.string(), replacement: z.optional(z.string()) }))),
    offendingCount: z.optional(z.number()),
    counts: z.optional(z.looseObject({ blocked: z.number() })),
  }),
});
type BlockedInspection = z.infer<typeof AwaitApprovalInputSchema>['inspection'];

/**
 * The blocked changes an execution waiting in Await Approval asks a person to approve, read from
 * the state's input (GetExecutionHistory with the states' data). The read is bounded: only the
 * `eventsSinceEntered` newest events (the depth the read without data found the state at), and
 * none at all past MAX_APPROVAL_HISTORY_EVENTS. Only cosmetic, like the current state: any
 * failure is logged and answered with undefined, and the summary says less.
 */
export async function blockedChangesAwaitingApproval(executionArn: string, eventsSinceEntered: number): Promise<BlockedChanges | undefined> {
  if (eventsSinceEntered < 1 || eventsSinceEntered > MAX_APPROVAL_HISTORY_EVENTS) {
    logger.info('Await Approval was entered too far back to read its data; the summary gives no counts', { eventsSinceEntered });
    return undefined;
  }
  try {
    const history = await stepFunctions.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: eventsSinceEntered, includeExecutionData: true }),
    );
    const entered = (history.events ?? []).find((event) => event.type?.endsWith('StateEntered'));
    // A newer state (the answer came meanwhile) or none within the read: the waiting is over or out of reach.
    if (entered?.stateEnteredEventDetails?.name !== AWAIT_APPROVAL_STATE) return undefined;
    const parsed = AwaitApprovalInputSchema.safeParse(JSON.parse(entered.stateEnteredEventDetails.input ?? ''));
    if (!parsed.success) {
      logger.warn('Await Approval\'s input holds no inspection the trigger can read; the summary gives no counts');
      return undefined;
    }
    return blockedChangesOf(parsed.data.inspection);
  } catch (error) {
    logger.warn('Could not read what the approval is asked for; the summary gives no counts', { reason: describeError(error) });
    return undefined;
  }
}

/** Counts the blocked changes by kind, as the inspection counts removals and replacements. */
export function blockedChangesOf(inspection: BlockedInspection): BlockedChanges | undefined {
  const { offending } = inspection;
  const total = inspection.offendingCount ?? inspection.counts?.blocked ?? offending?.length;
  if (total === undefined || total < 1) return undefined;
  if (!offending?.length) return { total };
  const removals = offending.filter((change) => change.action === 'Remove').length;
  // A Modify is a replacement unless CloudFormation says `False` (Conditional, or not said, may replace).
  const replacements = offending.filter((change) => change.action === 'Modify' && change.replacement !== 'False').length;
  return { total, listed: { count: offending.length, replacements, removals, others: offending.length - removals - replacements } };
}

/**
 * The pipeline action's summary while the deployment waits for a person: what they are asked to
 * approve (when it could be read), how to answer, and the execution's console page.
 */
export function approvalWaitSummary(blocked: BlockedChanges | undefined, executionArn: string, executionName: string): string {
  if (!blocked) {
    return `Waiting for approval of an unsafe change set (execution ${executionName}): answer with deploy-orchestrator approve or reject ${executionArn}.`;
  }
  const url = executionConsoleUrl(executionArn);
  return [
    `Waiting for approval: ${blockedInWords(blocked)} (execution ${executionName}): answer with deploy-orchestrator approve or reject ${executionArn}.`,
    ...(url ? [`The execution in the Step Functions console: ${url}`] : []),
  ].join(' ');
}

/** `2 replacements, 1 removal`; with more blocked changes than listed, `250 blocked changes (the first 200: …)`. */
export function blockedInWords({ total, listed }: BlockedChanges): string {
  if (!listed) return counted(total, 'blocked change');
  const kinds = (
    [
      [listed.replacements, 'replacement'],
      [listed.removals, 'removal'],
      [listed.others, 'other change'],
    ] as const
  )
    .filter(([count]) => count > 0)
    .map(([count, noun]) => counted(count, noun));
  return listed.count >= total ? kinds.join(', ') : `${counted(total, 'blocked change')} (the first ${listed.count}: ${kinds.join(', ')})`;
}

/** `1 removal`, `2 removals`. */
function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
