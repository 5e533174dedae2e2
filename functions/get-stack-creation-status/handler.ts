import { logger } from '../shared/logger';
import { attemptIndex } from '../shared/polling';
import { pollStackOperation, STACK_CREATION } from '../shared/operation-status';
import type { Deployment, OperationResult } from '../shared/state';
import { withDeploymentTarget } from '../shared/target';

export interface GetStackCreationStatusEvent {
  deployment: Deployment;
  result: OperationResult;
  /** `$$.State.RetryCount`: how many times the task's retrier has polled again. */
  retryCount?: number;
}

export const handler = withDeploymentTarget(async ({ deployment, result, retryCount }: GetStackCreationStatusEvent): Promise<OperationResult> => {
  const next = await pollStackOperation(deployment, result, STACK_CREATION, attemptIndex(retryCount));
  logger.info('Stack creation polled', { stackName: deployment.stackName, status: next.status, done: next.done, polls: next.polls });
  return next;
});
