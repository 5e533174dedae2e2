import type { CodePipelineEvent, Context } from 'aws-lambda';
import { logger } from '../shared/logger';
import { describeError } from './aws-call-errors';
import { decodeContinuationToken, isPendingStart } from './continuation-token';
import { TriggerError } from './errors';
import { readStateMachineArn } from './execution-name';
import { followDeployment } from './follow-deployment';
import { readJob, type Job } from './job-event';
import { reportOutcome, type JobOutcome } from './job-result';
import { startDeployment } from './start-deployment';
import { outputArtifactOf, writeDecisionArtifact } from './output-artifact';

/**
 * The CodePipeline Lambda invoke action's function. The first invocation of a job starts the
 * deployment state machine; CodePipeline then re-invokes it with the continuation token until
 * it reports success or failure. Every invocation ends with exactly one job result; only a result
 * CodePipeline refuses (or an event without a job) makes the invocation itself fail.
 *
 * Logs carry the job id and the execution, never the event (it holds `artifactCredentials`) nor
 * the environment.
 */
export async function handler(event: CodePipelineEvent, context?: Context): Promise<void> {
  logger.resetKeys();
  if (context) logger.addContext(context);
  const job = readJob(event);
  logger.appendKeys({ jobId: job.id, continuing: job.continuationToken !== undefined });

  let outcome = await outcomeOf(job);
  if (outcome.executionArn) logger.appendKeys({ executionArn: outcome.executionArn });
  if (outcome.kind === 'succeed' && outcome.decision !== undefined) {
    const target = outputArtifactOf(event);
    const problem = target ? await writeDecisionArtifact(target, outcome.decision) : undefined;
    if (problem) {
      logger.warn('Decision record not written', { reason: problem });
      outcome = { ...outcome, summary: `${outcome.summary} ${problem}` };
    }
  }
  if (outcome.kind === 'fail') logger.warn('Failing the job', { failureType: outcome.type, reason: outcome.message });
  await reportOutcome(job.id, outcome);
}

async function outcomeOf(job: Job): Promise<JobOutcome> {
  try {
    const stateMachineArn = readStateMachineArn(process.env.STATE_MACHINE_ARN);
    if (job.continuationToken === undefined) return await startDeployment(job, stateMachineArn);
    // Checked before anything acts on it: a token not bound to this job's action starts and follows nothing.
    const token = decodeContinuationToken(job.continuationToken, stateMachineArn, job);
    if (isPendingStart(token)) return await startDeployment(job, stateMachineArn, { jobId: token.jobId, attempt: token.startAttempts + 1 });
    logger.appendKeys({ executionArn: token.executionArn });
    const { v: _version, ...following } = token;
    return await followDeployment(following);
  } catch (error) {
    if (error instanceof TriggerError) return { kind: 'fail', type: error.failureType, message: error.message };
    // A bug in the trigger: still answer the job, so the pipeline does not wait 20 minutes for nothing.
    logger.error('Unexpected error in the trigger', { error });
    return {
      kind: 'fail',
      type: 'JobFailed',
      message: `The pipeline trigger failed unexpectedly (${describeError(error)}). See the trigger Lambda's log for job ${job.id}, then retry the stage.`,
    };
  }
}
