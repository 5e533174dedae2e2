import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { cloudFormation } from '../shared/cloudformation-client';
import { errorName, toDeploymentError } from '../shared/aws-errors';
import { StackNotReadyError } from '../shared/errors';
import { logger } from '../shared/logger';
import { operationToken } from '../shared/names';
import { firstPoll } from '../shared/polling';
import { templateArgument } from '../shared/template-source';
import { stackSettings } from '../shared/stack-settings';
import type { Deployment, OperationResult } from '../shared/state';

export interface CreateStackEvent {
  deployment: Deployment;
}

export const handler = async ({ deployment }: CreateStackEvent): Promise<OperationResult> => {
  const template = await templateArgument(deployment);
  let stackId: string | undefined;
  try {
    const response = await cloudFormation.send(
      new CreateStackCommand({
        StackName: deployment.stackName,
        ...template,
        ...stackSettings(deployment),
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
      throw new StackNotReadyError(
        `Stack ${deployment.stackName} was created by someone else while this deployment ran; it was left as it is. Run the deployment again to update it.`,
      );
    }
    throw toDeploymentError(error, `CloudFormation CreateStack ${deployment.stackName}`);
  }
  logger.info('Stack creation started', { stackName: deployment.stackName, stackId, via: 'TemplateURL' in template ? 'TemplateURL' : 'TemplateBody' });
  return { action: 'CREATE', stackId: stackId ?? deployment.stackName, status: 'CREATE_IN_PROGRESS', done: false, ...firstPoll() };
};
