import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { CodePipelineEvent } from 'aws-lambda';
import { zipSync, strToU8 } from 'fflate';

/**
 * The decision record, written to the action's output artifact (when the action declares one) so
 * that a later action can read it: a zip, as CodePipeline artifacts are, holding `decision.json`.
 *
 * CodePipeline lets the function write the artifact with the job's temporary `artifactCredentials`.
 * They are read here and nowhere else, go straight into this one client, and are never logged,
 * returned or passed on.
 */
export const DECISION_FILE = 'decision.json';

export interface OutputArtifactTarget {
  bucket: string;
  key: string;
  /** The pipeline's artifact store key, when the job names one: the record is encrypted with it, as the pipeline's other artifacts are. */
  kmsKeyId?: string;
  /** Never logged: the S3 client that writes the artifact is its only reader. */
  client: S3Client;
}

/** Where the job wants its first output artifact, with a client holding the job's credentials; undefined when it declares none. */
export function outputArtifactOf(event: CodePipelineEvent): OutputArtifactTarget | undefined {
  const data = (event as Partial<CodePipelineEvent>)?.['CodePipeline.job']?.data;
  const location = data?.outputArtifacts?.[0]?.location?.s3Location;
  const credentials = data?.artifactCredentials;
  if (!location?.bucketName || !location.objectKey || !credentials?.accessKeyId || !credentials.secretAccessKey) return undefined;
  const encryptionKey = data?.encryptionKey;
  return {
    bucket: location.bucketName,
    key: location.objectKey,
    ...(encryptionKey?.type === 'KMS' && encryptionKey.id ? { kmsKeyId: encryptionKey.id } : {}),
    client: new S3Client({
      credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
    }),
  };
}

/** Writes the record; a failure is returned as a sentence for the summary, never thrown (the deployment itself succeeded). */
export async function writeDecisionArtifact(target: OutputArtifactTarget, decision: unknown): Promise<string | undefined> {
  try {
    const body = zipSync({ [DECISION_FILE]: strToU8(JSON.stringify(decision, null, 2)) });
    // Without a key named by the job, S3 uses the account's aws/s3 key.
    await target.client.send(
      new PutObjectCommand({ Bucket: target.bucket, Key: target.key, Body: body, ServerSideEncryption: 'aws:kms', ...(target.kmsKeyId ? { SSEKMSKeyId: target.kmsKeyId } : {}) }),
    );
    return undefined;
  } catch (error) {
    return `The decision record could not be written to the output artifact s3://${target.bucket}/${target.key} (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}).`;
  }
}
