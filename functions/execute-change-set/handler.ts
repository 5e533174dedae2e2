import { DescribeChangeSetCommand, ExecuteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { cloudFormation } from '../shared/cloudformation-client';
import { errorName, toDeploymentError } from '../shared/aws-errors';
import { changeSetRef, supersededError } from '../shared/change-sets';
import { ApprovalStaleError, AwsTransientError, InvalidInputError } from '../shared/errors';
import { describeStack } from '../shared/stacks';
import { logger } from '../shared/logger';
import { operationToken } from '../shared/names';
import { firstPoll } from '../shared/polling';
import type { ChangeSetState, Deployment, Inspection, OperationResult } from '../shared/state';
import { withDeploymentTarget } from '../shared/target';

export interface ExecuteChangeSetEvent {
  deployment: Deployment;
  changeSet: ChangeSetState;
  inspection: Inspection;
}

export const handler = withDeploymentTarget(async ({ deployment, changeSet, inspection }: ExecuteChangeSetEvent): Promise<OperationResult> => {
  // The Choice before this state routes unsafe change sets away unless a person approved exactly this
  // one; this check keeps that true even if the definition is edited by mistake.
  const approval = inspection?.approval;
  if (!inspection?.safe && !(approval?.approved === true && approval.changeSetId === changeSet.id)) {
    throw new InvalidInputError(`Refusing to execute change set ${changeSet.name}: its inspection did not find it safe, and no one approved it.`);
  }
  const ref = changeSetRef(deployment.stackName, changeSet);
  if (!inspection.safe) await checkStillAsReviewed(deployment, changeSet, approval?.approver ?? 'someone');
  try {
    await cloudFormation.send(
      new ExecuteChangeSetCommand({
        ChangeSetName: ref.changeSet,
        StackName: ref.stackName,
        ClientRequestToken: operationToken(deployment.clientRequestToken, 'execute'),
      }),
    );
  } catch (error) {
    const failure = toDeploymentError(error, `CloudFormation ExecuteChangeSet ${changeSet.name} on ${deployment.stackName}`);
    // A retry after a lost answer (a timeout, a throttled response) finds its own execute done.
    if (!(failure instanceof AwsTransientError) && (await executedAlready(deployment, changeSet))) {
      logger.info('Change set was already executed', { stackName: deployment.stackName, changeSetName: changeSet.name });
    } else if (errorName(error) === 'ChangeSetNotFoundException') {
      throw supersededError(changeSet.name, deployment.stackName);
    } else {
      throw failure;
    }
  }
  logger.info('Change set executed', { stackName: deployment.stackName, changeSetName: changeSet.name });
  return {
    action: changeSet.type === 'CREATE' ? 'CREATE' : 'UPDATE',
    // Polled by id: a stack of the same name made later is not this one.
    stackId: changeSet.stackId ?? deployment.stackName,
    status: changeSet.type === 'CREATE' ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS',
    done: false,
    ...firstPoll(changeSet.waitedSeconds),
  };
});

/**
 * An approved change set is executed only if it is still the one reviewed: CloudFormation marks a
 * change set OBSOLETE when its stack changes, and deletes it when another is executed.
 */
async function checkStillAsReviewed(deployment: Deployment, changeSet: ChangeSetState, approver: string): Promise<void> {
  let described;
  try {
    described = await cloudFormation.send(new DescribeChangeSetCommand({ ChangeSetName: changeSet.id, StackName: deployment.stackName }));
  } catch (error) {
    if (errorName(error) === 'ChangeSetNotFoundException') {
      throw new ApprovalStaleError(`${approver} approved change set ${changeSet.name}, but it no longer exists (the stack changed since it was reviewed, or someone deleted it). Nothing was executed.`);
    }
    throw toDeploymentError(error, `CloudFormation DescribeChangeSet ${changeSet.name}`);
  }
  // A retry after a lost answer finds the change set being executed by this very task: not stale.
  const executing = ['EXECUTE_IN_PROGRESS', 'EXECUTE_COMPLETE', 'EXECUTE_FAILED'].includes(described.ExecutionStatus ?? '');
  if (described.ChangeSetId !== changeSet.id || (described.ExecutionStatus !== 'AVAILABLE' && !executing)) {
    throw new ApprovalStaleError(
      `${approver} approved change set ${changeSet.name}, but it is no longer the one reviewed (execution status ${described.ExecutionStatus ?? 'unknown'}: the stack changed since). Nothing was executed.`,
    );
  }
}

/** CloudFormation records on the stack the change set it last executed. */
async function executedAlready(deployment: Deployment, changeSet: ChangeSetState): Promise<boolean> {
  try {
    const stack = await describeStack(changeSet.stackId ?? deployment.stackName);
    const executed = stack?.ChangeSetId;
    if (!executed) return false;
    // By ARN when CloudFormation gave us one; else by the name, which only this execution uses.
    return changeSet.id.startsWith('arn:') ? executed === changeSet.id : executed.includes(`:changeSet/${changeSet.name}/`);
  } catch {
    return false;
  }
}

