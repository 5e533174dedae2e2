import type { FailureType } from '@aws-sdk/client-codepipeline';
import { readableCause } from '../shared/failure-cause';

/** What the pipeline shows for an execution that ended without succeeding. */
export interface FailureReport {
  type: FailureType;
  message: string;
}

/** How a cause reads to a person: shared with the clean-up task, which amends causes in the same shape. */
export { readableCause };

/**
 * Which failure type the pipeline shows: a bad input document (or a task Lambda deployed without
 * a setting) is the user's configuration; a denied AWS call is a permission problem; anything
 * else is the deployment failing.
 */
export function failureTypeFor(error: string | undefined, message: string | undefined): FailureType {
  if (error === 'InvalidInputError' || error === 'ConfigurationError') return 'ConfigurationError';
  if (error === 'AwsCallError' && message !== undefined && /AccessDenied|not authorized to perform/i.test(message)) return 'PermissionError';
  return 'JobFailed';
}

const WHAT_HAPPENED: Readonly<Record<string, string>> = {
  FAILED: 'The deployment failed',
  TIMED_OUT: 'The deployment timed out: the state machine execution ran past its time limit',
  ABORTED: 'The deployment was stopped: someone or something stopped the state machine execution',
};

/** The failure report for a FAILED, TIMED_OUT or ABORTED execution (not yet trimmed to CodePipeline's limit). */
export function failureReport(status: string, error: string | undefined, cause: string | undefined, executionName: string): FailureReport {
  const detail = readableCause(cause);
  const headline = `${WHAT_HAPPENED[status] ?? `The deployment ended with status ${status}`} (execution ${executionName})`;
  const reason = [error, detail].filter((part) => part !== undefined && part !== '').join(': ');
  return {
    type: failureTypeFor(error, detail),
    message: reason ? `${headline}. ${reason}` : `${headline}.`,
  };
}
