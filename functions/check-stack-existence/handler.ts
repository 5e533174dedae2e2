import { StackBusyError } from '../shared/errors';
import { logger } from '../shared/logger';
import { firstPoll, nextPoll } from '../shared/polling';
import { busyMessage, otherDeployments } from '../shared/stack-lock';
import { decideForExistingStack, describeStack, isBusyStatus } from '../shared/stacks';
import type { Deployment, PollState, StackCheck } from '../shared/state';
import { withDeploymentTarget } from '../shared/target';

export interface CheckStackExistenceEvent {
  deployment: Deployment;
  /** The execution's data so far: after a wait for a busy stack, `previous.stack` holds the pacing. */
  previous?: { stack?: StackCheck };
}

export const handler = withDeploymentTarget(async ({ deployment, previous }: CheckStackExistenceEvent): Promise<StackCheck> => {
  const stack = await describeStack(deployment.stackName);
  const status = stack?.StackStatus;
  const exists = !!stack && status !== 'DELETE_COMPLETE';
  if (exists && isBusyStatus(status ?? '')) {
    return busy(deployment, previous?.stack, `Stack ${deployment.stackName} is busy (${status}): another operation is running on it.`, 'Wait until it finishes, then run the deployment again');
  }
  const holder = exists ? (await otherDeployments(deployment))[0] : undefined;
  if (holder) return busy(deployment, previous?.stack, busyMessage(deployment.stackName, holder), 'Run the deployment again once it has finished');

  const check: StackCheck = !exists
    ? { exists: false, action: 'CREATE', note: `Stack ${deployment.stackName} does not exist: it is created.` }
    : { exists: true, stackId: stack.StackId, status, ...decideForExistingStack(deployment.stackName, status ?? 'UNKNOWN') };
  logger.info('Stack checked', { stackName: deployment.stackName, exists: check.exists, status: check.status, action: check.action });
  return { ...check, ...(previous?.stack?.action === 'WAIT' ? { waitedSeconds: (previous.stack.waitedSeconds ?? 0) + (previous.stack.waitSeconds ?? 0) } : {}) };
});

/**
 * Another deployment holds the stack: fail at once (`onBusy: "fail"`), or wait for it and look
 * again (`onBusy: "wait"`), within the deployment's budget.
 */
function busy(deployment: Deployment, previous: StackCheck | undefined, why: string, advice: string): StackCheck {
  if (deployment.onBusy !== 'wait') {
    throw new StackBusyError(`${why} ${advice}, or set "onBusy": "wait" in the input document to wait for it.`);
  }
  const pacing: PollState =
    previous?.action === 'WAIT' && previous.waitSeconds !== undefined
      ? nextPoll(previous as PollState, deployment, `Waiting for stack ${deployment.stackName} to be free`, (message) => new StackBusyError(`${why} ${message}`))
      : firstPoll();
  logger.info('Stack busy, waiting', { stackName: deployment.stackName, waitSeconds: pacing.waitSeconds });
  return { exists: true, action: 'WAIT', note: `${why} Waiting for it (onBusy: wait).`, ...pacing };
}
