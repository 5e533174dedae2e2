import { StackDeleteFailedError } from '../shared/errors';
import { logger } from '../shared/logger';
import { finalPoll, nextPoll } from '../shared/polling';
import { describeFailure, describeStack, firstFailure } from '../shared/stacks';
import type { Deployment, StackRecreate } from '../shared/state';
import { withDeploymentTarget } from '../shared/target';

export interface GetFailedStackDeletionStatusEvent {
  deployment: Deployment;
  recreate: StackRecreate;
}

export const handler = withDeploymentTarget(async ({ deployment, recreate }: GetFailedStackDeletionStatusEvent): Promise<StackRecreate> => {
  const stack = await describeStack(recreate.deletedStackId);
  const status = stack?.StackStatus ?? 'DELETE_COMPLETE';
  logger.info('Failed stack deletion polled', { stackName: deployment.stackName, status });
  if (status === 'DELETE_COMPLETE') return { ...recreate, ...finalPoll(recreate), deleted: true };
  // ROLLBACK_COMPLETE: the delete was accepted but has not begun yet.
  if (status === 'DELETE_IN_PROGRESS' || status === 'ROLLBACK_COMPLETE') {
    return { ...recreate, ...nextPoll(recreate, deployment, `Deleting the failed stack ${deployment.stackName}`) };
  }
  const failure = await firstFailure(recreate.deletedStackId);
  throw new StackDeleteFailedError(
    `Deleting the ROLLBACK_COMPLETE stack ${deployment.stackName} before re-creating it ended ${status}: ${describeFailure(failure, stack!)}. Delete it in the CloudFormation console, then run the deployment again.`,
  );
});
