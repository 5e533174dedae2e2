import { CodePipelineClient, PutJobFailureResultCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import type { CodePipelineEvent } from 'aws-lambda';
import { fixtureJson, rejectionOf, useSandbox } from './helpers';

const codePipeline = new CodePipelineClient({});
const ARTIFACTS = [{ name: 'SourceArtifact', bucket: 'pipeline-artifacts', key: 'app/SourceArti/abc' }];

describe('CodePipeline sandbox', () => {
  const sandbox = useSandbox();

  it('builds job events shaped like the documented example', async () => {
    // Prepare
    const recorded = fixtureJson<Record<string, { data: Record<string, unknown> }>>('cp-job-awsdocs-lambda-devguide-example.json')['CodePipeline.job'];
    const events: CodePipelineEvent[] = [];

    // Act
    await sandbox().runPipelineJob({
      inputArtifacts: ARTIFACTS,
      userParameters: '{"s3Bucket":"b","stateMachineFile":"f.json"}',
      invoke: async (event) => {
        events.push(event);
        await codePipeline.send(new PutJobSuccessResultCommand({ jobId: event['CodePipeline.job'].id }));
      },
    });

    // Assess
    const job = events[0]['CodePipeline.job'];
    expect(Object.keys(job).sort()).toEqual(Object.keys(recorded).sort());
    expect(Object.keys(job.data).sort()).toEqual(Object.keys(recorded.data).sort());
    expect(job.data.inputArtifacts[0].location.s3Location).toEqual({ bucketName: 'pipeline-artifacts', objectKey: 'app/SourceArti/abc' });
  });

  it('re-invokes with the continuation token, as a new job, until a result without one', async () => {
    // Prepare
    const tokensSeen: Array<string | undefined> = [];

    // Act
    const result = await sandbox().runPipelineJob({
      inputArtifacts: ARTIFACTS,
      invoke: async (event) => {
        const { id, data } = event['CodePipeline.job'];
        tokensSeen.push(data.continuationToken);
        const step = Number(data.continuationToken ?? '0');
        await codePipeline.send(
          new PutJobSuccessResultCommand(
            step < 2 ? { jobId: id, continuationToken: String(step + 1) } : { jobId: id, outputVariables: { StackName: 'prod-app' } },
          ),
        );
      },
    });

    // Assess
    expect(result.status).toBe('Succeeded');
    expect(tokensSeen).toEqual([undefined, '1', '2']);
    expect(new Set(result.jobs.map((job) => job.jobId)).size).toBe(3);
    expect(result.final.success?.outputVariables).toEqual({ StackName: 'prod-app' });
  });

  it('delivers each job\'s event as many times at once as asked; CodePipeline keeps the first result', async () => {
    // Prepare
    const delivered: string[] = [];

    // Act
    const result = await sandbox().runPipelineJob({
      inputArtifacts: ARTIFACTS,
      concurrentDeliveries: 3,
      invoke: async (event) => {
        const { id } = event['CodePipeline.job'];
        delivered.push(id);
        await codePipeline.send(new PutJobSuccessResultCommand({ jobId: id })).catch((error: Error) => {
          if (error.name !== 'InvalidJobStateException') throw error;
        });
      },
    });

    // Assess
    expect(result).toMatchObject({ status: 'Succeeded', invocations: 3 });
    expect(delivered).toEqual([result.final.jobId, result.final.jobId, result.final.jobId]);
    expect(sandbox().calls.find({ operation: 'PutJobSuccessResult' })).toHaveLength(1);
    expect(sandbox().calls.find({ operation: 'PutJobSuccessResult', includeFailed: true })).toHaveLength(3);
  });

  it('invokes a function that throws twice more with the same event, then gives up with no result', async () => {
    // Act
    const result = await sandbox().runPipelineJob({
      inputArtifacts: ARTIFACTS,
      invoke: async () => {
        throw new Error('boom');
      },
    });

    // Assess
    expect(result).toMatchObject({ status: 'NoResult', invocations: 3 });
    expect(result.invocationErrors).toHaveLength(3);
  });

  it('checks results against the API: one result per job, lengths, enum values, no output variables with a token', async () => {
    // Prepare
    const job = sandbox().codePipeline.createJob();
    const other = sandbox().codePipeline.createJob();

    // Act
    const badType = await rejectionOf(
      codePipeline.send(new PutJobFailureResultCommand({ jobId: job.jobId, failureDetails: { type: 'Broken' as 'JobFailed', message: 'x' } })),
    );
    const tooLong = await rejectionOf(
      codePipeline.send(new PutJobFailureResultCommand({ jobId: job.jobId, failureDetails: { type: 'JobFailed', message: 'x'.repeat(5001) } })),
    );
    const variablesWithToken = await rejectionOf(
      codePipeline.send(new PutJobSuccessResultCommand({ jobId: other.jobId, continuationToken: 't', outputVariables: { A: 'b' } })),
    );
    await codePipeline.send(new PutJobFailureResultCommand({ jobId: job.jobId, failureDetails: { type: 'ConfigurationError', message: 'bad' } }));
    const twice = await rejectionOf(codePipeline.send(new PutJobSuccessResultCommand({ jobId: job.jobId })));
    const unknown = await rejectionOf(codePipeline.send(new PutJobSuccessResultCommand({ jobId: 'nope' })));

    // Assess
    expect(badType.name).toBe('ValidationException');
    expect(tooLong.message).toContain('Member must have length less than or equal to 5000');
    expect(variablesWithToken.name).toBe('ValidationException');
    expect(twice.name).toBe('InvalidJobStateException');
    expect(unknown.name).toBe('JobNotFoundException');
    expect(sandbox().codePipeline.job(job.jobId)).toMatchObject({ status: 'Failed', failure: { failureDetails: { type: 'ConfigurationError' } } });
  });
});
