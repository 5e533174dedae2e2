import type { CodePipelineEvent } from 'aws-lambda';
import { SANDBOX_ACCOUNT } from '../constants';

/** One input artifact of the action: a zip in the pipeline's artifact bucket. */
export interface JobArtifact {
  name: string;
  bucket: string;
  key: string;
  revision?: string;
}

export interface JobEventOptions {
  jobId: string;
  /** The action's UserParameters; leave out for an action that has none. */
  userParameters?: string;
  inputArtifacts: JobArtifact[];
  continuationToken?: string;
  functionName?: string;
  /** The action's declared output artifacts, where the function may write. */
  outputArtifacts?: Array<{ name: string; bucket: string; key: string }>;
}

/**
 * Temporary credentials as CodePipeline hands them to the function, with AWS's documented example
 * values: they must never show up in a log line.
 */
export const EXAMPLE_ARTIFACT_CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN',
} as const;

const CREDENTIALS_LIFETIME_MS = 3_600_000;

/**
 * The Lambda invoke action's event, in the shape of the example in the Lambda and CodePipeline
 * documentation (test/fixtures/sandbox/cp-job-*.json).
 */
export function buildJobEvent(options: JobEventOptions, now: Date): CodePipelineEvent {
  const data = {
    actionConfiguration: {
      configuration: {
        FunctionName: options.functionName ?? 'deploy-trigger',
        ...(options.userParameters === undefined ? {} : { UserParameters: options.userParameters }),
      },
    },
    inputArtifacts: options.inputArtifacts.map((artifact) => ({
      name: artifact.name,
      revision: artifact.revision ?? null,
      location: { type: 'S3', s3Location: { bucketName: artifact.bucket, objectKey: artifact.key } },
    })),
    outputArtifacts: (options.outputArtifacts ?? []).map((artifact) => ({
      name: artifact.name,
      location: { type: 'S3', s3Location: { bucketName: artifact.bucket, objectKey: artifact.key } },
    })),
    artifactCredentials: { ...EXAMPLE_ARTIFACT_CREDENTIALS, expirationTime: now.getTime() + CREDENTIALS_LIFETIME_MS },
    ...(options.continuationToken === undefined ? {} : { continuationToken: options.continuationToken }),
  };
  // The aws-lambda types mark some fields the real event leaves null (revision) as strings.
  return { 'CodePipeline.job': { id: options.jobId, accountId: SANDBOX_ACCOUNT, data } } as unknown as CodePipelineEvent;
}
