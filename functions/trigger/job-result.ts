import { PutJobFailureResultCommand, PutJobSuccessResultCommand, type FailureType } from '@aws-sdk/client-codepipeline';
import { logger } from '../shared/logger';
import { codePipeline } from './clients';
import { describeError } from './aws-call-errors';
import { JobResultNotRecordedError } from './errors';
import type { DecisionDocument } from './decision-artifact';
import {
  MAX_EXECUTION_SUMMARY_LENGTH,
  MAX_EXTERNAL_EXECUTION_ID_LENGTH,
  MAX_FAILURE_MESSAGE_LENGTH,
  MAX_PERCENT_COMPLETE,
  MIN_PERCENT_COMPLETE,
} from './limits';

/** What the trigger tells CodePipeline at the end of an invocation. */
export type JobOutcome =
  | { kind: 'continue'; continuationToken: string; summary: string; executionArn?: string; percentComplete?: number }
  | {
      kind: 'succeed';
      summary: string;
      executionArn: string;
      outputVariables: Record<string, string>;
      /** What the action's output artifact receives, if it declares one (see decision-artifact.ts). */
      decisionDocument?: DecisionDocument;
      /** The token to continue with if the artifact cannot be written yet. */
      resumeToken?: string;
    }
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
 * Sends the outcome to CodePipeline. A result CodePipeline does not accept is thrown as
 * JobResultNotRecordedError: the invocation fails visibly and Lambda retries it.
 */
export async function reportOutcome(jobId: string, outcome: JobOutcome): Promise<void> {
  try {
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
        break;
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
        break;
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
        break;
    }
  } catch (error) {
    logger.error('CodePipeline did not accept the job result', { outcome: outcome.kind, error });
    throw new JobResultNotRecordedError(`Could not record the ${outcome.kind} result of job ${jobId} in CodePipeline: ${describeError(error)}`, { cause: error });
  }
  logger.info('Job result recorded', { outcome: outcome.kind });
}
