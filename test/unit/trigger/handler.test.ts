import { mockClient } from 'aws-sdk-client-mock';
import { CodePipelineClient, PutJobFailureResultCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { handler } from '../../../functions/trigger/handler';
import { JobResultNotRecordedError, InvalidJobEventError } from '../../../functions/trigger/errors';
import { actionBinding } from '../../../functions/trigger/continuation-token';
import { readJob } from '../../../functions/trigger/job-event';
import * as progress from '../../../functions/trigger/progress';
import {
  DEVGUIDE_ARTIFACT,
  DEVGUIDE_JOB_ID,
  STATE_MACHINE_ARN,
  USER_PARAMETERS,
  awsError,
  captureOutput,
  describedExecution,
  executionArnOf,
  historyInState,
  inputDocument,
  jobEvent,
  readFixture,
  s3Artifact,
  s3Object,
} from './helpers';

const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
const codePipeline = mockClient(CodePipelineClient);

const EXECUTION_NAME = `codepipeline-${DEVGUIDE_JOB_ID}`;
const EXECUTION_ARN = executionArnOf(EXECUTION_NAME);
/** When the trigger started the execution the tokens below follow: a minute ago, well inside its deadline. */
const STARTED_AT = Date.now() - 60_000;
/** The binding of the devguide job's action (its UserParameters and artifacts), begun by the devguide job. */
const BINDING = actionBinding(DEVGUIDE_JOB_ID, readJob(jobEvent()));
const tokenFor = (executionArn = EXECUTION_ARN, jobId = DEVGUIDE_JOB_ID, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ v: 2, executionArn, jobId, startedAt: STARTED_AT, binding: BINDING, ...extra });
const pendingToken = (startAttempts: number): string => JSON.stringify({ v: 2, jobId: DEVGUIDE_JOB_ID, startAttempts, binding: BINDING });
/** The execution input the devguide job starts with: the document, then the artifact the trigger fills in. */
const START_INPUT = JSON.stringify({ ...inputDocument(), revisionS3Bucket: DEVGUIDE_ARTIFACT.bucket, revisionS3Key: DEVGUIDE_ARTIFACT.key });
/** A token the trigger wrote: started just now, bound to the devguide job's action. */
const writtenToken = { v: 2, executionArn: EXECUTION_ARN, jobId: DEVGUIDE_JOB_ID, startedAt: expect.any(Number), binding: BINDING };

let output: ReturnType<typeof captureOutput>;
const savedArn = process.env.STATE_MACHINE_ARN;

beforeEach(() => {
  sfn.reset();
  s3.reset();
  codePipeline.reset();
  codePipeline.on(PutJobSuccessResultCommand).resolves({});
  codePipeline.on(PutJobFailureResultCommand).resolves({});
  process.env.STATE_MACHINE_ARN = STATE_MACHINE_ARN;
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  if (savedArn === undefined) delete process.env.STATE_MACHINE_ARN;
  else process.env.STATE_MACHINE_ARN = savedArn;
});

function successInput() {
  const calls = codePipeline.commandCalls(PutJobSuccessResultCommand);
  expect(calls).toHaveLength(1);
  expect(codePipeline.commandCalls(PutJobFailureResultCommand)).toHaveLength(0);
  return calls[0].args[0].input;
}

function failureInput() {
  const calls = codePipeline.commandCalls(PutJobFailureResultCommand);
  expect(calls).toHaveLength(1);
  expect(codePipeline.commandCalls(PutJobSuccessResultCommand)).toHaveLength(0);
  return calls[0].args[0].input;
}

function givenDocument(document: unknown): void {
  s3.on(GetObjectCommand, { Bucket: USER_PARAMETERS.s3Bucket, Key: USER_PARAMETERS.stateMachineFile }).resolves(s3Object(JSON.stringify(document)));
}

