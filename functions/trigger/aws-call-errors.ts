/**
 * Reading the errors the AWS SDK v3 throws. The SDK has already retried throttling and server
 * faults (3 attempts with backoff) by the time one of these reaches the trigger.
 */

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** Error codes of the "you may not" family, across S3, Step Functions and STS. */
const ACCESS_DENIED_NAMES = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'KmsAccessDeniedException']);

/** Codes that mean "try again later": throttling, service faults and the network. */
const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  'KmsThrottlingException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
]);

function shape(error: unknown): SdkErrorShape {
  return error !== null && typeof error === 'object' ? (error as SdkErrorShape) : {};
}

/** The error's code (`name`), e.g. `ExecutionDoesNotExist`; `Error` when there is none. */
export function errorName(error: unknown): string {
  const name = shape(error).name;
  return typeof name === 'string' && name ? name : 'Error';
}

export function errorMessage(error: unknown): string {
  const message = shape(error).message;
  return typeof message === 'string' && message ? message : String(error);
}

/** `Code: message`, the way the CLI prints an AWS error. */
export function describeError(error: unknown): string {
  return `${errorName(error)}: ${errorMessage(error)}`;
}

export function isAccessDenied(error: unknown): boolean {
  const { $metadata } = shape(error);
  return (
    ACCESS_DENIED_NAMES.has(errorName(error)) ||
    $metadata?.httpStatusCode === 403 ||
    /not authorized to perform/i.test(errorMessage(error))
  );
}

export function isTransient(error: unknown): boolean {
  const { $fault, $retryable } = shape(error);
  return TRANSIENT_NAMES.has(errorName(error)) || $fault === 'server' || ($retryable !== undefined && $retryable !== null);
}
