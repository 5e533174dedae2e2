import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { logger } from '../shared/logger';
import { stepFunctions } from './clients';
import { describeError, errorName, isAccessDenied, isTransient } from './aws-call-errors';
import { encodeContinuationToken, encodePendingStartToken } from './continuation-token';
import { PipelineConfigurationError, TriggerAwsCallError, TriggerPermissionError, TriggerTransientError } from './errors';
import { MAX_START_ATTEMPTS } from './limits';
import { executionArnFor, executionNameFor } from './execution-name';
import { followDeployment } from './follow-deployment';
import { fillRevisionFromArtifact, readInputDocument, toExecutionInput } from './input-document';
import type { Job } from './job-event';
import type { JobOutcome } from './job-result';
import { parseUserParameters } from './user-parameters';

/**
 * The first invocation of a job: read the input document, fill in the artifact, validate it,
 * and start the execution named after the job. Everything before StartExecution only reads, so
 * a bad document fails the job with no execution started.
 */
export async function startDeployment(job: Job, stateMachineArn: string, origin: StartOrigin = { jobId: job.id, attempt: 1 }): Promise<JobOutcome> {
  try {
    return await start(job, stateMachineArn, origin.jobId);
  } catch (error) {
    if (!(error instanceof TriggerTransientError)) throw error;
    if (origin.attempt >= MAX_START_ATTEMPTS) {
      throw new TriggerAwsCallError(`The deployment could not be started after ${origin.attempt} attempts: ${error.message}. Retry the stage.`, { cause: error });
    }
    logger.warn('Start deferred to the next invocation', { attempt: origin.attempt, reason: error.message });
    return {
      kind: 'continue',
      continuationToken: encodePendingStartToken({ jobId: origin.jobId, startAttempts: origin.attempt }),
      summary: `Not started yet: ${error.message}. Trying again (attempt ${origin.attempt} of ${MAX_START_ATTEMPTS}).`,
      percentComplete: 0,
    };
  }
}

/**
 * Which job began the action (the execution is named after it, whichever invocation starts it)
 * and which attempt at starting this is.
 */
export interface StartOrigin {
  jobId: string;
  attempt: number;
}

async function start(job: Job, stateMachineArn: string, originJobId: string): Promise<JobOutcome> {
  const userParameters = parseUserParameters(job.userParameters);
  const document = fillRevisionFromArtifact(await readInputDocument(userParameters), job.inputArtifacts);
  const { input, deployment } = toExecutionInput(document, userParameters);
  const stackName = `${deployment.environmentName}-${deployment.stackName}`;
  const name = executionNameFor(originJobId);
  logger.appendKeys({ stackName, executionName: name });

  let executionArn: string;
  try {
    const started = await stepFunctions.send(new StartExecutionCommand({ stateMachineArn, name, input }));
    executionArn = started.executionArn ?? executionArnFor(stateMachineArn, name);
  } catch (error) {
    if (errorName(error) !== 'ExecutionAlreadyExists') throw startError(error, stateMachineArn);
    // This job already started its execution (a repeated invocation, or the execution has since
    // closed): follow that one; never start a second deployment for the same job.
    executionArn = executionArnFor(stateMachineArn, name);
    logger.info('The execution for this job already exists; following it', { executionArn });
    return followDeployment(executionArn, originJobId);
  }

  logger.info('Execution started', { executionArn });
  return {
    kind: 'continue',
    continuationToken: encodeContinuationToken({ executionArn, jobId: originJobId }),
    summary: `Started the deployment of stack ${stackName} (execution ${name}).`,
    executionArn,
    percentComplete: 0,
  };
}

function startError(error: unknown, stateMachineArn: string): Error {
  const name = errorName(error);
  if (name === 'StateMachineDoesNotExist' || name === 'StateMachineDeleting' || name === 'InvalidArn') {
    return new PipelineConfigurationError(
      `The deployment is misconfigured: the state machine ${stateMachineArn} cannot be started (${describeError(error)}). Redeploy the orchestrator stack so STATE_MACHINE_ARN names a live state machine.`,
      { cause: error },
    );
  }
  if (name === 'InvalidExecutionInput') {
    return new PipelineConfigurationError(`Step Functions refused the input document as execution input (${describeError(error)}).`, { cause: error });
  }
  if (isAccessDenied(error)) {
    return new TriggerPermissionError(`The trigger may not start the state machine ${stateMachineArn} (${describeError(error)}). Grant its role states:StartExecution on it.`, { cause: error });
  }
  if (isTransient(error)) return new TriggerTransientError(`Step Functions did not start the execution (${describeError(error)})`, { cause: error });
  if (name === 'ExecutionLimitExceeded') {
    return new TriggerAwsCallError(`Too many executions of the state machine are running (${describeError(error)}). Retry the stage when some have finished.`, { cause: error });
  }
  return new TriggerAwsCallError(`Could not start the deployment: ${describeError(error)}. Retry the stage.`, { cause: error });
}
