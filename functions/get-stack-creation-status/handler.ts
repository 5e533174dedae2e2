import { logger } from '../shared/logger';
import { pollStackOperation, STACK_CREATION } from '../shared/operation-status';
import type { Deployment, OperationResult } from '../shared/state';

export interface GetStackCreationStatusEvent {
  deployment: Deployment;
  result: OperationResult;
}

export const handler = async ({ deployment, result }: GetStackCreationStatusEvent): Promise<OperationResult> => {
  const next = await pollStackOperation(deployment, result, STACK_CREATION);
  logger.info('Stack creation polled', { stackName: deployment.stackName, status: next.status, done: next.done, polls: next.polls });
  return next;
};
