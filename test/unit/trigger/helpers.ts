import * as fs from 'fs';
import * as path from 'path';
import type { CodePipelineEvent } from 'aws-lambda';
import type { GetObjectCommandOutput } from '@aws-sdk/client-s3';
import type { DescribeExecutionCommandOutput, HistoryEvent } from '@aws-sdk/client-sfn';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

export function readFixture<T = unknown>(folder: 'codepipeline' | 'sfn', file: string): T {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, folder, file), 'utf8')) as T;
}

export const REGION = 'us-west-2';
export const ACCOUNT = '123456789012';
export const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:DeployStateMachine`;
export const executionArnOf = (name: string): string => `arn:aws:states:${REGION}:${ACCOUNT}:execution:DeployStateMachine:${name}`;

/** The Lambda Developer Guide's example CodePipeline event: real-shaped ids, artifacts and credentials. */
export const DEVGUIDE_EVENT = 'cp-job-awsdocs-lambda-devguide-example.json';
export const DEVGUIDE_JOB_ID = 'c0d76431-b0e7-xmpl-97e3-e8ee786eb6f6';
export const DEVGUIDE_ARTIFACT = { bucket: 'us-west-2-123456789012-my-pipeline', key: 'my-pipeline/test-api-2/TdOSFRV' };
export const USER_PARAMETERS = { s3Bucket: 'deploy-config-123456789012', stateMachineFile: 'prod/my-app.json' };

type JobData = CodePipelineEvent['CodePipeline.job']['data'];

export interface JobEventOptions {
  fixture?: string;
  jobId?: string;
  /** A string is sent as it is; an object is JSON-encoded; null removes the key. */
  userParameters?: string | Record<string, unknown> | null;
  /** null removes the token the published example carries. */
  continuationToken?: string | null;
  inputArtifacts?: JobData['inputArtifacts'];
}

/** A job event built from a published example, with the parts a test is about replaced. */
export function jobEvent(options: JobEventOptions = {}): CodePipelineEvent {
  const event = readFixture<CodePipelineEvent>('codepipeline', options.fixture ?? DEVGUIDE_EVENT);
  const job = event['CodePipeline.job'];
  if (options.jobId !== undefined) job.id = options.jobId;
  const configuration = job.data.actionConfiguration.configuration as Record<string, unknown>;
  if (options.userParameters === null) delete configuration.UserParameters;
  else if (typeof options.userParameters === 'string') configuration.UserParameters = options.userParameters;
  else configuration.UserParameters = JSON.stringify(options.userParameters ?? USER_PARAMETERS);
  if (options.continuationToken === null) delete job.data.continuationToken;
  else if (options.continuationToken !== undefined) job.data.continuationToken = options.continuationToken;
  if (options.inputArtifacts !== undefined) job.data.inputArtifacts = options.inputArtifacts;
  return event;
}

export function s3Artifact(name: string, bucket: string, key: string): JobData['inputArtifacts'][number] {
  return { name, revision: null, location: { type: 'S3', s3Location: { bucketName: bucket, objectKey: key } } };
}

/** A valid input document that leaves the artifact to the trigger. */
export function inputDocument(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { environmentName: 'prod', stackName: 'my-app', templatePath: 'template.yaml', ...overrides };
}

/** A GetObject answer whose body is this text; the SDK's stream type is only needed for transformToString. */
export function s3Object(text: string, contentLength = Buffer.byteLength(text)): GetObjectCommandOutput {
  const body = { transformToString: async () => text };
  // The real Body is a Node stream mixed with the SDK's helpers; the trigger only calls transformToString.
  return { Body: body as unknown as GetObjectCommandOutput['Body'], ContentLength: contentLength, $metadata: {} };
}

/**
 * A DescribeExecution answer, starting from LocalStack's recorded FAILED execution (placeholders
 * and all) with the parts a test is about replaced, and the recording's JSON-as-object fields
 * and "datetime" strings turned back into what the real API returns.
 */
export function describedExecution(executionArn: string, fields: Partial<DescribeExecutionCommandOutput>): DescribeExecutionCommandOutput {
  const rest = readFixture<Record<string, unknown>>('sfn', 'sfn-describe-execution-failed.json');
  // The recording's own failure and HTTP metadata are not part of the execution a test describes.
  for (const key of ['ResponseMetadata', 'cause', 'error']) delete rest[key];
  return {
    ...(rest as Partial<DescribeExecutionCommandOutput>),
    executionArn,
    stateMachineArn: STATE_MACHINE_ARN,
    name: executionArn.slice(executionArn.lastIndexOf(':') + 1),
    input: JSON.stringify(rest.input),
    startDate: new Date('2026-11-23T21:00:00Z'),
    stopDate: fields.status === 'RUNNING' ? undefined : new Date('2026-11-23T21:05:00Z'),
    status: 'RUNNING',
    $metadata: {},
    ...fields,
  };
}

/** A history page, newest first, in which the latest state entered is `stateName`. */
export function historyInState(stateName: string, type = 'TaskStateEntered'): HistoryEvent[] {
  const timestamp = new Date('2026-11-23T21:01:00Z');
  return [
    { id: 4, previousEventId: 3, timestamp, type: 'LambdaFunctionStarted' },
    { id: 3, previousEventId: 2, timestamp, type: 'LambdaFunctionScheduled' },
    { id: 2, previousEventId: 1, timestamp, type, stateEnteredEventDetails: { name: stateName } },
    { id: 1, previousEventId: 0, timestamp, type: 'ExecutionStarted' },
  ] as HistoryEvent[];
}

/** An AWS SDK service error as the SDK throws it: name, message, fault and HTTP status. */
export function awsError(name: string, message: string, fields: { fault?: 'client' | 'server'; httpStatusCode?: number; retryable?: boolean } = {}): Error {
  const error = new Error(message) as Error & Record<string, unknown>;
  error.name = name;
  error.$fault = fields.fault ?? 'client';
  error.$metadata = { httpStatusCode: fields.httpStatusCode ?? 400 };
  if (fields.retryable) error.$retryable = { throttling: true };
  return error;
}

/**
 * Captures everything written to stdout, stderr and the console while a test runs (the
 * Powertools Logger writes JSON lines to stdout), and keeps it out of the test output.
 */
export function captureOutput(): { lines: () => string[]; restore: () => void } {
  const written: string[] = [];
  const record = (chunk: unknown): boolean => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
    return true;
  };
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(record),
    jest.spyOn(process.stderr, 'write').mockImplementation(record),
    ...(['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        record(args.map(String).join(' '));
      }),
    ),
  ];
  return {
    lines: () => written.join('').split('\n').filter((line) => line.trim() !== ''),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}
