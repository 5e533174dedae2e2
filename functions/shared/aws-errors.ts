import { AwsCallError, AwsTransientError, DeploymentError } from './errors';

/**
 * Reading the errors the AWS SDK v3 throws, for the task Lambdas and the trigger alike. By the
 * time one reaches us the SDK has already retried throttling and server faults itself.
 */

/** Codes that mean "try again later": throttling, service faults and the network. */
const TRANSIENT_ERROR_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'KmsThrottlingException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'NetworkingError',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

/** Codes of the "you may not" family, across CloudFormation, S3, Step Functions, KMS and STS. */
const ACCESS_DENIED_NAMES = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'KmsAccessDeniedException']);

interface SdkErrorLike {
  name?: unknown;
  /** Node's socket errors keep `name` "Error" and say what happened here (ECONNRESET, EPIPE, ETIMEDOUT). */
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function asSdkError(error: unknown): SdkErrorLike {
  return typeof error === 'object' && error !== null ? (error as SdkErrorLike) : { message: String(error) };
}

/** The error's code (`name`), e.g. `ValidationError`; `Error` when there is none. */
export function errorName(error: unknown): string {
  const { name } = asSdkError(error);
  return typeof name === 'string' && name ? name : 'Error';
}

export function errorMessage(error: unknown): string {
  const { message } = asSdkError(error);
  return typeof message === 'string' && message ? message : String(error);
}

export function isAccessDenied(error: unknown): boolean {
  return ACCESS_DENIED_NAMES.has(errorName(error)) || asSdkError(error).$metadata?.httpStatusCode === 403 || /not authorized to perform/i.test(errorMessage(error));
}

/**
 * The one answer CloudFormation gives for a stack that is not there. Only this means "absent":
 * throttling, access denied or any other ValidationError must never be read as "does not exist".
 */
export function isStackMissing(error: unknown): boolean {
  return errorName(error) === 'ValidationError' && /^Stack with id .+ does not exist$/.test(errorMessage(error));
}

export function isTransient(error: unknown): boolean {
  const { code, $fault, $retryable, $metadata } = asSdkError(error);
  const status = typeof $metadata?.httpStatusCode === 'number' ? $metadata.httpStatusCode : 0;
  return (
    TRANSIENT_ERROR_NAMES.has(errorName(error)) ||
    (typeof code === 'string' && TRANSIENT_ERROR_NAMES.has(code)) ||
    $fault === 'server' ||
    ($retryable !== undefined && $retryable !== null) ||
    status >= 500 ||
    status === 429
  );
}

/** Turns an SDK error into the error the ASL acts on: retried when transient, reported as it is otherwise. */
export function toDeploymentError(error: unknown, call: string): DeploymentError {
  if (error instanceof DeploymentError) return error;
  const name = errorName(error);
  const message = errorMessage(error);
  if (isTransient(error)) {
    return new AwsTransientError(`${call} failed with ${name}: ${message} (transient; the state retries it with backoff)`, { cause: error });
  }
  const hint = isAccessDenied(error)
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
