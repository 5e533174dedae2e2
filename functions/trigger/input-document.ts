import { GetObjectCommand } from '@aws-sdk/client-s3';
import { parseDeploymentInput, type DeploymentInput } from '../shared/input';
import { InvalidInputError } from '../shared/errors';
import { s3 } from './clients';
import { describeError, errorName, isAccessDenied, isTransient } from './aws-call-errors';
import { PipelineConfigurationError, TriggerAwsCallError, TriggerPermissionError, TriggerTransientError } from './errors';
import type { JobArtifact } from './job-event';
import { MAX_EXECUTION_INPUT_BYTES } from './limits';
import type { UserParameters } from './user-parameters';

/** The input document as read from S3: any JSON object, not yet validated. */
export type RawInputDocument = Record<string, unknown>;

const UTF8_BYTE_ORDER_MARK = '\uFEFF';
const MISSING_OBJECT_NAMES = new Set(['NoSuchKey', 'NoSuchBucket', 'NotFound']);

/** Reads and parses the input document named by `UserParameters`. */
export async function readInputDocument({ s3Bucket, stateMachineFile }: UserParameters): Promise<RawInputDocument> {
  const where = `s3://${s3Bucket}/${stateMachineFile}`;
  let text: string;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: s3Bucket, Key: stateMachineFile }));
    if (object.ContentLength !== undefined && object.ContentLength > MAX_EXECUTION_INPUT_BYTES) {
      throw tooLarge(where, object.ContentLength);
    }
    text = (await object.Body?.transformToString('utf-8')) ?? '';
  } catch (error) {
    if (error instanceof PipelineConfigurationError) throw error;
    if (MISSING_OBJECT_NAMES.has(errorName(error))) {
      throw new PipelineConfigurationError(
        `The input document ${where} does not exist (${errorName(error)}). Upload it, or correct s3Bucket/stateMachineFile in the action's UserParameters.`,
        { cause: error },
      );
    }
    if (isAccessDenied(error)) {
      throw new TriggerPermissionError(
        `The trigger may not read the input document ${where} (${describeError(error)}). Grant its role s3:GetObject on that object (and kms:Decrypt if the bucket is encrypted with a customer managed key).`,
        { cause: error },
      );
    }
    if (isTransient(error)) throw new TriggerTransientError(`Could not read the input document ${where} (${describeError(error)})`, { cause: error });
    throw new TriggerAwsCallError(`Could not read the input document ${where}: ${describeError(error)}. Retry the stage.`, { cause: error });
  }

  // Editors on Windows save UTF-8 with a byte-order mark; JSON.parse refuses it, but it is not part of the document.
  if (text.startsWith(UTF8_BYTE_ORDER_MARK)) text = text.slice(UTF8_BYTE_ORDER_MARK.length);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_EXECUTION_INPUT_BYTES) throw tooLarge(where, bytes);
  if (text.trim() === '') throw new PipelineConfigurationError(`The input document ${where} is empty. It must be a JSON object; see the README for its fields.`);

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PipelineConfigurationError(`The input document ${where} is not valid JSON: ${(error as Error).message}.`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new PipelineConfigurationError(`The input document ${where} must be a JSON object with environmentName, stackName and templatePath; see the README for its fields.`);
  }
  return parsed as RawInputDocument;
}

function tooLarge(where: string, bytes: number): PipelineConfigurationError {
  return new PipelineConfigurationError(
    `The input document ${where} is ${bytes} bytes; a Step Functions execution input may be at most ${MAX_EXECUTION_INPUT_BYTES} bytes. Keep the document to the deployment's settings (parameters belong in the template configuration file inside the artifact).`,
  );
}

/**
 * Fills `revisionS3Bucket`/`revisionS3Key` from the job's input artifact when the document gives
 * neither: the artifact named by `sourceArtifactName`, else the first one. When the document gives
 * one of the two, it is left alone and validation names the other as missing: mixing a bucket from
 * one place with a key from another would deploy the wrong zip.
 */
export function fillRevisionFromArtifact(document: RawInputDocument, artifacts: JobArtifact[]): RawInputDocument {
  if (document.revisionS3Bucket !== undefined || document.revisionS3Key !== undefined) return document;

  const wanted = document.sourceArtifactName;
  const names = artifacts.map((artifact) => artifact.name).join(', ');
  let artifact: JobArtifact | undefined;
  if (typeof wanted === 'string' && wanted !== '') {
    artifact = artifacts.find((candidate) => candidate.name === wanted);
    if (!artifact) {
      throw new PipelineConfigurationError(
        `sourceArtifactName "${wanted}" is not an input artifact of this action (its input artifacts: ${names || 'none'}). Add it to the action's input artifacts or correct sourceArtifactName.`,
      );
    }
  } else {
    artifact = artifacts[0];
    if (!artifact) {
      throw new PipelineConfigurationError(
        'The action has no input artifact, and the input document gives no revisionS3Bucket/revisionS3Key. Give the Deploy action the source artifact as its input.',
      );
    }
  }

  const { type, bucketName, objectKey } = artifact.location ?? {};
  if (type !== 'S3' || !bucketName || !objectKey) {
    throw new PipelineConfigurationError(`Input artifact "${artifact.name}" is not stored in S3 (location type ${type ?? 'missing'}); the deployment reads its template from an S3 artifact.`);
  }
  return { ...document, revisionS3Bucket: bucketName, revisionS3Key: objectKey };
}

/**
 * Validates the filled document with the state machine's own schema, so a bad field fails the
 * job at once, naming the field, and no execution is started. Returns the execution input: the
 * filled document as JSON, byte-for-byte the same on a repeated invocation (StartExecution is
 * idempotent only for the same name and the same input).
 */
export function toExecutionInput(document: RawInputDocument, where: UserParameters): { input: string; deployment: DeploymentInput } {
  let deployment: DeploymentInput;
  try {
    deployment = parseDeploymentInput(document);
  } catch (error) {
    if (error instanceof InvalidInputError) {
      throw new PipelineConfigurationError(`${error.message} (input document s3://${where.s3Bucket}/${where.stateMachineFile})`, { cause: error });
    }
    throw error;
  }
  const input = JSON.stringify(document);
  const bytes = Buffer.byteLength(input, 'utf8');
  if (bytes > MAX_EXECUTION_INPUT_BYTES) {
    throw new PipelineConfigurationError(`The execution input is ${bytes} bytes; Step Functions accepts at most ${MAX_EXECUTION_INPUT_BYTES}. Shorten the input document.`);
  }
  return { input, deployment };
}
