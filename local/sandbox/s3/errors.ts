import { NoSuchBucket, NoSuchKey, NotFound, S3ServiceException } from '@aws-sdk/client-s3';
import type { AwsFailure, ExceptionClass } from '../aws-errors';

/** S3's errors as the SDK throws them (rest-xml: `Code` besides `name`, 404s for missing things). */
function s3Error(exceptionClass: unknown, name: string, message: string, httpStatusCode: number, members: Record<string, unknown> = {}): AwsFailure {
  // The modeled classes take the base class's options; the cast forgets their narrower option types.
  return { exceptionClass: exceptionClass as ExceptionClass, spec: { name, message, httpStatusCode, members: { Code: name, ...members } } };
}

export function noSuchBucket(bucket: string): AwsFailure {
  return s3Error(NoSuchBucket, 'NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket });
}

export function noSuchKey(key: string): AwsFailure {
  return s3Error(NoSuchKey, 'NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
}

/** An unknown version id: S3 answers 404 NoSuchVersion (not modeled by the SDK). */
export function noSuchVersion(key: string, versionId: string): AwsFailure {
  return s3Error(S3ServiceException, 'NoSuchVersion', 'The specified version does not exist.', 404, { Key: key, VersionId: versionId });
}

/** HEAD responses have no body, so the SDK can only say NotFound, with no message from S3. */
export function headNotFound(): AwsFailure {
  return s3Error(NotFound, 'NotFound', 'UnknownError', 404);
}

export function invalidBucketName(bucket: string): AwsFailure {
  return s3Error(S3ServiceException, 'InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: bucket });
}
