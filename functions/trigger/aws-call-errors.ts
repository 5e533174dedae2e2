/**
 * The trigger reads AWS errors with the same rules as the task Lambdas (functions/shared/aws-errors.ts);
 * here only what the trigger adds.
 */
import { errorMessage, errorName } from '../shared/aws-errors';

export { errorMessage, errorName, isAccessDenied, isTransient } from '../shared/aws-errors';

/** `Code: message`, the way the CLI prints an AWS error. */
export function describeError(error: unknown): string {
  return `${errorName(error)}: ${errorMessage(error)}`;
}
