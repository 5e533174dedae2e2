import { inspectChangeSet } from '../shared/inspection';
import { logger } from '../shared/logger';
import { fullLogicalId } from '../shared/safety-policy';
import type { ChangeSetState, Deployment, Inspection } from '../shared/state';

export interface InspectChangeSetChangesEvent {
  deployment: Deployment;
  changeSet: ChangeSetState;
}

/** Returns the inspection, decision record included, as `$.inspection` (`$.inspection.decision`). */
export const handler = async ({ deployment, changeSet }: InspectChangeSetChangesEvent): Promise<Inspection> => {
  const inspection = await inspectChangeSet(deployment, changeSet);
  logger.info('Change set inspected', {
    stackName: deployment.stackName,
    changeSetName: changeSet.name,
    safe: inspection.safe,
    counts: inspection.decision.counts,
    blocked: inspection.decision.changes.filter((change) => change.verdict === 'BLOCKED').map(fullLogicalId),
  });
  return inspection;
};
