import { MAX_CHANGE_SET_NAME_LENGTH, MAX_CLIENT_REQUEST_TOKEN_LENGTH } from './limits';

/**
 * Names derived from the Step Functions execution name, so that a retried task (after a timeout
 * or a throttled answer that hid a success) repeats the same request instead of making a second one.
 */
const OPERATION_SUFFIXES = ['create', 'delete', 'execute'] as const;
export type StackOperation = (typeof OPERATION_SUFFIXES)[number];

function alphabetSafe(executionName: string): string {
  // Change set names and tokens take letters, digits and hyphens; execution names may also hold `_`.
  return executionName.replace(/[^A-Za-z0-9-]/g, '-');
}

/** Every change set this deployer makes starts with it: with its description, it marks a lock record. */
export const CHANGE_SET_NAME_PREFIX = 'deploy-';

export function changeSetNameFor(executionName: string): string {
  return `${CHANGE_SET_NAME_PREFIX}${alphabetSafe(executionName)}`.slice(0, MAX_CHANGE_SET_NAME_LENGTH);
}

export function clientRequestTokenFor(executionName: string): string {
  const longestSuffix = Math.max(...OPERATION_SUFFIXES.map((suffix) => suffix.length + 1));
  return `deploy-${alphabetSafe(executionName)}`.slice(0, MAX_CLIENT_REQUEST_TOKEN_LENGTH - longestSuffix);
}

/** One token per kind of stack operation: CloudFormation takes a token reused across operations as a duplicate. */
export function operationToken(clientRequestToken: string, operation: StackOperation): string {
  return `${clientRequestToken}-${operation}`;
}
