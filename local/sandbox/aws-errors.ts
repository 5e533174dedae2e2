/**
 * AWS errors as the SDK v3 throws them: an instance of the client's `ServiceException` subclass
 * (the modeled class when the service models the error, the service's base exception otherwise),
 * with the real `name`, `message`, `$fault` and `$metadata.httpStatusCode`. Code under test that
 * classifies errors by name, by `instanceof` or by status sees exactly what it would see in AWS.
 */
export type Fault = 'client' | 'server';

/** The `$metadata` every SDK v3 response and error carries. */
export interface ResponseMetadata {
  httpStatusCode: number;
  requestId: string;
  attempts: number;
  totalRetryDelay: number;
}

export interface AwsErrorSpec {
  /** The error code as the SDK reports it in `name`: `ValidationError`, `Throttling`, `NoSuchKey`. */
  name: string;
  message: string;
  httpStatusCode: number;
  /** `client` for 4xx, `server` for 5xx unless given. */
  fault?: Fault;
  /** Extra members the real error carries (`Code`, `Type`, `Key`, `BucketName`). */
  members?: Record<string, unknown>;
}

interface ExceptionOptions {
  name: string;
  $fault: Fault;
  $metadata: ResponseMetadata;
  message: string;
}

/** A `ServiceException` class of an SDK client: the modeled ones take the same options as the base. */
export type ExceptionClass = new (options: ExceptionOptions) => Error;

export function responseMetadata(httpStatusCode: number, requestId: string): ResponseMetadata {
  return { httpStatusCode, requestId, attempts: 1, totalRetryDelay: 0 };
}

export function buildAwsError(exceptionClass: ExceptionClass, spec: AwsErrorSpec, requestId: string): Error {
  const fault: Fault = spec.fault ?? (spec.httpStatusCode >= 500 ? 'server' : 'client');
  const error = new exceptionClass({
    name: spec.name,
    $fault: fault,
    $metadata: responseMetadata(spec.httpStatusCode, requestId),
    message: spec.message,
  });
  // Modeled classes fix `name` and `$fault` in their field initialisers; set both so that an
  // unmodeled code built on the base class reads the same way.
  Object.assign(error, { name: spec.name, $fault: fault, message: spec.message }, spec.members ?? {});
  return error;
}

/** An AWS error a sandbox service answers with; the dispatcher builds the SDK error from it. */
export interface AwsFailure {
  exceptionClass: ExceptionClass;
  spec: AwsErrorSpec;
}

/**
 * How a sandbox service rejects a call: it throws this, and the dispatcher turns it into the SDK's
 * exception (with a request id and the call recorded as failed). Anything else a service throws is
 * a bug in the sandbox and reaches the test as it is.
 */
export class AwsFailureSignal extends Error {
  override readonly name = 'AwsFailureSignal' as const;

  constructor(readonly failure: AwsFailure) {
    super(failure.spec.message);
  }
}

/**
 * An error of a JSON-protocol service (Step Functions, CodePipeline): HTTP 400, the name and the
 * message. The modeled classes take the base class's options; the cast forgets their narrower types.
 */
export function jsonProtocolError(exceptionClass: unknown, name: string, message: string): AwsFailure {
  return { exceptionClass: exceptionClass as ExceptionClass, spec: { name, message, httpStatusCode: 400 } };
}

export function raise(failure: AwsFailure): never {
  throw new AwsFailureSignal(failure);
}
