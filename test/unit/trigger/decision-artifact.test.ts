/**
 * The decision record written to the action's output artifact, through the trigger's handler, with
 * the published Lambda Developer Guide job event (it declares an output artifact, invokeOutput).
 */
import { mockClient } from 'aws-sdk-client-mock';
import { CodePipelineClient, PutJobFailureResultCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { strFromU8, unzipSync } from 'fflate';
import type { CodePipelineEvent } from 'aws-lambda';
import { handler } from '../../../functions/trigger/handler';
import { DECISION_FILE_NAME, outputArtifactOf } from '../../../functions/trigger/decision-artifact';
import { DEVGUIDE_JOB_ID, STATE_MACHINE_ARN, awsError, captureOutput, describedExecution, executionArnOf, jobEvent, readFixture } from './helpers';

const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
const codePipeline = mockClient(CodePipelineClient);

const EXECUTION_ARN = executionArnOf(`codepipeline-${DEVGUIDE_JOB_ID}`);
const TOKEN = JSON.stringify({ v: 1, executionArn: EXECUTION_ARN, jobId: DEVGUIDE_JOB_ID });
/** The published event's output artifact and credentials. */
const OUTPUT_ARTIFACT = { bucket: 'us-west-2-123456789012-my-pipeline', key: 'my-pipeline/invokeOutp/D0YHsJn' };
const DEVGUIDE_CREDENTIALS = readFixture<CodePipelineEvent>('codepipeline', 'cp-job-awsdocs-lambda-devguide-example.json')['CodePipeline.job'].data.artifactCredentials;

const DECISION = {
  verdict: 'SAFE',
  counts: { changes: 3, adds: 0, inPlaceModifications: 1, replacements: 2, removals: 0, undetermined: 0, blocked: 0 },
  changes: [
    {
      nestedPath: '',
      logicalResourceId: 'ApiDeployment3C2B1A0F',
      resourceType: 'AWS::ApiGateway::Deployment',
      action: 'Modify',
      replacement: 'True',
      causes: [],
      kind: 'replacement',
      rule: 'built-in-allowance',
      matched: { source: 'built-in harmless replacements', entry: 'AWS::ApiGateway::Deployment', builtIn: true, reason: 'an immutable snapshot' },
      verdict: 'ALLOWED',
      explanation: 'replaces the resource; allowed: a built-in harmless replacement',
    },
  ],
  omitted: 2,
};
const SUCCEEDED_OUTPUT = {
  deployment: { stackName: 'prod-my-app' },
  changeSet: { name: 'deploy-codepipeline-x' },
  inspection: { summary: 'safe', decision: DECISION },
  result: { decision: 'UPDATED', stackId: 'arn:aws:cloudformation:us-west-2:123456789012:stack/prod-my-app/1', status: 'UPDATE_COMPLETE', summary: 'Updated stack prod-my-app.' },
};

let output: ReturnType<typeof captureOutput>;
const savedArn = process.env.STATE_MACHINE_ARN;

beforeEach(() => {
  sfn.reset();
  s3.reset();
  codePipeline.reset();
  codePipeline.on(PutJobSuccessResultCommand).resolves({});
  codePipeline.on(PutJobFailureResultCommand).resolves({});
  s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
  process.env.STATE_MACHINE_ARN = STATE_MACHINE_ARN;
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  if (savedArn === undefined) delete process.env.STATE_MACHINE_ARN;
  else process.env.STATE_MACHINE_ARN = savedArn;
});

function givenSucceeded(executionOutput: unknown = SUCCEEDED_OUTPUT): void {
  sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'SUCCEEDED', output: JSON.stringify(executionOutput) }));
}

function zipEntries(body: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(unzipSync(body as Uint8Array)).map(([name, bytes]) => [name, strFromU8(bytes)]));
}

