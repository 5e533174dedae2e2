import { DescribeExecutionCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { logger } from '../shared/logger';
import { stepFunctions } from './clients';
import { describeError, errorName, isAccessDenied, isTransient } from './aws-call-errors';
import { encodeContinuationToken } from './continuation-token';
import { ContinuationTokenError, ExecutionMissingError, TriggerAwsCallError, TriggerPermissionError } from './errors';
import { failureReport } from './execution-failure';
import { successReport } from './execution-output';
import type { JobOutcome } from './job-result';
import { currentStateOf, percentCompleteFor } from './progress';

const ENDED_WITHOUT_SUCCESS = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

/**
 * Where the deployment stands, as a job outcome: still running (continue with the same token),
 * succeeded (summary and output variables) or ended otherwise (the execution's error and cause).
 * `startedByJobId` is the job that started the execution, carried in the token.
 */
export async function followDeployment(executionArn: string, startedByJobId: string): Promise<JobOutcome> {
  const executionName = executionArn.slice(executionArn.lastIndexOf(':') + 1);
  const continueLater = (summary: string, percentComplete?: number): JobOutcome => ({
    kind: 'continue',
    continuationToken: encodeContinuationToken({ executionArn, jobId: startedByJobId }),
    summary,
    executionArn,
    percentComplete,
  });

  let execution: DescribeExecutionCommandOutput;
  try {
    execution = await stepFunctions.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if (isTransient(error)) {
      // The deployment itself is unaffected: failing the job now would report a failure while
      // CloudFormation carries on. CodePipeline invokes the trigger again shortly.
      logger.warn('Could not read the execution status; checking again on the next invocation', { reason: describeError(error) });
      return continueLater(`Deployment running (execution ${executionName}); its status could not be read this time (${errorName(error)}), checking again.`);
    }
    throw followError(error, executionArn);
  }

  const status = execution.status ?? 'UNKNOWN';
  logger.info('Execution status', { status });

  if (status === 'SUCCEEDED') {
    const report = successReport(execution.output, executionName);
    if (report.leftOut.length) logger.warn('Stack outputs left out of the output variables', { leftOut: report.leftOut });
    const { outputVariables } = report;
    return {
      kind: 'succeed',
      summary: report.summary,
      executionArn,
      outputVariables,
      decisionDocument: {
        executionArn,
        stackName: outputVariables.StackName,
        outcome: outputVariables.Decision,
        changeSetName: outputVariables.ChangeSetName,
        decision: report.decision ?? null,
      },
      resumeToken: encodeContinuationToken({ executionArn, jobId: startedByJobId }),
    };
  }
  if (ENDED_WITHOUT_SUCCESS.has(status)) {
    const report = failureReport(status, execution.error, execution.cause, executionName);
    return { kind: 'fail', type: report.type, message: report.message, executionArn };
  }
  if (status !== 'RUNNING' && status !== 'PENDING_REDRIVE') {
    // A status this trigger does not know yet: keep following rather than fail a live deployment;
    // CodePipeline's action timeout bounds the wait.
    logger.warn('Unknown execution status; treating it as still running', { status });
  }
  const state = await currentStateOf(executionArn);
  const where = state ? `: in "${state}"` : status === 'RUNNING' ? '' : `, status ${status}`;
  return continueLater(`Deployment running${where} (execution ${executionName}).`, percentCompleteFor(state));
}

function followError(error: unknown, executionArn: string): Error {
  const name = errorName(error);
  if (name === 'ExecutionDoesNotExist') {
    return new ExecutionMissingError(
      `The deployment's execution ${executionArn} no longer exists (${describeError(error)}), so its result cannot be known. Check the stack in the CloudFormation console, then retry the pipeline stage to start a fresh deployment.`,
      { cause: error },
    );
  }
  if (name === 'InvalidArn') {
    return new ContinuationTokenError(`The continuation token's execution ARN is not valid (${describeError(error)}). Retry the pipeline stage to start a fresh deployment.`, { cause: error });
  }
  if (isAccessDenied(error)) {
    return new TriggerPermissionError(`The trigger may not read the execution ${executionArn} (${describeError(error)}). Grant its role states:DescribeExecution and states:GetExecutionHistory on the state machine's executions.`, { cause: error });
  }
  return new TriggerAwsCallError(`Could not read the execution ${executionArn}: ${describeError(error)}.`, { cause: error });
}
