import { deleteChangeSet } from '../shared/delete-change-set';
import { logger } from '../shared/logger';
import { describeStack, stackOutputs } from '../shared/stacks';
import type { ChangeSetState, Deployment, OperationResult, StackCheck } from '../shared/state';
import { withDeploymentTarget } from '../shared/target';

export interface DeleteEmptyChangeSetEvent {
  deployment: Deployment;
  changeSet: ChangeSetState;
  stack: StackCheck;
}

/** The deployment changes nothing: the empty change set is removed so it does not linger in the console. */
export const handler = withDeploymentTarget(async ({ deployment, changeSet, stack }: DeleteEmptyChangeSetEvent): Promise<OperationResult> => {
  await deleteChangeSet(deployment, changeSet);
  const current = await describeStack(stack.stackId ?? deployment.stackName);
  const outputs = current ? stackOutputs(current) : [];
  logger.info('No changes to deploy', { stackName: deployment.stackName, changeSetName: changeSet.name });
  return {
    action: 'NONE',
    stackId: stack.stackId ?? current?.StackId ?? deployment.stackName,
    status: current?.StackStatus ?? stack.status ?? 'UNKNOWN',
    done: true,
    decision: 'NO_CHANGES',
    outputs,
    summary: `No changes: stack ${deployment.stackName} already matches the template (change set ${changeSet.name} deleted).`,
    polls: 0,
    waitedSeconds: 0,
    waitSeconds: 0,
  };
});
