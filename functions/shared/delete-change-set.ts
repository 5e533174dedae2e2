import { DeleteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { cloudFormation } from './cloudformation-client';
import { errorName, toDeploymentError } from './aws-errors';
import { changeSetRef } from './change-sets';
import type { ChangeSetState, Deployment } from './state';

/** Deletes a change set by its id; one already gone (a retried delete) counts as deleted. */
export async function deleteChangeSet(deployment: Deployment, changeSet: Pick<ChangeSetState, 'id' | 'name'>): Promise<void> {
  try {
    const ref = changeSetRef(deployment.stackName, changeSet);
    await cloudFormation.send(new DeleteChangeSetCommand({ ChangeSetName: ref.changeSet, StackName: ref.stackName }));
  } catch (error) {
    if (errorName(error) === 'ChangeSetNotFoundException') return;
    throw toDeploymentError(error, `CloudFormation DeleteChangeSet ${changeSet.name} on ${deployment.stackName}`);
  }
}
