import { PutJobFailureResultCommand, PutJobSuccessResultCommand, type FailureType } from '@aws-sdk/client-codepipeline';
import { logger } from '../shared/logger';
import { codePipeline } from './clients';
import { describeError, errorName, isTransient } from './aws-call-errors';
import { JobResultNotRecordedError } from './errors';
import {
  MAX_EXECUTION_SUMMARY_LENGTH,
  MAX_EXTERNAL_EXECUTION_ID_LENGTH,
  MAX_FAILURE_MESSAGE_LENGTH,
  MAX_PERCENT_COMPLETE,
  MAX_RESULT_ATTEMPTS,
  MAX_RESULT_RETRY_DELAY_MS,
  MIN_PERCENT_COMPLETE,
  RESULT_RETRY_BASE_DELAY_MS,
} from './limits';
import { sleep } from './sleep';

/** What the trigger tells CodePipeline at the end of an invocation. */
export type JobOutcome =
  | { kind: 'continue'; continuationToken: string; summary: string; executionArn?: string; percentComplete?: number }
  | { kind: 'succeed'; summary: string; executionArn: string; outputVariables: Record<string, string>; decision?: unknown }
  | { kind: 'fail'; type: FailureType; message: string; executionArn?: string };

const TRUNCATION_MARK = ' … (truncated)';

/** Cuts text to a limit, saying so, so a long cause never becomes a ValidationException. */
export function trimTo(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit - TRUNCATION_MARK.length)}${TRUNCATION_MARK}`;
}

function externalId(executionArn: string | undefined): string | undefined {
  return executionArn !== undefined && executionArn.length <= MAX_EXTERNAL_EXECUTION_ID_LENGTH ? executionArn : undefined;
}

function clampPercent(percent: number): number {
  return Math.round(Math.min(MAX_PERCENT_COMPLETE, Math.max(MIN_PERCENT_COMPLETE, percent)));
}

/**
 * Sends the outcome to CodePipeline. Throttling and service faults are retried here, with
 * backoff, a bounded number of times. `InvalidJobStateException` means the job already has its
 * final result (a duplicate invocation answered first, or an earlier attempt of this call was
 * recorded although its answer was lost): nothing is left to report, so it is not an error. Any
 * other refusal, or the last transient one, is logged with the job id and thrown as
 * JobResultNotRecordedError: the invocation fails visibly and Lambda retries it.
 */
export async function reportOutcome(jobId: string, outcome: JobOutcome): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await sendOutcome(jobId, outcome);
      logger.info('Job result recorded', { jobId, outcome: outcome.kind, attempts: attempt });
      return;
    } catch (error) {
      if (errorName(error) === JOB_ALREADY_FINAL) {
        logger.warn('The job already has its final result; this invocation reports nothing more', { jobId, outcome: outcome.kind, reason: describeError(error) });
        return;
      }
      if (!isTransient(error) || attempt >= MAX_RESULT_ATTEMPTS) {
        logger.error('CodePipeline did not accept the job result', { jobId, outcome: outcome.kind, attempts: attempt, reason: describeError(error) });
        throw new JobResultNotRecordedError(`Could not record the ${outcome.kind} result of job ${jobId} in CodePipeline after ${attempt} attempt(s): ${describeError(error)}`, { cause: error });
      }
      logger.warn('CodePipeline refused the job result for now; trying again', { jobId, outcome: outcome.kind, attempt, reason: describeError(error) });
      await sleep(retryDelay(attempt));
    }
  }
}

/** CodePipeline's answer for a job that is no longer in progress. */
const JOB_ALREADY_FINAL = 'InvalidJobStateException';

/** Exponential backoff with full jitter, so duplicate invocations do not retry in step. */
function retryDelay(attempt: number): number {
  const ceiling = Math.min(MAX_RESULT_RETRY_DELAY_MS, RESULT_RETRY_BASE_DELAY_MS * 2 ** (attempt - 1));
  return Math.floor(Math.random() * ceiling);
}

async function sendOutcome(jobId: string, outcome: JobOutcome): Promise<void> {
  switch (outcome.kind) {
    case 'continue':
      await codePipeline.send(
        new PutJobSuccessResultCommand({
          jobId,
          continuationToken: outcome.continuationToken,
          executionDetails: {
            summary: trimTo(outcome.summary, MAX_EXECUTION_SUMMARY_LENGTH),
            externalExecutionId: externalId(outcome.executionArn),
            percentComplete: outcome.percentComplete === undefined ? undefined : clampPercent(outcome.percentComplete),
          },
        }),
      );
      return;
    case 'succeed':
      await codePipeline.send(
        new PutJobSuccessResultCommand({
          jobId,
          executionDetails: {
            summary: trimTo(outcome.summary, MAX_EXECUTION_SUMMARY_LENGTH),
            externalExecutionId: externalId(outcome.executionArn),
            percentComplete: MAX_PERCENT_COMPLETE,
          },
          // Only allowed on the final result, which this is: no continuation token.
          outputVariables: Object.keys(outcome.outputVariables).length ? outcome.outputVariables : undefined,
        }),
      );
      return;
    case 'fail':
      await codePipeline.send(
        new PutJobFailureResultCommand({
          jobId,
          failureDetails: {
            type: outcome.type,
            message: trimTo(outcome.message || 'The deployment failed.', MAX_FAILURE_MESSAGE_LENGTH),
            externalExecutionId: externalId(outcome.executionArn),
          },
        }),
      );
      return;
  }
}
