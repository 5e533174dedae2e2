import { DescribeChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { cloudFormation } from '../shared/cloudformation-client';
import { errorName, toDeploymentError } from '../shared/aws-errors';
import { changeSetRef, type ChangeSetRef } from '../shared/change-sets';
import { stackConsoleUrl, withLink } from '../shared/console-links';
import { deleteChangeSet } from '../shared/delete-change-set';
import { AwsTransientError } from '../shared/errors';
import { readableCause, withNote } from '../shared/failure-cause';
import { rejectionMessage } from '../shared/inspection';
import { logger } from '../shared/logger';
import type { ChangeSetState, Deployment, Failure, Inspection } from '../shared/state';
import { CHANGE_SET_REJECTED } from '../delete-change-set/handler';
import { APPROVAL_OUTCOMES } from '../shared/approvals';
import { inTargetOf } from '../shared/target';

/** The execution's data when a state after Create Change Set failed: the Catch put the error in `failure`. */
export interface CleanUpChangeSetEvent {
  execution: {
    deployment: Deployment;
    failure: Failure;
    changeSet?: ChangeSetState;
    inspection?: Inspection;
  };
}

const EXECUTED = new Set(['EXECUTE_IN_PROGRESS', 'EXECUTE_COMPLETE', 'EXECUTE_FAILED']);

/**
 * Every path that fails after a change set may exist and before it is executed comes here: the
 * change set is deleted, so no unreviewed change is left one click away in the console, and the
 * deployment fails with the error that stopped it. A change set that turns out to have been
 * executed is not deleted: then the stack may be changing, and the failure says so.
 */
export const handler = (event: CleanUpChangeSetEvent): Promise<Failure> => inTargetOf(event.execution?.deployment, () => cleanUp(event));

async function cleanUp({ execution }: CleanUpChangeSetEvent): Promise<Failure> {
  const { deployment } = execution;
  // After Plan New Stack (onUnsafe new-stack) the data still holds the live stack's change set, which
  // it deleted, and its inspection: this deployment's change set, if any, is the new stack's.
  const changeSet = ofThisStack(deployment, execution.changeSet);
  const inspection = deployment.newStack ? undefined : execution.inspection;
  const failure = rejectedAnyway({ ...execution, changeSet, inspection }) ?? execution.failure;
  const ref: ChangeSetRef = changeSet ? changeSetRef(deployment.stackName, changeSet) : { changeSet: deployment.changeSetName, stackName: deployment.stackName };
  const found = await describe(ref);
  if (!found) {
    logger.info('No change set to clean up', { stackName: deployment.stackName, changeSetName: deployment.changeSetName, error: failure.Error });
    return failure;
  }
  if (EXECUTED.has(found.ExecutionStatus ?? '')) {
    const message =
      `Stack ${deployment.stackName} may still be changing: its change set ${deployment.changeSetName} was executed (${found.ExecutionStatus}) although the deployment failed before it could follow the update ` +
      `(${failure.Error}: ${readableCause(failure.Cause) ?? 'no cause given'}). Look at ${withLink('the stack', stackConsoleUrl(found.StackId ?? deployment.stackName))} in the CloudFormation console before deploying again.`;
    return { Error: 'StackOutcomeUnknownError', Cause: JSON.stringify({ errorType: 'StackOutcomeUnknownError', errorMessage: message }) };
  }
  try {
    await deleteChangeSet(deployment, { id: found.ChangeSetId ?? ref.changeSet, name: deployment.changeSetName });
  } catch (error) {
    if (error instanceof AwsTransientError) throw error;
    logger.error('Change set could not be deleted', { stackName: deployment.stackName, changeSetName: deployment.changeSetName, error });
    return withNote(failure, `The change set ${deployment.changeSetName} could not be deleted (${(error as Error).message}); it was not executed. Delete it in the CloudFormation console (${withLink('the stack', stackConsoleUrl(found.StackId ?? deployment.stackName))}).`);
  }
  logger.info('Change set cleaned up', { stackName: deployment.stackName, changeSetName: deployment.changeSetName, error: failure.Error });
  // A rejection's own message already says the change set was deleted, not executed.
  const rejection = inspection && !inspection.safe && !KEEPS_ITS_REASON.has(failure.Error);
  return rejection ? failure : withNote(failure, `The change set ${deployment.changeSetName} was deleted; nothing was changed.`);
}

/**
 * An unsafe change set stops the deployment whatever failed after its inspection (deleting it,
 * say): the rejection, naming the offending resources, is the reason the operator must read.
 */
function rejectedAnyway({ deployment, changeSet, inspection, failure }: CleanUpChangeSetEvent['execution']): Failure | undefined {
  if (!inspection || inspection.safe || !changeSet || failure.Error === CHANGE_SET_REJECTED) return undefined;
  // A person's answer (or its absence, or the change set changing under it) is the reason, not the policy's verdict.
  if (KEEPS_ITS_REASON.has(failure.Error)) return undefined;
  return { Error: CHANGE_SET_REJECTED, Cause: rejectionMessage(deployment, changeSet, inspection) };
}

/**
 * What an unsafe change led to, by decision (a person's answer, or its absence, or the change set
 * changing under it; a new stack that could not be made): the reason, not the policy's verdict.
 */
const KEEPS_ITS_REASON: ReadonlySet<string> = new Set([...APPROVAL_OUTCOMES, 'NameCollisionError', 'TooManyStacksError']);

/** The change set, unless it is the live stack's that Plan New Stack already deleted. */
function ofThisStack(deployment: Deployment, changeSet: ChangeSetState | undefined): ChangeSetState | undefined {
  if (!changeSet || !deployment.newStack) return changeSet;
  // Without the change set's stack id, it is looked up by this deployment's name on the new stack.
  return changeSet.stackId === undefined || changeSet.stackId === deployment.newStack.previousStackId ? undefined : changeSet;
}

async function describe(ref: ChangeSetRef) {
  try {
    return await cloudFormation.send(new DescribeChangeSetCommand({ ChangeSetName: ref.changeSet, StackName: ref.stackName }));
  } catch (error) {
    const name = errorName(error);
    // A stack that is gone takes its change sets with it.
    if (name === 'ChangeSetNotFoundException' || (name === 'ValidationError' && /does not exist/.test((error as Error).message))) return undefined;
    throw toDeploymentError(error, `CloudFormation DescribeChangeSet ${ref.changeSet}`);
  }
}
