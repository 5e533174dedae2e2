import { createHash } from 'crypto';
import { MAX_CHANGE_SET_NAME_LENGTH, MAX_CLIENT_REQUEST_TOKEN_LENGTH } from './limits';
import type { Deployment } from './state';

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

/**
 * The new generation's suffix (onUnsafe new-stack): 8 hex digits of a digest of the stack it goes
 * beside and of what is deployed. A retried job (same revision, same live stack) gets the same
 * name and reuses that stack; another revision, or the same one beside another live stack, gets
 * another.
 */
export function generationSuffix(previousStackId: string, deployment: Pick<Deployment, 'template' | 'parameters' | 'tags' | 'capabilities'>): string {
  const what = JSON.stringify([previousStackId, deployment.template.sha256, deployment.template.configurationSha256 ?? '', deployment.parameters, deployment.tags, deployment.capabilities]);
  return createHash('sha256').update(what).digest('hex').slice(0, 8);
}
