import { logger } from '../shared/logger';
import { attemptIndex } from '../shared/polling';
import { pollStackOperation, STACK_CREATION, STACK_UPDATE } from '../shared/operation-status';
import type { Deployment, OperationResult } from '../shared/state';
import { withDeploymentTarget } from '../shared/target';

export interface GetStackUpdateStatusEvent {
  deployment: Deployment;
  result: OperationResult;
  /** `$$.State.RetryCount`: how many times the task's retrier has polled again. */
  retryCount?: number;
}

export const handler = withDeploymentTarget(async ({ deployment, result, retryCount }: GetStackUpdateStatusEvent): Promise<OperationResult> => {
  // A CREATE change set (executed on a REVIEW_IN_PROGRESS shell) ends like a create, not like an update.
  const kind = result.action === 'CREATE' ? STACK_CREATION : STACK_UPDATE;
  const next = await pollStackOperation(deployment, result, kind, attemptIndex(retryCount));
  logger.info('Stack update polled', { stackName: deployment.stackName, status: next.status, done: next.done, polls: next.polls });
  return next;
});
