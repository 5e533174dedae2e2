import { changeSetRef, describeChangeSetPage, isNoChangesReason } from '../shared/change-sets';
import { ChangeSetFailedError } from '../shared/errors';
import { logger } from '../shared/logger';
import { CHANGE_SET_POLL } from '../shared/limits';
import { attemptIndex, finishedPolling, stillRunning } from '../shared/polling';
import type { ChangeSetState, Deployment } from '../shared/state';
import { withDeploymentTarget } from '../shared/target';

export interface GetChangeSetCreationStatusEvent {
  deployment: Deployment;
  changeSet: ChangeSetState;
  /** `$$.State.RetryCount`: how many times the task's retrier has polled again. */
  retryCount?: number;
}

const IN_PROGRESS = new Set(['CREATE_PENDING', 'CREATE_IN_PROGRESS']);

export const handler = withDeploymentTarget(async ({ deployment, changeSet, retryCount }: GetChangeSetCreationStatusEvent): Promise<ChangeSetState> => {
  const page = await describeChangeSetPage(changeSetRef(deployment.stackName, changeSet));
  const status = page.Status ?? 'UNKNOWN';
  const statusReason = page.StatusReason;
  logger.info('Change set polled', { stackName: deployment.stackName, changeSetName: changeSet.name, status });
  const polled = { ...changeSet, status, ...(statusReason ? { statusReason } : {}), ...(page.StackId ? { stackId: page.StackId } : {}) };
  const attempt = attemptIndex(retryCount);
  if (status === 'CREATE_COMPLETE') return { ...polled, ...finishedPolling(changeSet, attempt, CHANGE_SET_POLL), outcome: 'READY' };
  if (IN_PROGRESS.has(status)) {
    stillRunning(changeSet, attempt, CHANGE_SET_POLL, deployment, `Creating change set ${changeSet.name} on ${deployment.stackName} (${status})`);
  }
  if (status === 'FAILED' && isNoChangesReason(statusReason)) return { ...polled, ...finishedPolling(changeSet, attempt, CHANGE_SET_POLL), outcome: 'NO_CHANGES' };
  throw new ChangeSetFailedError(
    `CloudFormation could not create change set ${changeSet.name} on stack ${deployment.stackName} (${status}): ${statusReason ?? 'no reason given'}. Nothing was changed; fix the template or its parameters and run the deployment again.`,
  );
});