describe('first invocation', () => {
  it('starts the execution named after the job, with the artifact filled in, and continues with a token', async () => {
    // Prepare
    givenDocument(inputDocument());
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });

    // Act
    await handler(jobEvent());

    // Assess
    const start = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(start.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(start.name).toBe(EXECUTION_NAME);
    expect(JSON.parse(start.input!)).toEqual({ ...inputDocument(), revisionS3Bucket: DEVGUIDE_ARTIFACT.bucket, revisionS3Key: DEVGUIDE_ARTIFACT.key });
    const result = successInput();
    expect(result.jobId).toBe(DEVGUIDE_JOB_ID);
    expect(JSON.parse(result.continuationToken!)).toEqual(writtenToken);
    expect(result.executionDetails).toEqual({
      summary: `Started the deployment of stack prod-my-app (execution ${EXECUTION_NAME}).`,
      externalExecutionId: EXECUTION_ARN,
      percentComplete: 0,
    });
    expect(result.outputVariables).toBeUndefined();
  });

  it('starts the same execution, with the same input, when the same job is invoked again', async () => {
    givenDocument(inputDocument());
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });

    await handler(jobEvent());
    await handler(jobEvent());

    const [first, second] = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(second).toEqual(first);
  });

  it('takes the artifact named by sourceArtifactName', async () => {
    givenDocument(inputDocument({ sourceArtifactName: 'TemplateArtifact' }));
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN });
    const artifacts = [s3Artifact('SourceArtifact', 'bucket-a', 'key-a'), s3Artifact('TemplateArtifact', 'bucket-b', 'key-b')];

    await handler(jobEvent({ inputArtifacts: artifacts }));

    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!);
    expect(input).toMatchObject({ revisionS3Bucket: 'bucket-b', revisionS3Key: 'key-b', sourceArtifactName: 'TemplateArtifact' });
  });

  it('keeps the revision the document gives', async () => {
    givenDocument(inputDocument({ revisionS3Bucket: 'my-bucket', revisionS3Key: 'builds/app.zip' }));
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN });

    await handler(jobEvent());

    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input!);
    expect(input).toMatchObject({ revisionS3Bucket: 'my-bucket', revisionS3Key: 'builds/app.zip' });
  });

  it('follows the existing execution when StartExecution answers ExecutionAlreadyExists', async () => {
    givenDocument(inputDocument());
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists', `Execution Already Exists: '${EXECUTION_ARN}'`));
    sfn.on(DescribeExecutionCommand, { executionArn: EXECUTION_ARN }).resolves(describedExecution(EXECUTION_ARN, { status: 'RUNNING', input: START_INPUT }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: historyInState('Check Stack Existence') });

    await handler(jobEvent());

    const result = successInput();
    expect(JSON.parse(result.continuationToken!).executionArn).toBe(EXECUTION_ARN);
    expect(result.executionDetails?.summary).toContain('"Check Stack Existence"');
  });

  it('reports the result of a closed execution found through ExecutionAlreadyExists', async () => {
    givenDocument(inputDocument());
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists', 'Execution Already Exists'));
    sfn.on(DescribeExecutionCommand).resolves(
      describedExecution(EXECUTION_ARN, {
        status: 'SUCCEEDED',
        input: START_INPUT,
        output: JSON.stringify({ deployment: { stackName: 'prod-my-app' }, result: { decision: 'NO_CHANGES', summary: 'No changes.' } }),
      }),
    );

    await handler(jobEvent());

    const result = successInput();
    expect(result.continuationToken).toBeUndefined();
    expect(result.outputVariables).toEqual({ StackName: 'prod-my-app', Decision: 'NO_CHANGES', DeployedStackName: 'prod-my-app', PreviousStackName: 'prod-my-app', Strategy: 'IN_PLACE' });
  });

  it('refuses an execution of its name with another input: not this job\'s deployment, neither followed nor reported', async () => {
    givenDocument(inputDocument());
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists', 'Execution Already Exists'));
    const otherOutput = JSON.stringify({ deployment: { stackName: 'prod-other' }, result: { decision: 'UPDATED', summary: 'Updated stack prod-other.' } });
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'SUCCEEDED', input: JSON.stringify(inputDocument({ stackName: 'other' })), output: otherOutput }));

    await handler(jobEvent());

    const failure = failureInput().failureDetails!;
    expect(failure.type).toBe('JobFailed');
    expect(failure.message).toContain(`The execution ${EXECUTION_ARN}, named after this job, already exists with another input`);
    expect(failure.message).not.toContain('prod-other');
  });

  it('takes the existing execution as its own when its recorded input is the same JSON, however spaced', async () => {
    givenDocument(inputDocument());
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists', 'Execution Already Exists'));
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'RUNNING', input: JSON.stringify(JSON.parse(START_INPUT), null, 2) }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });

    await handler(jobEvent());

    expect(JSON.parse(successInput().continuationToken!)).toEqual(writtenToken);
  });

  it('defers the start when the existing execution cannot be described for now', async () => {
    givenDocument(inputDocument());
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists', 'Execution Already Exists'));
    sfn.on(DescribeExecutionCommand).rejects(awsError('ThrottlingException', 'Rate exceeded', { retryable: true }));

    await handler(jobEvent());

    expect(JSON.parse(successInput().continuationToken!)).toEqual({ v: 2, jobId: DEVGUIDE_JOB_ID, startAttempts: 1, binding: BINDING });
  });

  describe('fails the job, naming the problem, and starts nothing', () => {
    afterEach(() => {
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    });

    it('when STATE_MACHINE_ARN is not set', async () => {
      delete process.env.STATE_MACHINE_ARN;
      await handler(jobEvent());
      const result = failureInput();
      expect(result.failureDetails).toMatchObject({ type: 'ConfigurationError' });
      expect(result.failureDetails?.message).toMatch(/misconfigured.*STATE_MACHINE_ARN/);
      expect(s3.calls()).toHaveLength(0);
    });

    it('when STATE_MACHINE_ARN is not a state machine ARN', async () => {
      process.env.STATE_MACHINE_ARN = 'DeployStateMachine';
      await handler(jobEvent());
      expect(failureInput().failureDetails).toMatchObject({ type: 'ConfigurationError', message: expect.stringContaining('is not a state machine ARN') });
    });

    it('when the action has no UserParameters (Powertools example event)', async () => {
      await handler(jobEvent({ fixture: 'cp-job-powertools-no-userparameters.json', userParameters: null }));
      expect(failureInput().failureDetails).toMatchObject({ type: 'ConfigurationError', message: expect.stringContaining('has no UserParameters') });
    });

    it('when UserParameters is not JSON (action reference example event)', async () => {
      await handler(jobEvent({ fixture: 'cp-job-awsdocs-action-reference-example.json', userParameters: 'input_parameter', continuationToken: null }));
      expect(failureInput().failureDetails).toMatchObject({ type: 'ConfigurationError', message: expect.stringContaining('UserParameters is not valid JSON') });
    });

    it('when UserParameters lacks a field (the developer guide example\'s {"KEY": "VALUE"})', async () => {
      await handler(jobEvent({ userParameters: '{"KEY": "VALUE"}' }));
      const { message } = failureInput().failureDetails!;
      expect(message).toContain('s3Bucket: is required');
      expect(message).toContain('stateMachineFile: is required');
      expect(message).toContain('KEY: unknown field');
    });

    it('when the input document does not exist', async () => {
      s3.on(GetObjectCommand).rejects(awsError('NoSuchKey', 'The specified key does not exist.', { httpStatusCode: 404 }));
      await handler(jobEvent());
      expect(failureInput().failureDetails).toMatchObject({
        type: 'ConfigurationError',
        message: expect.stringContaining(`s3://${USER_PARAMETERS.s3Bucket}/${USER_PARAMETERS.stateMachineFile} does not exist`),
      });
    });

    it('when the input document may not be read', async () => {
      s3.on(GetObjectCommand).rejects(awsError('AccessDenied', 'Access Denied', { httpStatusCode: 403 }));
      await handler(jobEvent());
      expect(failureInput().failureDetails).toMatchObject({ type: 'PermissionError', message: expect.stringContaining('s3:GetObject') });
    });

    it('when S3 fails otherwise (an error that is not transient)', async () => {
      s3.on(GetObjectCommand).rejects(awsError('InvalidObjectState', 'The operation is not valid for the object\'s storage class', { httpStatusCode: 400 }));
      await handler(jobEvent());
      expect(failureInput().failureDetails).toMatchObject({ type: 'JobFailed', message: expect.stringContaining('InvalidObjectState') });
    });

    it('when the input document is not JSON', async () => {
      s3.on(GetObjectCommand).resolves(s3Object('environmentName: prod'));
      await handler(jobEvent());
      expect(failureInput().failureDetails).toMatchObject({ type: 'ConfigurationError', message: expect.stringContaining('is not valid JSON') });
    });

    it('when the input document is empty', async () => {
      s3.on(GetObjectCommand).resolves(s3Object(''));
      await handler(jobEvent());
      expect(failureInput().failureDetails?.message).toContain('is empty');
    });

    it('when the input document is larger than an execution input may be', async () => {
      s3.on(GetObjectCommand).resolves(s3Object('{}', 300_000));
      await handler(jobEvent());
      expect(failureInput().failureDetails?.message).toContain('300000 bytes');
    });

    it('when a field of the input document is invalid, naming the field', async () => {
      givenDocument(inputDocument({ stackName: 'my_app', capabilites: ['CAPABILITY_IAM'] }));
      await handler(jobEvent());
      const { type, message } = failureInput().failureDetails!;
      expect(type).toBe('ConfigurationError');
      expect(message).toContain('stackName:');
      expect(message).toContain('capabilites: unknown field');
    });

    it('when the document gives only one of revisionS3Bucket and revisionS3Key', async () => {
      givenDocument(inputDocument({ revisionS3Bucket: 'my-bucket' }));
      await handler(jobEvent());
      expect(failureInput().failureDetails?.message).toContain('revisionS3Key: is required');
    });

    it('when sourceArtifactName names no input artifact', async () => {
      givenDocument(inputDocument({ sourceArtifactName: 'BuildOutput' }));
      await handler(jobEvent());
      expect(failureInput().failureDetails).toMatchObject({
        type: 'ConfigurationError',
        message: expect.stringContaining('sourceArtifactName "BuildOutput" is not an input artifact of this action (its input artifacts: my-pipeline-SourceArtifact)'),
      });
    });

    it('when the action has no input artifact to fill the revision from', async () => {
      givenDocument(inputDocument());
      await handler(jobEvent({ inputArtifacts: [] }));
      expect(failureInput().failureDetails?.message).toContain('no input artifact');
    });
  });

  it.each([
    ['StateMachineDoesNotExist', 'ConfigurationError', 'misconfigured'],
    ['AccessDeniedException', 'PermissionError', 'states:StartExecution'],
    ['ExecutionLimitExceeded', 'JobFailed', 'Too many executions'],
    ['InvalidExecutionInput', 'ConfigurationError', 'refused the input document'],
    ['ValidationException', 'JobFailed', 'Retry the stage'],
  ])('fails the job when StartExecution answers %s', async (name, type, words) => {
    givenDocument(inputDocument());
    sfn.on(StartExecutionCommand).rejects(awsError(name, `${name} from Step Functions`));

    await handler(jobEvent());

    const result = failureInput();
    expect(result.failureDetails).toMatchObject({ type, message: expect.stringContaining(words) });
    expect(result.failureDetails?.message).toContain(`${name} from Step Functions`);
  });
});

