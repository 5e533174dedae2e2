import { isDeepStrictEqual } from 'util';
import { DescribeExecutionCommand, StartExecutionCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { logger } from '../shared/logger';
import { stepFunctions } from './clients';
import { describeError, errorName, isAccessDenied, isTransient } from './aws-call-errors';
import { actionBinding, encodeContinuationToken, encodePendingStartToken } from './continuation-token';
import { ExecutionConflictError, PipelineConfigurationError, TriggerAwsCallError, TriggerPermissionError, TriggerTransientError } from './errors';
import { MAX_START_ATTEMPTS } from './limits';
import { executionArnFor, executionNameFor } from './execution-name';
import { outcomeOfExecution, type Following } from './follow-deployment';
import { fillRevisionFromArtifact, readInputDocument, toExecutionInput } from './input-document';
import type { Job } from './job-event';
import type { JobOutcome } from './job-result';
import { parseUserParameters } from './user-parameters';
import { sleep } from './sleep';

/** Reads of "does this job's execution exist?" before a start that kept failing is reported failed. */
const EXISTING_EXECUTION_CHECKS = 5;

/**
 * The first invocation of a job: read the input document, fill in the artifact, validate it,
 * and start the execution named after the job. Everything before StartExecution only reads, so
 * a bad document fails the job with no execution started.
 */
export async function startDeployment(job: Job, stateMachineArn: string, origin: StartOrigin = { jobId: job.id, attempt: 1 }): Promise<JobOutcome> {
  const binding = actionBinding(origin.jobId, job);
  try {
    return await start(job, stateMachineArn, origin.jobId, binding);
  } catch (error) {
    if (!(error instanceof TriggerTransientError)) throw error;
    if (origin.attempt >= MAX_START_ATTEMPTS) {
      const existing = await executionOfThisJob(stateMachineArn, origin.jobId);
      if (existing) return followStartedElsewhere(existing, origin.jobId, binding, error.message);
      throw new TriggerAwsCallError(`The deployment could not be started after ${origin.attempt} attempts: ${error.message}. Retry the stage.`, { cause: error });
    }
    logger.warn('Start deferred to the next invocation', { attempt: origin.attempt, reason: error.message });
    return {
      kind: 'continue',
      continuationToken: encodePendingStartToken({ jobId: origin.jobId, startAttempts: origin.attempt, binding }),
      summary: `Not started yet: ${error.message}. Trying again (attempt ${origin.attempt} of ${MAX_START_ATTEMPTS}).`,
      percentComplete: 0,
    };
  }
}

/**
 * The execution named after this job, if one exists. CodePipeline may deliver a job twice; the other
 * delivery may have started the execution while this one could not even read the input document.
 * A failed read here is no answer: the job then fails as it would have.
 */
async function executionOfThisJob(stateMachineArn: string, jobId: string): Promise<DescribeExecutionCommandOutput | undefined> {
  const executionArn = executionArnFor(stateMachineArn, executionNameFor(jobId));
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = await stepFunctions.send(new DescribeExecutionCommand({ executionArn }));
      return existing?.executionArn ? existing : undefined;
    } catch (error) {
      // Throttled now is no answer: failing the job here could report a deployment that runs as failed.
      if (isTransient(error) && attempt < EXISTING_EXECUTION_CHECKS) {
        await sleep(attempt * 1000);
        continue;
      }
      logger.info('No execution of this job could be found', { executionArn, reason: describeError(error) });
      return undefined;
    }
  }
}

/**
 * Follows the job's execution that another delivery of the job started. Its input cannot be
 * compared with a document this invocation could not read; the name, made from the job's id, is
 * what ties it to the job.
 */
async function followStartedElsewhere(existing: DescribeExecutionCommandOutput, jobId: string, binding: string, why: string): Promise<JobOutcome> {
  const executionArn = existing.executionArn as string;
  logger.warn('Following the execution of this job that another invocation started', { executionArn, reason: why });
  const outcome = await outcomeOfExecution(existing, { executionArn, jobId, startedAt: Date.now(), binding });
  if (outcome.kind !== 'continue') return outcome;
  return {
    ...outcome,
    summary: `This invocation could not read the input document (${why}); following the execution ${executionArn}, named after this job, which another invocation of the job started. ${outcome.summary}`,
  };
}

/**
 * Which job began the action (the execution is named after it, whichever invocation starts it)
 * and which attempt at starting this is.
 */
export interface StartOrigin {
  jobId: string;
  attempt: number;
}

async function start(job: Job, stateMachineArn: string, originJobId: string, binding: string): Promise<JobOutcome> {
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
    // closed): follow that one, never start a second deployment for the same job. An execution
    // of that name with another input is not this job's: it is refused, never followed.
    executionArn = executionArnFor(stateMachineArn, name);
    const existing = await describeExisting(executionArn);
    if (!sameInput(existing.input, input)) {
      throw new ExecutionConflictError(
        `The execution ${executionArn}, named after this job, already exists with another input, so it is not this job's deployment (it was started by hand under that name, or the input document changed since this job started it). The trigger neither follows nor reports it. Look at that execution, then retry the pipeline stage.`,
      );
    }
    logger.info('The execution for this job already exists; following it', { executionArn });
    return outcomeOfExecution(existing, { executionArn, jobId: originJobId, startedAt: Date.now(), binding });
  }

  logger.info('Execution started', { executionArn });
  const following: Following = { executionArn, jobId: originJobId, startedAt: Date.now(), binding };
  return {
    kind: 'continue',
    continuationToken: encodeContinuationToken(following),
    summary: `Started the deployment of stack ${stackName} (execution ${name}).`,
    executionArn,
    percentComplete: 0,
  };
}

/** Compared as JSON values, so a service that re-serialises the input (spacing, key order kept) still matches. */
function sameInput(recorded: string | undefined, sent: string): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(recorded ?? ''), JSON.parse(sent));
  } catch {
    return false;
  }
}

/** The existing execution of this job's name; a transient failure defers the start to the next invocation. */
async function describeExisting(executionArn: string): Promise<DescribeExecutionCommandOutput> {
  try {
    return await stepFunctions.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if (isTransient(error)) throw new TriggerTransientError(`Step Functions did not describe the existing execution ${executionArn} (${describeError(error)})`, { cause: error });
    if (isAccessDenied(error)) {
      throw new TriggerPermissionError(`The trigger may not read the execution ${executionArn} (${describeError(error)}). Grant its role states:DescribeExecution on the state machine's executions.`, { cause: error });
    }
    throw new TriggerAwsCallError(`Could not read the existing execution ${executionArn}: ${describeError(error)}. Retry the stage.`, { cause: error });
  }
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
