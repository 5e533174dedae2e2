import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { CodePipelineEvent } from 'aws-lambda';
import { strToU8, zipSync } from 'fflate';
import { logger } from '../shared/logger';
import { describeError, isAccessDenied, isTransient } from './aws-call-errors';
import type { JobOutcome } from './job-result';

/**
 * When the pipeline action declares an output artifact, the deployment's decision record goes
 * there, so a later action (a CodeBuild report, an approval, an audit step) can read it.
 *
 * CodePipeline artifacts are zip archives (a later CodeBuild or CloudFormation action unpacks
 * them), so the artifact is a zip holding one file, `decision.json`. It is written with the job's
 * own temporary `artifactCredentials`, as CodePipeline intends for an action's artifacts: the
 * trigger's role needs no access to the artifact bucket, and the credentials are used for this one
 * client, never logged and never returned.
 */
export const DECISION_FILE_NAME = 'decision.json';

/** What `decision.json` holds. */
export interface DecisionDocument {
  executionArn: string;
  stackName?: string;
  /** `CREATED`, `UPDATED` or `NO_CHANGES`. */
  outcome?: string;
  changeSetName?: string;
  /** The safety policy's decision record (the execution output's `inspection.decision`); null when no change set was inspected. */
  decision: unknown;
}

export interface OutputArtifact {
  name: string;
  bucketName: string;
  objectKey: string;
  /** The pipeline's artifact store key, when it has one: objects are written encrypted with it. */
  kmsKeyId?: string;
}

type JobData = Partial<CodePipelineEvent['CodePipeline.job']['data']>;

function jobData(event: CodePipelineEvent): JobData {
  return ((event as Partial<CodePipelineEvent> | undefined)?.['CodePipeline.job']?.data ?? {}) as JobData;
}

/** The action's first S3 output artifact; undefined when it declares none. */
export function outputArtifactOf(event: CodePipelineEvent): OutputArtifact | undefined {
  const data = jobData(event);
  const artifact = (Array.isArray(data.outputArtifacts) ? data.outputArtifacts : [])[0];
  const location = artifact?.location?.s3Location;
  if (!artifact || !location?.bucketName || !location.objectKey) return undefined;
  const key = data.encryptionKey;
  return {
    name: String(artifact.name ?? ''),
    bucketName: location.bucketName,
    objectKey: location.objectKey,
    ...(key?.type === 'KMS' && key.id ? { kmsKeyId: key.id } : {}),
  };
}

/** The zip CodePipeline hands to the next action: `decision.json`, pretty-printed for people reading it. */
export function decisionArtifactBytes(document: DecisionDocument): Uint8Array {
  return zipSync({ [DECISION_FILE_NAME]: strToU8(`${JSON.stringify(document, null, 2)}\n`) });
}

/** An S3 client signed with the job's artifact credentials; undefined when the event carries none. */
function artifactClient(event: CodePipelineEvent): S3Client | undefined {
  const credentials = jobData(event).artifactCredentials;
  if (!credentials?.accessKeyId || !credentials.secretAccessKey) return undefined;
  return new S3Client({
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
  });
}

/**
 * Writes the decision record to the action's output artifact, if it declares one, and returns the
 * outcome to report. The deployment has already succeeded, so every answer says so: a write that
 * may succeed on the next try keeps the job going (CodePipeline invokes the trigger again); one
 * that cannot fails the job, saying the stack was deployed and what to fix.
 */
export async function withDecisionArtifact(
  event: CodePipelineEvent,
  outcome: Extract<JobOutcome, { kind: 'succeed' }>,
): Promise<JobOutcome> {
  const target = outputArtifactOf(event);
  if (!target || !outcome.decisionDocument) return outcome;
  const deployed = `The deployment succeeded (${outcome.summary})`;
  const client = artifactClient(event);
  if (!client) {
    return {
      kind: 'fail',
      type: 'JobFailed',
      executionArn: outcome.executionArn,
      message: `${deployed}, but the job carries no artifact credentials, so the decision record could not be written to the output artifact ${target.name}.`,
    };
  }
  try {
    await client.send(
      new PutObjectCommand({
        Bucket: target.bucketName,
        Key: target.objectKey,
        Body: decisionArtifactBytes(outcome.decisionDocument),
        ContentType: 'application/zip',
        ...(target.kmsKeyId ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: target.kmsKeyId } : {}),
      }),
    );
  } catch (error) {
    if (isTransient(error) && outcome.resumeToken) {
      logger.warn('Could not write the decision record yet; trying again on the next invocation', { reason: describeError(error) });
      return {
        kind: 'continue',
        continuationToken: outcome.resumeToken,
        executionArn: outcome.executionArn,
        summary: `${deployed}; writing the decision record to the output artifact failed (${describeError(error)}), trying again.`,
      };
    }
    return {
      kind: 'fail',
      type: isAccessDenied(error) ? 'PermissionError' : 'JobFailed',
      executionArn: outcome.executionArn,
      message: `${deployed}, but the decision record could not be written to the output artifact ${target.name} (s3://${target.bucketName}/${target.objectKey}): ${describeError(error)}. Retry the stage: the deployment finds nothing left to change and writes the record again.`,
    };
  } finally {
    client.destroy();
  }
  logger.info('Decision record written to the output artifact', { artifact: target.name });
  return outcome;
}
