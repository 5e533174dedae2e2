import { AwsCallError, AwsTransientError, DeploymentError } from './errors';

/** Error names AWS services use for throttling and for faults worth trying again. */
const TRANSIENT_ERROR_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

const ACCESS_DENIED_NAMES = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

interface SdkErrorLike {
  name?: string;
  /** Node's socket errors keep `name` "Error" and say what happened here (ECONNRESET, EPIPE, ETIMEDOUT). */
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

function asSdkError(error: unknown): SdkErrorLike {
  return typeof error === 'object' && error !== null ? (error as SdkErrorLike) : { message: String(error) };
}

export function errorName(error: unknown): string {
  return asSdkError(error).name ?? 'Error';
}

export function errorMessage(error: unknown): string {
  return asSdkError(error).message ?? String(error);
}

/**
 * The one answer CloudFormation gives for a stack that is not there. Only this means "absent":
 * throttling, access denied or any other ValidationError must never be read as "does not exist".
 */
export function isStackMissing(error: unknown): boolean {
  const { name, message } = asSdkError(error);
  return name === 'ValidationError' && /^Stack with id .+ does not exist$/.test(message ?? '');
}

export function isTransient(error: unknown): boolean {
  const { name, code, $fault, $metadata } = asSdkError(error);
  const status = $metadata?.httpStatusCode ?? 0;
  return TRANSIENT_ERROR_NAMES.has(name ?? '') || TRANSIENT_ERROR_NAMES.has(code ?? '') || $fault === 'server' || status >= 500 || status === 429;
}

/** Turns an SDK error into the error the ASL acts on: retried when transient, reported as it is otherwise. */
export function toDeploymentError(error: unknown, call: string): DeploymentError {
  if (error instanceof DeploymentError) return error;
  const name = errorName(error);
  const message = errorMessage(error);
  if (isTransient(error)) {
    return new AwsTransientError(`${call} failed with ${name}: ${message} (transient; the state retries it with backoff)`, { cause: error });
  }
  const hint = ACCESS_DENIED_NAMES.has(name)
    ? ' The Lambda function\'s role (or the CloudFormation service role) lacks this permission: AccessDenied.'
    : '';
  return new AwsCallError(`${call} failed with ${name}: ${message}.${hint}`, { cause: error });
}

/** Runs one AWS call and classifies whatever it throws. */
export async function awsCall<T>(call: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toDeploymentError(error, call);
  }
}
