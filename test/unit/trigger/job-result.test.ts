import { mockClient } from 'aws-sdk-client-mock';
import { CodePipelineClient, PutJobFailureResultCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import { reportOutcome } from '../../../functions/trigger/job-result';
import { JobResultNotRecordedError } from '../../../functions/trigger/errors';
import { MAX_RESULT_ATTEMPTS, MAX_RESULT_RETRY_DELAY_MS } from '../../../functions/trigger/limits';
import * as sleeping from '../../../functions/trigger/sleep';
import { awsError, captureOutput } from './helpers';

const codePipeline = mockClient(CodePipelineClient);
const JOB_ID = 'c0d76431-b0e7-xmpl-97e3-e8ee786eb6f6';
const FAILURE = { kind: 'fail', type: 'JobFailed', message: 'The deployment failed.' } as const;
const throttled = (): Error => awsError('ThrottlingException', 'Rate exceeded', { retryable: true });
const serverFault = (): Error => awsError('InternalServiceError', 'We encountered an internal error.', { fault: 'server', httpStatusCode: 500 });

let output: ReturnType<typeof captureOutput>;
let sleep: jest.SpyInstance;

beforeEach(() => {
  codePipeline.reset();
  output = captureOutput();
  sleep = jest.spyOn(sleeping, 'sleep').mockResolvedValue(undefined);
});

afterEach(() => {
  sleep.mockRestore();
  output.restore();
});

describe('reporting a job result', () => {
  it('retries a throttled or failing PutJobFailureResult with backoff until CodePipeline accepts it', async () => {
    // Prepare
    codePipeline.on(PutJobFailureResultCommand).rejectsOnce(throttled()).rejectsOnce(serverFault()).resolves({});

    // Act
    await reportOutcome(JOB_ID, FAILURE);

    // Assess
    expect(codePipeline.commandCalls(PutJobFailureResultCommand)).toHaveLength(3);
    expect(sleep).toHaveBeenCalledTimes(2);
    for (const [delay] of sleep.mock.calls) {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(MAX_RESULT_RETRY_DELAY_MS);
    }
  });

  it('gives up after a bounded number of attempts, logs the refusal with the job id, and throws', async () => {
    codePipeline.on(PutJobSuccessResultCommand).rejects(throttled());

    await expect(reportOutcome(JOB_ID, { kind: 'continue', continuationToken: 't', summary: 'running' })).rejects.toBeInstanceOf(JobResultNotRecordedError);

    expect(codePipeline.commandCalls(PutJobSuccessResultCommand)).toHaveLength(MAX_RESULT_ATTEMPTS);
    const refusal = output.lines().find((line) => line.includes('CodePipeline did not accept the job result'));
    expect(refusal).toBeDefined();
    expect(refusal).toContain(JOB_ID);
    expect(refusal).toContain(`"attempts":${MAX_RESULT_ATTEMPTS}`);
  });

  it('does not retry an answer that will not change (the job does not exist)', async () => {
    codePipeline.on(PutJobFailureResultCommand).rejects(awsError('JobNotFoundException', 'Job not found'));

    await expect(reportOutcome(JOB_ID, FAILURE)).rejects.toThrow(/Could not record the fail result of job .*JobNotFoundException/);

    expect(codePipeline.commandCalls(PutJobFailureResultCommand)).toHaveLength(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('takes InvalidJobStateException as "the job already has its result": no retry, no error', async () => {
    // A duplicate invocation of a job that another invocation already answered.
    codePipeline.on(PutJobSuccessResultCommand).rejects(awsError('InvalidJobStateException', 'Job c0d7 is in status Succeeded and cannot be updated.'));

    await expect(reportOutcome(JOB_ID, { kind: 'succeed', summary: 'done', executionArn: 'arn', outputVariables: {} })).resolves.toBeUndefined();

    expect(codePipeline.commandCalls(PutJobSuccessResultCommand)).toHaveLength(1);
    const line = output.lines().find((entry) => entry.includes('already'));
    expect(line).toContain(JOB_ID);
  });

  it('takes InvalidJobStateException after a retried attempt as the earlier attempt having been recorded', async () => {
    // The first answer was lost (a 5xx after CodePipeline recorded the result); the retry finds the job final.
    codePipeline.on(PutJobFailureResultCommand).rejectsOnce(serverFault()).rejects(awsError('InvalidJobStateException', 'Job is in status Failed'));

    await expect(reportOutcome(JOB_ID, FAILURE)).resolves.toBeUndefined();

    expect(codePipeline.commandCalls(PutJobFailureResultCommand)).toHaveLength(2);
  });
});