describe('re-invocation with the continuation token', () => {
  // CodePipeline gives each re-invocation a job of its own; the token names the job that started the execution.
  const NEXT_JOB_ID = 'd1e87542-c1f8-xmpl-a8f4-f9ff897fc7a7';
  const continuing = (token = tokenFor()) => jobEvent({ jobId: NEXT_JOB_ID, continuationToken: token });

  it('says the deployment waits for approval, and how to answer, while an unsafe change set waits for a person', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: EXECUTION_ARN }).resolves(describedExecution(EXECUTION_ARN, { status: 'RUNNING' }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: historyInState('Await Approval', 'TaskStateEntered') });

    await handler(continuing());

    expect(successInput().executionDetails?.summary).toBe(
      `Waiting for approval of an unsafe change set (execution ${EXECUTION_NAME}): answer with deploy-orchestrator approve or reject ${EXECUTION_ARN}.`,
    );
  });

  it('continues while the execution runs, naming the state it is in and estimating progress', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: EXECUTION_ARN }).resolves(describedExecution(EXECUTION_ARN, { status: 'RUNNING' }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: historyInState('Wait Stack Update', 'WaitStateEntered') });

    await handler(continuing());

    const result = successInput();
    expect(result.jobId).toBe(NEXT_JOB_ID);
    expect(JSON.parse(result.continuationToken!)).toEqual(writtenToken);
    expect(result.executionDetails).toEqual({
      summary: `Deployment running: in "Wait Stack Update" (execution ${EXECUTION_NAME}).`,
      externalExecutionId: EXECUTION_ARN,
      percentComplete: 60,
    });
    expect(sfn.commandCalls(GetExecutionHistoryCommand)[0].args[0].input).toEqual({
      executionArn: EXECUTION_ARN,
      reverseOrder: true,
      maxResults: 50,
      includeExecutionData: false,
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it.each(['PENDING_REDRIVE', 'SOME_FUTURE_STATUS'])('keeps following an execution whose status is %s', async (status) => {
    // The SDK's type lists today's statuses; the API may send one added later.
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: status as 'RUNNING' }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });

    await handler(continuing());

    const result = successInput();
    expect(result.continuationToken).toBe(tokenFor());
    expect(result.executionDetails?.summary).toBe(`Deployment running, status ${status} (execution ${EXECUTION_NAME}).`);
  });

  it('still continues when the history cannot be read', async () => {
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'RUNNING' }));
    sfn.on(GetExecutionHistoryCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: states:GetExecutionHistory'));

    await handler(continuing());

    expect(successInput().executionDetails).toMatchObject({ summary: `Deployment running (execution ${EXECUTION_NAME}).`, percentComplete: 0 });
  });

  it('keeps following when the status cannot be read this time (throttling)', async () => {
    sfn.on(DescribeExecutionCommand).rejects(awsError('ThrottlingException', 'Rate exceeded', { retryable: true }));

    await handler(continuing());

    const result = successInput();
    expect(JSON.parse(result.continuationToken!)).toEqual({ ...JSON.parse(tokenFor()), failingSince: expect.any(Number) });
    expect(result.executionDetails?.summary).toContain('could not be read this time (ThrottlingException)');
  });

  it('succeeds with the summary and the output variables when the execution succeeded', async () => {
    const executionOutput = {
      ...inputDocument(),
      deployment: { stackName: 'prod-my-app', changeSetName: 'deploy-codepipeline-x' },
      stack: { exists: true, action: 'UPDATE' },
      changeSet: { name: 'deploy-codepipeline-x' },
      inspection: { summary: '2 changes, none removes or replaces a protected resource.' },
      result: {
        decision: 'UPDATED',
        stackId: 'arn:aws:cloudformation:us-west-2:123456789012:stack/prod-my-app/5b1b6f20-0000-11ef-9a3e-0a1b2c3d4e5f',
        status: 'UPDATE_COMPLETE',
        summary: 'Updated stack prod-my-app: 2 changes applied.',
        outputs: [
          { OutputKey: 'ApiUrl', OutputValue: 'https://abc.execute-api.us-west-2.amazonaws.com/prod', Description: 'API endpoint' },
          { OutputKey: 'TableName', OutputValue: 'prod-my-app-Table-1ABC', ExportName: 'prod-table' },
        ],
      },
    };
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'SUCCEEDED', output: JSON.stringify(executionOutput) }));

    await handler(continuing());

    const result = successInput();
    expect(result.continuationToken).toBeUndefined();
    expect(result.executionDetails).toEqual({
      summary: `Updated stack prod-my-app: 2 changes applied. (execution ${EXECUTION_NAME})`,
      externalExecutionId: EXECUTION_ARN,
      percentComplete: 100,
    });
    expect(result.outputVariables).toEqual({
      StackName: 'prod-my-app',
      StackId: executionOutput.result.stackId,
      ChangeSetName: 'deploy-codepipeline-x',
      Decision: 'UPDATED',
      DeployedStackName: 'prod-my-app',
      PreviousStackName: 'prod-my-app',
      Strategy: 'IN_PLACE',
      ApiUrl: 'https://abc.execute-api.us-west-2.amazonaws.com/prod',
      TableName: 'prod-my-app-Table-1ABC',
    });
  });

  it('mentions the re-created stack and sets no ChangeSetName on the create path', async () => {
    const executionOutput = {
      deployment: { stackName: 'prod-my-app', changeSetName: 'unused' },
      stack: { exists: true, action: 'RECREATE' },
      recreate: { note: 'The stack was in ROLLBACK_COMPLETE after a failed first create; it was deleted and created again.' },
      result: { decision: 'CREATED', stackId: 'arn:aws:cloudformation:us-west-2:123456789012:stack/prod-my-app/1', status: 'CREATE_COMPLETE', summary: 'Created stack prod-my-app.', outputs: [] },
    };
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'SUCCEEDED', output: JSON.stringify(executionOutput) }));

    await handler(continuing());

    const result = successInput();
    expect(result.executionDetails?.summary).toContain('Created stack prod-my-app. The stack was in ROLLBACK_COMPLETE');
    expect(result.outputVariables).not.toHaveProperty('ChangeSetName');
  });

  it('still succeeds when the output cannot be read', async () => {
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'SUCCEEDED', output: 'not json' }));

    await handler(continuing());

    const result = successInput();
    expect(result.executionDetails?.summary).toContain('its output could not be read');
    expect(result.outputVariables).toBeUndefined();
  });

  it('fails with the unwrapped Lambda error message of a failed execution, mapped to the failure type', async () => {
    const cause = JSON.stringify({
      errorType: 'InvalidInputError',
      errorMessage: 'Invalid deployment input: templatePath: template.yml is not in the artifact.',
      trace: ['InvalidInputError: Invalid deployment input', '    at prepare (/var/task/index.js:1:1)'],
    });
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'FAILED', error: 'InvalidInputError', cause }));

    await handler(continuing());

    expect(failureInput().failureDetails).toEqual({
      type: 'ConfigurationError',
      message: `The deployment failed (execution ${EXECUTION_NAME}). InvalidInputError: Invalid deployment input: templatePath: template.yml is not in the artifact.`,
      externalExecutionId: EXECUTION_ARN,
    });
  });

  it('fails naming every offending resource when the change set was rejected', async () => {
    const cause = 'Change set deploy-x would remove or replace protected resources: UsersTable (AWS::DynamoDB::Table) Remove; Queue (AWS::SQS::Queue) Replacement True.';
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'FAILED', error: 'ChangeSetRejected', cause }));

    await handler(continuing());

    expect(failureInput().failureDetails).toMatchObject({ type: 'JobFailed', message: expect.stringContaining(`ChangeSetRejected: ${cause}`) });
  });

  it('reports a denied AWS call inside the deployment as a permission error', async () => {
    const cause = JSON.stringify({ errorType: 'AwsCallError', errorMessage: 'CreateChangeSet failed: AccessDenied: User is not authorized to perform: cloudformation:CreateChangeSet' });
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'FAILED', error: 'AwsCallError', cause }));

    await handler(continuing());

    expect(failureInput().failureDetails?.type).toBe('PermissionError');
  });

  it('uses the recorded FAILED execution as published (plain-text cause)', async () => {
    const recorded = readFixture<{ error: string; cause: string }>('sfn', 'sfn-describe-execution-failed.json');
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'FAILED', error: recorded.error, cause: recorded.cause }));

    await handler(continuing());

    expect(failureInput().failureDetails?.message).toContain("SomeFailure: This state machines raises a 'SomeFailure' failure.");
  });

  it('trims a long cause to the 5000 characters CodePipeline accepts', async () => {
    const cause = JSON.stringify({ errorType: 'StackUpdateFailedError', errorMessage: `Update rolled back: ${'x'.repeat(40_000)}` });
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'FAILED', error: 'StackUpdateFailedError', cause }));

    await handler(continuing());

    const { message } = failureInput().failureDetails!;
    expect(message).toHaveLength(5000);
    expect(message).toMatch(/StackUpdateFailedError: Update rolled back: x+ … \(truncated\)$/);
  });

  it.each([
    ['TIMED_OUT', 'timed out'],
    ['ABORTED', 'was stopped'],
  ] as const)('fails when the execution is %s (no error or cause recorded)', async (status, words) => {
    const recorded = readFixture<Record<string, unknown>>('sfn', 'sfn-describe-execution-timed-out.json');
    expect(recorded).not.toHaveProperty('error');
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status }));

    await handler(continuing());

    expect(failureInput().failureDetails).toEqual({
      type: 'JobFailed',
      message: expect.stringContaining(words),
      externalExecutionId: EXECUTION_ARN,
    });
  });

  it('fails with how to fix it when the execution no longer exists', async () => {
    sfn.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${EXECUTION_ARN}'`));

    await handler(continuing());

    expect(failureInput().failureDetails).toMatchObject({ type: 'JobFailed', message: expect.stringContaining('no longer exists') });
    expect(failureInput().failureDetails?.message).toContain('retry the pipeline stage');
  });

  it('fails as a permission error when the execution may not be read', async () => {
    sfn.on(DescribeExecutionCommand).rejects(awsError('AccessDeniedException', 'User is not authorized to perform: states:DescribeExecution'));

    await handler(continuing());

    expect(failureInput().failureDetails).toMatchObject({ type: 'PermissionError', message: expect.stringContaining('states:DescribeExecution') });
  });

  describe('refuses a tampered token without reading any execution', () => {
    afterEach(() => {
      expect(sfn.calls()).toHaveLength(0);
      expect(failureInput().failureDetails?.message).toContain('Retry the pipeline stage');
    });

    it.each([
      ['not JSON (the published example events\' token)', 'A continuation token if continuing job', 'is not the JSON this trigger writes'],
      ['of the wrong shape', JSON.stringify({ stateMachineExecutionArn: EXECUTION_ARN }), 'does not have the shape'],
      ['of the previous version (no binding)', JSON.stringify({ v: 1, executionArn: EXECUTION_ARN, jobId: DEVGUIDE_JOB_ID }), 'has version 1'],
      ['bound to another job', tokenFor(EXECUTION_ARN, DEVGUIDE_JOB_ID, { binding: actionBinding('another-job', readJob(jobEvent())) }), 'written for another pipeline job'],
      [
        'pointing at another state machine',
        tokenFor(`arn:aws:states:us-west-2:123456789012:execution:OtherMachine:${EXECUTION_NAME}`),
        'is not an execution of the configured state machine',
      ],
      ['naming an execution not started for its job', tokenFor(executionArnOf('manual-run-1')), 'was not started for job'],
    ])('%s', async (_what, token, words) => {
      await handler(continuing(token));
      expect(failureInput().failureDetails?.message).toContain(words);
    });
  });

  it('accepts the token from the AWS docs example event shape with its own job id', async () => {
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'RUNNING' }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    const fixture = 'cp-job-awsdocs-action-reference-example.json';
    const binding = actionBinding(DEVGUIDE_JOB_ID, readJob(jobEvent({ fixture })));

    await handler(jobEvent({ fixture, continuationToken: tokenFor(EXECUTION_ARN, DEVGUIDE_JOB_ID, { binding }) }));

    expect(successInput().jobId).toBe('11111111-abcd-1111-abcd-111111abcdef');
  });

  it('refuses the token of one action when it reaches a job of another (the AWS docs example), reading nothing', async () => {
    await handler(jobEvent({ fixture: 'cp-job-awsdocs-action-reference-example.json', continuationToken: tokenFor() }));

    expect(failureInput().failureDetails?.message).toContain('written for another pipeline job');
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('reporting', () => {
  it('throws when CodePipeline does not accept the failure', async () => {
    delete process.env.STATE_MACHINE_ARN;
    codePipeline.on(PutJobFailureResultCommand).rejects(awsError('JobNotFoundException', 'Job not found'));

    await expect(handler(jobEvent())).rejects.toBeInstanceOf(JobResultNotRecordedError);
  });

  it('throws when CodePipeline does not accept the continuation', async () => {
    givenDocument(inputDocument());
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN });
    codePipeline.on(PutJobSuccessResultCommand).rejects(awsError('JobNotFoundException', 'Job not found'));

    await expect(handler(jobEvent())).rejects.toThrow(/Could not record the continue result.*JobNotFoundException/);
  });

  it('throws, reporting nothing, when the event carries no job', async () => {
    await expect(handler({} as never)).rejects.toBeInstanceOf(InvalidJobEventError);
    expect(codePipeline.calls()).toHaveLength(0);
  });

  it('fails the job rather than leave it waiting when the trigger itself breaks', async () => {
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'RUNNING' }));
    const spy = jest.spyOn(progress, 'currentStateOf').mockRejectedValue(new TypeError('boom'));
    try {
      await handler(jobEvent({ continuationToken: tokenFor() }));
    } finally {
      spy.mockRestore();
    }

    expect(failureInput().failureDetails).toMatchObject({ type: 'JobFailed', message: expect.stringContaining('failed unexpectedly (TypeError: boom)') });
  });
});

