import { DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import { cloudFormation } from '../shared/cloudformation-client';
import { awsCall } from '../shared/aws-errors';
import { StackNotReadyError } from '../shared/errors';
import { logger } from '../shared/logger';
import { operationToken } from '../shared/names';
import { firstPoll } from '../shared/polling';
import { describeStack } from '../shared/stacks';
import type { Deployment, StackCheck, StackRecreate } from '../shared/state';
import { withDeploymentTarget } from '../shared/target';

export interface DeleteFailedStackEvent {
  deployment: Deployment;
  stack: StackCheck;
}

/** Deletes a ROLLBACK_COMPLETE stack (a failed first create, which holds no resources) so it can be created afresh. */
export const handler = withDeploymentTarget(async ({ deployment, stack }: DeleteFailedStackEvent): Promise<StackRecreate> => {
  const stackId = stack.stackId!;
  // Checked again by id just before deleting: only a stack still ROLLBACK_COMPLETE is ever deleted here.
  const current = await describeStack(stackId);
  if (current && current.StackStatus !== 'ROLLBACK_COMPLETE' && current.StackStatus !== 'DELETE_IN_PROGRESS' && current.StackStatus !== 'DELETE_COMPLETE') {
    throw new StackNotReadyError(
      `Stack ${deployment.stackName} changed from ROLLBACK_COMPLETE to ${current.StackStatus} while the deployment ran; it was not deleted. Run the deployment again.`,
    );
  }
  await awsCall(`CloudFormation DeleteStack ${deployment.stackName}`, () =>
    cloudFormation.send(
      new DeleteStackCommand({
        StackName: stackId,
        RoleARN: deployment.roleArn,
        ClientRequestToken: operationToken(deployment.clientRequestToken, 'delete'),
      }),
    ),
  );
  const note = `Stack ${deployment.stackName} was ROLLBACK_COMPLETE (a failed first create, no resources): deleted and created afresh.`;
  logger.info('Deleting failed stack before re-creating it', { stackName: deployment.stackName, stackId });
  return { deletedStackId: stackId, previousStatus: 'ROLLBACK_COMPLETE', note, deleted: false, ...firstPoll() };
});
