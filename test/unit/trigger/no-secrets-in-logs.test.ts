import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import * as codePipelineSdk from '@aws-sdk/client-codepipeline';
import * as s3Sdk from '@aws-sdk/client-s3';
import * as sfnSdk from '@aws-sdk/client-sfn';
import type { CodePipelineEvent } from 'aws-lambda';
import { handler } from '../../../functions/trigger/handler';
import { actionBinding } from '../../../functions/trigger/continuation-token';
import { readJob } from '../../../functions/trigger/job-event';
import {
  DEVGUIDE_JOB_ID,
  STATE_MACHINE_ARN,
  awsError,
  captureOutput,
  describedExecution,
  executionArnOf,
  historyInState,
  inputDocument,
  jobEvent,
  readFixture,
  s3Object,
} from './helpers';

/** The SDK modules and the handler, loaded together so the mocks sit on the clients the handler uses. */
interface Loaded {
  handler: typeof handler;
  codePipelineSdk: typeof codePipelineSdk;
  s3Sdk: typeof s3Sdk;
  sfnSdk: typeof sfnSdk;
}

// A fresh module graph, so the logger is built under the environment of the test; the SDK comes
// from the same graph, so its clients are the ones mocked. The mock types are the stubs' own.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyStub = AwsStub<any, any, any>;

function loadIsolated(): Loaded {
  let loaded: Loaded | undefined;
  jest.isolateModules(() => {
    loaded = {
      handler: (jest.requireActual('../../../functions/trigger/handler') as { handler: typeof handler }).handler,
      codePipelineSdk: jest.requireActual('@aws-sdk/client-codepipeline'),
      s3Sdk: jest.requireActual('@aws-sdk/client-s3'),
      sfnSdk: jest.requireActual('@aws-sdk/client-sfn'),
    };
  });
  return loaded!;
}

const EXECUTION_ARN = executionArnOf(`codepipeline-${DEVGUIDE_JOB_ID}`);
const ENV_SECRET = 'env-secret-3f9a1c7e-never-logged';
/** Powertools Logger writes to stdout only outside its dev mode; exercise both. */
const LOGGER_MODES = ['json to stdout', 'POWERTOOLS_DEV console'] as const;

/** Every credential value in the published events, plus one unique to this test. */
function credentialValues(event: CodePipelineEvent): string[] {
  const credentials = event['CodePipeline.job'].data.artifactCredentials as unknown as Record<string, unknown>;
  return Object.values(credentials).map(String);
}

function withCredentials(event: CodePipelineEvent, sessionToken: string): CodePipelineEvent {
  event['CodePipeline.job'].data.artifactCredentials.sessionToken = sessionToken;
  return event;
}

describe.each(LOGGER_MODES)('the trigger logs no credentials and no environment (%s)', (mode) => {
  const saved = { ...process.env };
  let output: ReturnType<typeof captureOutput>;
  let handlerUnderTest: typeof handler;
  let sdk: Loaded;
  let stubs: AnyStub[];
  let sfn: AnyStub;
  let s3: AnyStub;
  let codePipeline: AnyStub;

  beforeEach(() => {
    process.env.STATE_MACHINE_ARN = STATE_MACHINE_ARN;
    process.env.SOME_SETTING = ENV_SECRET;
    process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
    if (mode === 'POWERTOOLS_DEV console') process.env.POWERTOOLS_DEV = 'true';
    else delete process.env.POWERTOOLS_DEV;
    output = captureOutput();
    sdk = loadIsolated();
    handlerUnderTest = sdk.handler;
    sfn = mockClient(sdk.sfnSdk.SFNClient);
    s3 = mockClient(sdk.s3Sdk.S3Client);
    codePipeline = mockClient(sdk.codePipelineSdk.CodePipelineClient);
    stubs = [sfn, s3, codePipeline];
    codePipeline.on(sdk.codePipelineSdk.PutJobSuccessResultCommand).resolves({});
    codePipeline.on(sdk.codePipelineSdk.PutJobFailureResultCommand).resolves({});
  });

  afterEach(() => {
    stubs.forEach((stub) => stub.restore());
    output.restore();
    process.env = { ...saved };
  });

  it('through a whole job: start, progress, a failed report, a rejected token and the final result', async () => {
    // Prepare: events with credentials, from each published example, with one value of our own.
    const first = withCredentials(jobEvent(), `session-${DEVGUIDE_JOB_ID}-unique-token-value`);
    const laterFixture = 'cp-job-aws-lambda-go-testdata.json';
    const binding = actionBinding(DEVGUIDE_JOB_ID, readJob(jobEvent({ fixture: laterFixture })));
    const token = JSON.stringify({ v: 2, executionArn: EXECUTION_ARN, jobId: DEVGUIDE_JOB_ID, startedAt: Date.now(), binding });
    const later = withCredentials(jobEvent({ fixture: laterFixture, continuationToken: token }), 'second-session-token-value');
    const tampered = jobEvent({ fixture: 'cp-job-powertools-with-encryption-key.json' });
    const secrets = [...credentialValues(first), ...credentialValues(later), ...credentialValues(tampered), ENV_SECRET];
    expect(secrets).toContain('AKIAIOSFODNN7EXAMPLE');

    const { GetObjectCommand } = sdk.s3Sdk;
    const { DescribeExecutionCommand, GetExecutionHistoryCommand, StartExecutionCommand } = sdk.sfnSdk;
    s3.on(GetObjectCommand).resolves(s3Object(JSON.stringify(inputDocument())));
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN });
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce(describedExecution(EXECUTION_ARN, { status: 'RUNNING' }))
      .resolves(describedExecution(EXECUTION_ARN, { status: 'FAILED', error: 'StackUpdateFailedError', cause: '{"errorType":"StackUpdateFailedError","errorMessage":"rolled back"}' }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: historyInState('Get Stack Update Status') });

    // Act
    await handlerUnderTest(first);
    await handlerUnderTest(later);
    await handlerUnderTest(tampered);
    codePipeline.on(sdk.codePipelineSdk.PutJobFailureResultCommand).rejects(awsError('JobNotFoundException', 'job not found'));
    await expect(handlerUnderTest(later)).rejects.toThrow();

    // Assess
    const lines = output.lines();
    expect(lines.length).toBeGreaterThan(5);
    const everything = lines.join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything).not.toContain('artifactCredentials');
    expect(everything).not.toContain('secretAccessKey');
    expect(everything).toContain(DEVGUIDE_JOB_ID);
  });

  it('when the event itself is logged nowhere, even for a job it cannot read', async () => {
    const event = readFixture<CodePipelineEvent>('codepipeline', 'cp-job-awsdocs-action-reference-example.json');
    delete process.env.STATE_MACHINE_ARN;

    await handlerUnderTest(event);

    const everything = output.lines().join('\n');
    for (const secret of ['secret_key', 'session_token', 'access_key_ID', ENV_SECRET]) expect(everything).not.toContain(secret);
  });
});

describe('the trigger writes structured log lines', () => {
  it('as JSON with the job id', async () => {
    const saved = { ...process.env };
    delete process.env.POWERTOOLS_DEV;
    delete process.env.STATE_MACHINE_ARN;
    const output = captureOutput();
    const codePipeline = mockClient(codePipelineSdk.CodePipelineClient);
    codePipeline.on(codePipelineSdk.PutJobFailureResultCommand).resolves({});
    try {
      await handler(jobEvent());
    } finally {
      codePipeline.restore();
      output.restore();
      process.env = saved;
    }
    const entries = output.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(entry).toMatchObject({ jobId: DEVGUIDE_JOB_ID, service: 'deploy-orchestrator' });
  });
});
