import { CreateChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { cloudFormation } from '../shared/cloudformation-client';
import { errorName, toDeploymentError } from '../shared/aws-errors';
import { describeChangeSetPage } from '../shared/change-sets';
import { logger } from '../shared/logger';
import { firstPoll } from '../shared/polling';
import { templateArgument } from '../shared/template-source';
import { stackSettings } from '../shared/stack-settings';
import type { ChangeSetState, Deployment, StackCheck } from '../shared/state';

export interface CreateChangeSetEvent {
  deployment: Deployment;
  stack: StackCheck;
}

export const handler = async ({ deployment, stack }: CreateChangeSetEvent): Promise<ChangeSetState> => {
  const type = stack.action === 'CREATE_WITH_CHANGE_SET' ? 'CREATE' : 'UPDATE';
  const template = await templateArgument(deployment);
  let id: string | undefined;
  try {
    const response = await cloudFormation.send(
      new CreateChangeSetCommand({
        StackName: deployment.stackName,
        ChangeSetName: deployment.changeSetName,
        ChangeSetType: type,
        ...template,
        ...stackSettings(deployment),
        Capabilities: deployment.capabilities as CreateChangeSetCommand['input']['Capabilities'],
        RoleARN: deployment.roleArn,
        // Nested stacks' changes are inspected too: without their own change sets they would hide removals.
        IncludeNestedStacks: true,
        Description: `Deployment ${deployment.changeSetName} of ${deployment.templatePath}`,
      }),
    );
    id = response.Id;
  } catch (error) {
    if (errorName(error) !== 'AlreadyExistsException') {
      throw toDeploymentError(error, `CloudFormation CreateChangeSet ${deployment.changeSetName} on ${deployment.stackName}`);
    }
    // The name comes from the execution: this is a retry of our own request whose answer was lost.
    const existing = await describeChangeSetPage({ changeSet: deployment.changeSetName, stackName: deployment.stackName });
    id = existing.ChangeSetId;
  }
  logger.info('Change set requested', { stackName: deployment.stackName, changeSetName: deployment.changeSetName, type });
  return {
    name: deployment.changeSetName,
    id: id ?? deployment.changeSetName,
    type,
    status: 'CREATE_PENDING',
    outcome: 'PENDING',
    ...firstPoll(),
  };
};
