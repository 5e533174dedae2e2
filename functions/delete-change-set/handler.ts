import { DeploymentError } from '../shared/errors';
import { deleteChangeSet } from '../shared/delete-change-set';
import { rejectionMessage } from '../shared/inspection';
import { logger } from '../shared/logger';
import type { ChangeSetState, Deployment, Failure, Inspection } from '../shared/state';
import { withDeploymentTarget } from '../shared/target';

export interface DeleteChangeSetEvent {
  deployment: Deployment;
  changeSet: ChangeSetState;
  inspection: Inspection;
}

/** The error name of a rejected deployment, as the pipeline and the console show it. */
export const CHANGE_SET_REJECTED = 'ChangeSetRejected';

/**
 * Deletes the unsafe change set (never executes it) and returns the rejection as the execution's
 * error and cause. It is a result, not a thrown error, so that the cause reads as plain text.
 */
export const handler = withDeploymentTarget(async ({ deployment, changeSet, inspection }: DeleteChangeSetEvent): Promise<Failure> => {
  const rejection = rejectionMessage(deployment, changeSet, inspection);
  try {
    await deleteChangeSet(deployment, changeSet);
  } catch (error) {
    // Keep the rejection in whatever reaches the operator: the change set was still not executed.
    if (error instanceof DeploymentError) {
      error.message = `${rejection}\nThe change set could not be deleted: ${error.message}`;
    }
    throw error;
  }
  logger.warn('Change set rejected and deleted', {
    stackName: deployment.stackName,
    changeSetName: changeSet.name,
    offending: inspection.offending.map((change) => change.logicalResourceId),
  });
  return { Error: CHANGE_SET_REJECTED, Cause: rejection };
});
