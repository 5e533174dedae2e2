import { ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { cloudFormation } from '../shared/cloudformation-client';
import { awsCall } from '../shared/aws-errors';
import { changeSetRef } from '../shared/change-sets';
import { InvalidInputError } from '../shared/errors';
import { logger } from '../shared/logger';
import { operationToken } from '../shared/names';
import { firstPoll } from '../shared/polling';
import type { ChangeSetState, Deployment, Inspection, OperationResult } from '../shared/state';

export interface ExecuteChangeSetEvent {
  deployment: Deployment;
  changeSet: ChangeSetState;
  inspection: Inspection;
}

export const handler = async ({ deployment, changeSet, inspection }: ExecuteChangeSetEvent): Promise<OperationResult> => {
  // The Choice before this state routes unsafe change sets away; this check keeps that true even if
  // the definition is edited by mistake.
  if (!inspection?.safe) {
    throw new InvalidInputError(`Refusing to execute change set ${changeSet.name}: its inspection did not find it safe.`);
  }
  const ref = changeSetRef(deployment.stackName, changeSet);
  await awsCall(`CloudFormation ExecuteChangeSet ${changeSet.name} on ${deployment.stackName}`, () =>
    cloudFormation.send(
      new ExecuteChangeSetCommand({
        ChangeSetName: ref.changeSet,
        StackName: ref.stackName,
        ClientRequestToken: operationToken(deployment.clientRequestToken, 'execute'),
      }),
    ),
  );
  logger.info('Change set executed', { stackName: deployment.stackName, changeSetName: changeSet.name });
  return {
    action: changeSet.type === 'CREATE' ? 'CREATE' : 'UPDATE',
    // Polled by id: a stack of the same name made later is not this one.
    stackId: changeSet.stackId ?? deployment.stackName,
    status: changeSet.type === 'CREATE' ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS',
    done: false,
    ...firstPoll(),
  };
};