describe('a first invocation that meets a transient error', () => {
  const SECOND_JOB = '22222222-abcd-2222-abcd-222222abcdef';

  it('does not fail the pipeline on a throttled read of the input document: it continues with a token that retries the start', async () => {
    s3.on(GetObjectCommand).rejects(awsError('SlowDown', 'Please reduce your request rate.', { httpStatusCode: 503, fault: 'server' }));

    await handler(jobEvent());

    const result = successInput();
    expect(JSON.parse(result.continuationToken!)).toEqual({ v: 2, jobId: DEVGUIDE_JOB_ID, startAttempts: 1, binding: BINDING });
    expect(result.executionDetails?.summary).toMatch(/^Not started yet: .*SlowDown.*Trying again \(attempt 1 of \d+\)/);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('starts on the re-invocation, naming the execution after the job that began the action', async () => {
    givenDocument(inputDocument());
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });

    await handler(jobEvent({ jobId: SECOND_JOB, continuationToken: pendingToken(1) }));

    expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.name).toBe(EXECUTION_NAME);
    const result = successInput();
    expect(result.jobId).toBe(SECOND_JOB);
    expect(JSON.parse(result.continuationToken!)).toEqual(writtenToken);
  });

  it('a throttled StartExecution is retried the same way', async () => {
    givenDocument(inputDocument());
    sfn.on(StartExecutionCommand).rejects(awsError('ThrottlingException', 'Rate exceeded', { httpStatusCode: 400, retryable: true }));

    await handler(jobEvent());

    expect(JSON.parse(successInput().continuationToken!)).toEqual({ v: 2, jobId: DEVGUIDE_JOB_ID, startAttempts: 1, binding: BINDING });
  });

  it('fails the job once the attempts are spent, saying what kept failing', async () => {
    s3.on(GetObjectCommand).rejects(awsError('SlowDown', 'Please reduce your request rate.', { httpStatusCode: 503, fault: 'server' }));
    sfn.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${EXECUTION_ARN}'`));

    await handler(jobEvent({ jobId: SECOND_JOB, continuationToken: pendingToken(5) }));

    const failure = failureInput();
    expect(failure.failureDetails?.type).toBe('JobFailed');
    expect(failure.failureDetails?.message).toMatch(/after 6 attempts.*SlowDown/);
  });

  it('follows the execution named after the job, not fails, when the attempts are spent but a duplicate invocation of the job started it', async () => {
    // A job delivered twice: the other invocation read the document and started the execution;
    // this one could not read it six times. Failing the job would report a deployment that runs.
    s3.on(GetObjectCommand).rejects(awsError('SlowDown', 'Please reduce your request rate.', { httpStatusCode: 503, fault: 'server' }));
    sfn.on(DescribeExecutionCommand, { executionArn: EXECUTION_ARN }).resolves({ executionArn: EXECUTION_ARN, status: 'RUNNING', input: START_INPUT, startDate: new Date() });

    await handler(jobEvent({ jobId: SECOND_JOB, continuationToken: pendingToken(5) }));

    expect(codePipeline.commandCalls(PutJobFailureResultCommand)).toHaveLength(0);
    const result = successInput();
    expect(JSON.parse(result.continuationToken!)).toEqual(writtenToken);
    expect(result.executionDetails?.summary).toMatch(/could not read the input document .* following the execution .* named after this job/i);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('reads again when the check for the job\'s execution is throttled, rather than failing a deployment that runs', async () => {
    s3.on(GetObjectCommand).rejects(awsError('SlowDown', 'Please reduce your request rate.', { httpStatusCode: 503, fault: 'server' }));
    sfn
      .on(DescribeExecutionCommand, { executionArn: EXECUTION_ARN })
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded', { httpStatusCode: 400, retryable: true }))
      .resolves({ executionArn: EXECUTION_ARN, status: 'RUNNING', input: START_INPUT, startDate: new Date() });

    await handler(jobEvent({ jobId: SECOND_JOB, continuationToken: pendingToken(5) }));

    expect(codePipeline.commandCalls(PutJobFailureResultCommand)).toHaveLength(0);
    expect(JSON.parse(successInput().continuationToken!)).toEqual(writtenToken);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(2);
  });

  it('refuses a start token that is not one the trigger writes', async () => {
    await handler(jobEvent({ continuationToken: pendingToken(0) }));

    expect(failureInput().failureDetails?.message).toMatch(/continuation token/);
    expect(sfn.calls()).toHaveLength(0);
  });
});