describe('the decision record in the output artifact', () => {
  it('writes decision.json, zipped, to the declared output artifact with the job\'s artifact credentials, then succeeds', async () => {
    givenSucceeded();

    await handler(jobEvent({ continuationToken: TOKEN }));

    const [put] = s3.commandCalls(PutObjectCommand);
    expect(put.args[0].input).toMatchObject({ Bucket: OUTPUT_ARTIFACT.bucket, Key: OUTPUT_ARTIFACT.key, ContentType: 'application/zip' });
    expect(put.args[0].input).not.toHaveProperty('ServerSideEncryption');
    expect(JSON.parse(zipEntries(put.args[0].input.Body)[DECISION_FILE_NAME])).toEqual({
      executionArn: EXECUTION_ARN,
      stackName: 'prod-my-app',
      outcome: 'UPDATED',
      changeSetName: 'deploy-codepipeline-x',
      decision: DECISION,
    });
    const client = put.thisValue as S3Client;
    await expect(client.config.credentials()).resolves.toMatchObject({ accessKeyId: DEVGUIDE_CREDENTIALS.accessKeyId, secretAccessKey: DEVGUIDE_CREDENTIALS.secretAccessKey });
    expect(codePipeline.commandCalls(PutJobSuccessResultCommand)).toHaveLength(1);
    expect(output.lines().join('\n')).not.toContain(DEVGUIDE_CREDENTIALS.secretAccessKey);
  });

  it('writes a null decision for a deployment that inspected no change set (a create)', async () => {
    givenSucceeded({ deployment: { stackName: 'prod-my-app' }, result: { decision: 'CREATED', summary: 'Created.' } });

    await handler(jobEvent({ continuationToken: TOKEN }));

    const [put] = s3.commandCalls(PutObjectCommand);
    expect(JSON.parse(zipEntries(put.args[0].input.Body)[DECISION_FILE_NAME])).toMatchObject({ outcome: 'CREATED', decision: null });
  });

  it('encrypts with the pipeline\'s artifact key when the job names one', async () => {
    givenSucceeded();
    const event = jobEvent({ continuationToken: TOKEN });
    const data = event['CodePipeline.job'].data as unknown as Record<string, unknown>;
    data.encryptionKey = { id: 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', type: 'KMS' };

    await handler(event);

    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
  });

  it('writes nothing when the action declares no output artifact', async () => {
    givenSucceeded();
    const event = jobEvent({ continuationToken: TOKEN });
    event['CodePipeline.job'].data.outputArtifacts = [];

    await handler(event);

    expect(outputArtifactOf(event)).toBeUndefined();
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(codePipeline.commandCalls(PutJobSuccessResultCommand)).toHaveLength(1);
  });

  it('keeps the job going when the write is throttled, saying the deployment succeeded', async () => {
    givenSucceeded();
    s3.on(PutObjectCommand).rejects(awsError('SlowDown', 'Please reduce your request rate.', { fault: 'server', httpStatusCode: 503 }));

    await handler(jobEvent({ continuationToken: TOKEN }));

    const [success] = codePipeline.commandCalls(PutJobSuccessResultCommand);
    expect(success.args[0].input.continuationToken).toBe(TOKEN);
    expect(success.args[0].input.outputVariables).toBeUndefined();
    expect(success.args[0].input.executionDetails?.summary).toMatch(/^The deployment succeeded \(Updated stack prod-my-app\. .*\); writing the decision record to the output artifact failed \(SlowDown/);
  });

  it('fails the job with a PermissionError when the write is denied, saying the stack was deployed and how to recover', async () => {
    givenSucceeded();
    s3.on(PutObjectCommand).rejects(awsError('AccessDenied', 'Access Denied', { httpStatusCode: 403 }));

    await handler(jobEvent({ continuationToken: TOKEN }));

    const [failure] = codePipeline.commandCalls(PutJobFailureResultCommand);
    expect(failure.args[0].input.failureDetails?.type).toBe('PermissionError');
    expect(failure.args[0].input.failureDetails?.message).toMatch(
      /^The deployment succeeded \(Updated stack prod-my-app\..*\), but the decision record could not be written to the output artifact invokeOutput \(s3:\/\/us-west-2-123456789012-my-pipeline\/my-pipeline\/invokeOutp\/D0YHsJn\): AccessDenied: Access Denied\. Retry the stage/,
    );
  });
});
