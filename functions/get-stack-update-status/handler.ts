import { logger } from '../shared/logger';
import { pollStackOperation, STACK_CREATION, STACK_UPDATE } from '../shared/operation-status';
import type { Deployment, OperationResult } from '../shared/state';

export interface GetStackUpdateStatusEvent {
  deployment: Deployment;
  result: OperationResult;
}

export const handler = async ({ deployment, result }: GetStackUpdateStatusEvent): Promise<OperationResult> => {
  // A CREATE change set (executed on a REVIEW_IN_PROGRESS shell) ends like a create, not like an update.
  const kind = result.action === 'CREATE' ? STACK_CREATION : STACK_UPDATE;
  const next = await pollStackOperation(deployment, result, kind);
  logger.info('Stack update polled', { stackName: deployment.stackName, status: next.status, done: next.done, polls: next.polls });
  return next;
};
