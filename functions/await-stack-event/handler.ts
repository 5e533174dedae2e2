import { logger } from '../shared/logger';
import { DeploymentError, InvalidInputError } from '../shared/errors';
import { checkStackOperation, operationKindOf, outcomeUnknownError } from '../shared/operation-status';
import { answerWait, claimWaiter, finishedAnswer, forgetWaiter, recordWaiter, type StackWaiter, type WaitAnswer } from '../shared/stack-wait';
import type { Deployment, OperationResult } from '../shared/state';
import { withDeploymentTarget } from '../shared/target';

/**
 * The Await Stack Event state (`lambda:invoke.waitForTaskToken`): records the task token for the
 * stack, then reads the stack once, because the operation may have ended before the token was
 * recorded (its event then found no one waiting). Whoever claims the record answers the wait:
 * this function when the stack is already done, the completion function when its event comes.
 * After a fallback timeout the state runs this again (a new token, one more read).
 */
export interface AwaitStackEventEvent {
  deployment: Deployment;
  result: OperationResult;
  taskToken: string;
  executionArn: string;
  /** `$$.State.RetryCount`: how many fallback timeouts (or transient failures) came before. */
  retryCount?: number;
}

export const handler = withDeploymentTarget(async (event: AwaitStackEventEvent): Promise<{ waiting: boolean }> => {
  const { deployment, result, taskToken, executionArn } = event;
  if (!taskToken || !executionArn || !result?.stackId) {
    throw new InvalidInputError('Await Stack Event needs taskToken ($$.Task.Token), executionArn and the operation result with its stackId.');
  }
  const waiter: StackWaiter = { stackId: result.stackId, waiter: executionArn, taskToken, deployment, result };
  await recordWaiter(waiter);

  let answer: WaitAnswer | undefined;
  try {
    const check = await checkStackOperation(deployment, result, operationKindOf(result));
    if (check.state === 'DONE') answer = finishedAnswer(result, check.result);
    else if (pastDeadline(deployment)) {
      answer = {
        error: outcomeUnknownError(
          deployment,
          { ...result, status: check.status },
          `It had not finished when the deployment's budget of ${deployment.maxWaitSeconds} seconds (maxWaitSeconds) ran out.`,
        ),
      };
    }
  } catch (error) {
    if (!(error instanceof DeploymentError)) throw error;
    answer = { error };
  }

  if (!answer) {
    logger.info('Waiting for the stack\'s status change event', { stackName: deployment.stackName, fallbackChecks: event.retryCount ?? 0 });
    return { waiting: true };
  }
  // The completion function may have seen the event meanwhile and answered already.
  if (!(await claimWaiter(waiter, `wait:${executionArn}:${event.retryCount ?? 0}`))) {
    logger.info('The wait was answered by the completion function', { stackName: deployment.stackName });
    return { waiting: false };
  }
  const answered = await answerWait(taskToken, answer);
  await forgetWaiter(waiter);
  logger.info('Stack operation ended before its event was awaited; answered the wait', {
    stackName: deployment.stackName,
    outcome: 'output' in answer ? answer.output.status : answer.error.name,
    answered,
  });
  return { waiting: false };
});

function pastDeadline(deployment: Deployment, now: number = Date.now()): boolean {
  const deadline = deployment.deadline ? Date.parse(deployment.deadline) : Number.NaN;
  return Number.isFinite(deadline) && now >= deadline;
}
