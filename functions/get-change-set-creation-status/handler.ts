import { changeSetRef, describeChangeSetPage, isNoChangesReason } from '../shared/change-sets';
import { ChangeSetFailedError } from '../shared/errors';
import { logger } from '../shared/logger';
import { finalPoll, nextPoll } from '../shared/polling';
import type { ChangeSetState, Deployment } from '../shared/state';

export interface GetChangeSetCreationStatusEvent {
  deployment: Deployment;
  changeSet: ChangeSetState;
}

const IN_PROGRESS = new Set(['CREATE_PENDING', 'CREATE_IN_PROGRESS']);

export const handler = async ({ deployment, changeSet }: GetChangeSetCreationStatusEvent): Promise<ChangeSetState> => {
  const page = await describeChangeSetPage(changeSetRef(deployment.stackName, changeSet));
  const status = page.Status ?? 'UNKNOWN';
  const statusReason = page.StatusReason;
  logger.info('Change set polled', { stackName: deployment.stackName, changeSetName: changeSet.name, status });
  const polled = { ...changeSet, status, ...(statusReason ? { statusReason } : {}), ...(page.StackId ? { stackId: page.StackId } : {}) };
  if (status === 'CREATE_COMPLETE') return { ...polled, ...finalPoll(changeSet), outcome: 'READY' };
  if (IN_PROGRESS.has(status)) {
    return { ...polled, outcome: 'PENDING', ...nextPoll(changeSet, deployment, `Creating change set ${changeSet.name} on ${deployment.stackName}`) };
  }
  if (status === 'FAILED' && isNoChangesReason(statusReason)) return { ...polled, ...finalPoll(changeSet), outcome: 'NO_CHANGES' };
  throw new ChangeSetFailedError(
    `CloudFormation could not create change set ${changeSet.name} on stack ${deployment.stackName} (${status}): ${statusReason ?? 'no reason given'}. Nothing was changed; fix the template or its parameters and run the deployment again.`,
  );
};
