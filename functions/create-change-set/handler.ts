import { CreateChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { cloudFormation } from '../shared/cloudformation-client';
import { errorMessage, errorName, toDeploymentError } from '../shared/aws-errors';
import { describeChangeSetPage } from '../shared/change-sets';
import { deleteChangeSet } from '../shared/delete-change-set';
import { StackBusyError, StackBusyWaitError } from '../shared/errors';
import { logger } from '../shared/logger';
import { firstPoll } from '../shared/polling';
import { CHANGE_SET_POLL } from '../shared/limits';
import { busyMessage, lockDescription, olderDeployment } from '../shared/stack-lock';
import { stackInputs } from '../shared/template-source';
import { stackSettings } from '../shared/stack-settings';
import type { ChangeSetState, Deployment, StackCheck } from '../shared/state';
import { withDeploymentTarget } from '../shared/target';

export interface CreateChangeSetEvent {
  deployment: Deployment;
  stack: StackCheck;
  /** `$$.Execution.Name`: the change set's description names it, so others see who holds the stack. */
  executionName?: string;
}

export const handler = withDeploymentTarget(async ({ deployment, stack, executionName }: CreateChangeSetEvent): Promise<ChangeSetState> => {
  const type = stack.action === 'CREATE_WITH_CHANGE_SET' ? 'CREATE' : 'UPDATE';
  const { template, parameters } = await stackInputs(deployment);
  let id: string | undefined;
  try {
    const response = await cloudFormation.send(
      new CreateChangeSetCommand({
        StackName: deployment.stackName,
        ChangeSetName: deployment.changeSetName,
        ChangeSetType: type,
        ...template,
        ...stackSettings(deployment, parameters),
        Capabilities: deployment.capabilities as CreateChangeSetCommand['input']['Capabilities'],
        RoleARN: deployment.roleArn,
        // Nested stacks' changes are inspected too: without their own change sets they would hide removals.
        IncludeNestedStacks: true,
        // The lock record: who deploys, since when, until when (functions/shared/stack-lock.ts).
        Description: lockDescription(deployment, executionName ?? deployment.changeSetName),
      }),
    );
    id = response.Id;
  } catch (error) {
    if (isStackBusyRefusal(error)) {
      const message = `Stack ${deployment.stackName} is busy: CloudFormation refused the change set (${errorMessage(error)}). Another operation is running on it`;
      if (deployment.onBusy === 'wait') throw new StackBusyWaitError(`${message}; waiting for it (onBusy: wait).`);
      throw new StackBusyError(`${message}; run the deployment again once it has finished, or set "onBusy": "wait".`);
    }
    if (errorName(error) !== 'AlreadyExistsException') {
      throw toDeploymentError(error, `CloudFormation CreateChangeSet ${deployment.changeSetName} on ${deployment.stackName}`);
    }
    // The name comes from the execution: this is a retry of our own request whose answer was lost.
    const existing = await describeChangeSetPage({ changeSet: deployment.changeSetName, stackName: deployment.stackName });
    id = existing.ChangeSetId;
  }
  const changeSet: ChangeSetState = {
    name: deployment.changeSetName,
    id: id ?? deployment.changeSetName,
    type,
    status: 'CREATE_PENDING',
    outcome: 'PENDING',
    ...firstPoll(stack.waitedSeconds ?? 0, CHANGE_SET_POLL.firstWaitSeconds),
  };
  // Two deployments that raced past Check Stack Existence both see each other's record now: the
  // younger gives way, removing its own change set so that nothing of it is left behind.
  const holder = await olderDeployment(deployment);
  if (holder) {
    await deleteChangeSet(deployment, changeSet);
    const message = `${busyMessage(deployment.stackName, holder)} This deployment's change set was deleted and nothing was changed`;
    if (deployment.onBusy === 'wait') throw new StackBusyWaitError(`${message}; waiting for it (onBusy: wait).`);
    throw new StackBusyError(`${message}; run it again once that one has finished, or set "onBusy": "wait".`);
  }
  logger.info('Change set requested', { stackName: deployment.stackName, changeSetName: deployment.changeSetName, type });
  return changeSet;
});

/** CloudFormation's answer to a change set on a stack that is mid-operation. */
function isStackBusyRefusal(error: unknown): boolean {
  return errorName(error) === 'ValidationError' && /_IN_PROGRESS state and can ?not be updated/i.test(errorMessage(error));
}
