import { inspectChangeSet } from '../shared/inspection';
import { logger } from '../shared/logger';
import type { ChangeSetState, Deployment, Inspection } from '../shared/state';
import { withDeploymentTarget } from '../shared/target';

export interface InspectChangeSetChangesEvent {
  deployment: Deployment;
  changeSet: ChangeSetState;
}

export const handler = withDeploymentTarget(async ({ deployment, changeSet }: InspectChangeSetChangesEvent): Promise<Inspection> => {
  const inspection = await inspectChangeSet(deployment, changeSet);
  logger.info('Change set inspected', {
    stackName: deployment.stackName,
    changeSetName: changeSet.name,
    safe: inspection.safe,
    changeCount: inspection.changeCount,
    offending: inspection.offending.map((change) => change.logicalResourceId),
  });
  return inspection;
});
