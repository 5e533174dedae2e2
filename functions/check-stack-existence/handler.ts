import { logger } from '../shared/logger';
import { decideForExistingStack, describeStack } from '../shared/stacks';
import type { Deployment, StackCheck } from '../shared/state';

export interface CheckStackExistenceEvent {
  deployment: Deployment;
}

export const handler = async ({ deployment }: CheckStackExistenceEvent): Promise<StackCheck> => {
  const stack = await describeStack(deployment.stackName);
  const check: StackCheck =
    !stack || stack.StackStatus === 'DELETE_COMPLETE'
      ? { exists: false, action: 'CREATE', note: `Stack ${deployment.stackName} does not exist: it is created.` }
      : {
          exists: true,
          stackId: stack.StackId,
          status: stack.StackStatus,
          ...decideForExistingStack(deployment.stackName, stack.StackStatus ?? 'UNKNOWN'),
        };
  logger.info('Stack checked', { stackName: deployment.stackName, exists: check.exists, status: check.status, action: check.action });
  return check;
};
