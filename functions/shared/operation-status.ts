import { finishedPolling, stillRunning } from './polling';
import { STACK_POLL } from './limits';
import { describeFailure, describeStack, firstFailure, leftBehindByUpdate, operationOutcome, stackOutputs, type FailureEvent } from './stacks';
import { AwsTransientError, StackCreateFailedError, StackOutcomeUnknownError, StackUpdateFailedError } from './errors';
import { stackConsoleUrl, withLink } from './console-links';
import type { Decision, Deployment, OperationResult } from './state';
import type { Stack } from '@aws-sdk/client-cloudformation';


export interface OperationKind {
  /** What the operator reads, e.g. "Creating stack prod-app". */
  describe: (stackName: string) => string;
  successStatuses: readonly string[];
  decision: Decision;
  /** The error to throw when the operation ends in any other status. */
  fail: (message: string) => Error;
  failureAdvice: (stackName: string, status: string) => string;
}

/** Where a create or update stands after one read of its stack. */
export type OperationCheck =
  | { state: 'RUNNING'; status: string; readError?: string }
  | { state: 'DONE'; result: OperationResult };

/**
 * One read of a create or update CloudFormation has accepted: running (or unreadable for now);
 * done, with the decision and the stack's outputs; or failed, thrown as the operation's error with
 * the first failing resource and its reason. The stack's own status is the outcome: a read that
 * fails transiently is "running" (read again later); anything that leaves the outcome unknown is
 * a StackOutcomeUnknownError, never a plain failure.
 */
export async function checkStackOperation(deployment: Deployment, previous: OperationResult, kind: OperationKind): Promise<OperationCheck> {
  const what = kind.describe(deployment.stackName);
  let stack: Stack | undefined;
  try {
    stack = await describeStack(previous.stackId);
  } catch (error) {
    if (!(error instanceof AwsTransientError)) throw outcomeUnknownError(deployment, previous, `Its status could not be read: ${(error as Error).message}`);
    return { state: 'RUNNING', status: previous.status, readError: error.message };
  }
  if (!stack) throw kind.fail(`${what}: the stack ${previous.stackId} no longer exists; someone deleted it while the deployment ran.`);
  const status = stack.StackStatus ?? 'UNKNOWN';
  const outcome = operationOutcome(status, kind.successStatuses);
  if (outcome === 'RUNNING') return { state: 'RUNNING', status };
  if (outcome === 'SUCCEEDED') {
    const outputs = stackOutputs(stack);
    const warnings = kind.decision === 'UPDATED' ? await leftBehindIfReadable(previous.stackId) : [];
    const beside = deployment.newStack ? ` as a new stack beside ${deployment.newStack.previousStackName}, which is left untouched (onUnsafe new-stack: ${deployment.newStack.reason})` : '';
    const summary = `${kind.decision === 'CREATED' ? 'Created' : 'Updated'} stack ${deployment.stackName}${beside} (${status}, ${outputs.length} output${outputs.length === 1 ? '' : 's'}).`;
    return {
      state: 'DONE',
      result: {
        ...previous,
        status,
        done: true,
        decision: kind.decision,
        outputs,
        ...(warnings.length ? { warnings } : {}),
        summary: warnings.length ? `${summary} Warning: the update's clean-up left ${warnings.length} old resource(s) behind: ${warnings.join('; ')}` : summary,
      },
    };
  }
  throw kind.fail(failureMessage(what, status, await firstFailureIfReadable(previous.stackId), stack, kind.failureAdvice(deployment.stackName, status)));
}

/**
 * One poll of a running create or update, in polling mode: still running → StillInProgressError,
 * for the task's retrier to poll again (`retryCount` is `$$.State.RetryCount`), or the deadline's
 * StackOutcomeUnknownError; done → the result; failed → the operation's error.
 */
export async function pollStackOperation(
  deployment: Deployment,
  previous: OperationResult,
  kind: OperationKind,
  retryCount = 0,
): Promise<OperationResult> {
  const check = await checkStackOperation(deployment, previous, kind);
  if (check.state === 'RUNNING') {
    const what = kind.describe(deployment.stackName);
    const now = check.readError ? `${what} (the last read of its status failed: ${check.readError})` : `${what} (${check.status})`;
    stillRunning(previous, retryCount, STACK_POLL, deployment, now, (message) => outcomeUnknownError(deployment, { ...previous, status: check.status }, message));
  }
  return { ...check.result, ...finishedPolling(previous, retryCount, STACK_POLL) };
}

/** The operation's kind from the result of the task that started it: a CREATE change set ends like a create. */
export function operationKindOf(result: OperationResult): OperationKind {
  return result.action === 'CREATE' ? STACK_CREATION : STACK_UPDATE;
}

/** The update is done either way: events that cannot be read cost only the warnings. */
async function leftBehindIfReadable(stackId: string): Promise<string[]> {
  try {
    return await leftBehindByUpdate(stackId);
  } catch {
    return [];
  }
}

/** The verdict is already known from the status; a stack-events page that cannot be read only costs detail. */
async function firstFailureIfReadable(stackId: string): Promise<FailureEvent | undefined> {
  try {
    return await firstFailure(stackId);
  } catch {
    return undefined;
  }
}

/** The stack may still be changing: CloudFormation accepted the operation, and its end is not known. */
export function outcomeUnknownError(deployment: Deployment, previous: OperationResult, why: string): StackOutcomeUnknownError {
  return new StackOutcomeUnknownError(

    `Stack ${deployment.stackName} may still be changing: CloudFormation accepted the ${previous.action === 'CREATE' ? 'create' : 'update'}, ` +
    `but its final status is not known. ${why} Last known status: ${previous.status}. ` +
    `Look at ${withLink('the stack', stackConsoleUrl(previous.stackId))} in the CloudFormation console before deploying again.`,
  );
}

function failureMessage(what: string, status: string, failure: FailureEvent | undefined, stack: Stack, advice: string): string {
  return `${what} failed (${status}). First failure: ${describeFailure(failure, stack)}. ${advice}`.trim();
}

export const STACK_CREATION: OperationKind = {
  describe: (stackName) => `Creating stack ${stackName}`,
  successStatuses: ['CREATE_COMPLETE'],
  decision: 'CREATED',
  fail: (message) => new StackCreateFailedError(message),
  failureAdvice: (stackName, status) =>
    status === 'ROLLBACK_COMPLETE'
      ? `The stack is left ROLLBACK_COMPLETE with no resources; fix the template and run the deployment again (it deletes and re-creates ${stackName}).`
      : `Look at the stack's events in the CloudFormation console before running the deployment again.`,
};

export const STACK_UPDATE: OperationKind = {
  describe: (stackName) => `Updating stack ${stackName}`,
  successStatuses: ['UPDATE_COMPLETE'],
  decision: 'UPDATED',
  fail: (message) => new StackUpdateFailedError(message),
  failureAdvice: (_stackName, status) =>
    status === 'UPDATE_ROLLBACK_COMPLETE'
      ? 'CloudFormation rolled the stack back to its previous state; fix the cause and run the deployment again.'
      : 'The stack did not roll back cleanly; resolve it in the CloudFormation console before deploying again.',
};
