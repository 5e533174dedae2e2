import { logger } from '../shared/logger';
import { inTargetOf } from '../shared/target';
import { DeploymentError } from '../shared/errors';
import { checkStackOperation, operationKindOf } from '../shared/operation-status';
import { SETTLED_STACK_STATUSES, STACK_STATUS_CHANGE } from '../shared/stack-events';
import { answerWait, claimWaiter, finishedAnswer, forgetWaiter, waitersOf, type StackWaiter, type WaitAnswer } from '../shared/stack-wait';

/** The part of an EventBridge "CloudFormation Stack Status Change" event this function reads. */
export interface StackStatusChangeEvent {
  id?: string;
  source?: string;
  'detail-type'?: string;
  detail?: {
    'stack-id'?: string;
    'status-details'?: { status?: string; 'status-reason'?: string };
  };
}

export interface CompletionSummary {
  stackId?: string;
  status?: string;
  /** Waits answered by this event. */
  answered: number;
  /** Waits whose stack was still changing when read (an event out of order, or of an earlier operation). */
  stillChanging: number;
  /** Waits someone else answered, or that had ended already. */
  alreadyAnswered: number;
}

const SETTLED = new Set<string>(SETTLED_STACK_STATUSES);

/**
 * The target of the status change rule. Events come at least once and in any order, so the event
 * only says which stack to look at: each waiting deployment's stack is read as its own task would
 * read it, and a wait is answered only with what that read says, only by whoever claims its record.
 */
export const handler = async (event: StackStatusChangeEvent): Promise<CompletionSummary> => {
  const stackId = event.detail?.['stack-id'];
  const status = event.detail?.['status-details']?.status;
  const summary: CompletionSummary = { stackId, status, answered: 0, stillChanging: 0, alreadyAnswered: 0 };
  if (event.source !== STACK_STATUS_CHANGE.source || event['detail-type'] !== STACK_STATUS_CHANGE.detailType || !stackId || !status) {
    logger.warn('Not a CloudFormation stack status change event; ignored', { eventId: event.id, source: event.source, detailType: event['detail-type'] });
    return summary;
  }
  if (!SETTLED.has(status)) return summary;

  for (const waiter of await waitersOf(stackId)) {
    // Read as the waiting deployment reads its stack: in its target account, with its role.
    const answer = await inTargetOf(waiter.deployment, () => answerFor(waiter));
    if (!answer) {
      summary.stillChanging += 1;
      continue;
    }
    // EventBridge redelivers an event with its id: a retried invocation claims as the same reader.
    if ((await claimWaiter(waiter, `event:${event.id ?? stackId}`)) && (await answerWait(waiter.taskToken, answer))) {
      summary.answered += 1;
      await forgetWaiter(waiter);
    } else {
      summary.alreadyAnswered += 1;
    }
  }
  logger.info('Stack status change handled', { ...summary, eventId: event.id });
  return summary;
};

/** The answer the waiting task would give itself now; none while the stack is still changing. */
async function answerFor(waiter: StackWaiter): Promise<WaitAnswer | undefined> {
  try {
    const check = await checkStackOperation(waiter.deployment, waiter.result, operationKindOf(waiter.result));
    if (check.state === 'RUNNING') return undefined;
    return finishedAnswer(waiter.result, check.result);
  } catch (error) {
    if (error instanceof DeploymentError) return { error };
    throw error;
  }
}
