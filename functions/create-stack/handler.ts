import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { cloudFormation } from '../shared/cloudformation-client';
import { errorName, toDeploymentError } from '../shared/aws-errors';
import { StackBusyError, StackBusyWaitError } from '../shared/errors';
import { logger } from '../shared/logger';
import { operationToken } from '../shared/names';
import { firstPoll } from '../shared/polling';
import { stackInputs } from '../shared/template-source';
import { stackSettings } from '../shared/stack-settings';
import type { Deployment, OperationResult } from '../shared/state';
import { withDeploymentTarget } from '../shared/target';

export interface CreateStackEvent {
  deployment: Deployment;
}

export const handler = withDeploymentTarget(async ({ deployment }: CreateStackEvent): Promise<OperationResult> => {
  const { template, parameters } = await stackInputs(deployment);
  let stackId: string | undefined;
  try {
    const response = await cloudFormation.send(
      new CreateStackCommand({
        StackName: deployment.stackName,
        ...template,
        ...stackSettings(deployment, parameters),
        Capabilities: deployment.capabilities as CreateStackCommand['input']['Capabilities'],
        RoleARN: deployment.roleArn,
        OnFailure: 'ROLLBACK',
        // A retried create with the same token is the same request to CloudFormation, not a second stack.
        ClientRequestToken: operationToken(deployment.clientRequestToken, 'create'),
      }),
    );
    stackId = response.StackId;
  } catch (error) {
    if (errorName(error) === 'AlreadyExistsException') {
      const message = `Stack ${deployment.stackName} was created by another deployment while this one ran; it was left as it is and nothing of this deployment was created`;
      if (deployment.onBusy === 'wait') throw new StackBusyWaitError(`${message}; waiting for it, then updating it (onBusy: wait).`);
      throw new StackBusyError(`${message}. Run the deployment again to update it, or set "onBusy": "wait".`);
    }
    throw toDeploymentError(error, `CloudFormation CreateStack ${deployment.stackName}`);
  }
  logger.info('Stack creation started', { stackName: deployment.stackName, stackId, via: 'TemplateURL' in template ? 'TemplateURL' : 'TemplateBody' });
  return { action: 'CREATE', stackId: stackId ?? deployment.stackName, status: 'CREATE_IN_PROGRESS', done: false, ...firstPoll() };
});
