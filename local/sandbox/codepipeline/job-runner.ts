import type { CodePipelineEvent } from 'aws-lambda';
import type { VirtualClock } from '../clock';
import { buildJobEvent, type JobArtifact } from './job-event';
import type { CodePipelineSandbox, JobRecord } from './service';

/** CodePipeline stops re-invoking an action well before this many jobs in any real run. */
export const DEFAULT_MAX_INVOCATIONS = 100;
/** Lambda retries a failed asynchronous invocation twice. */
export const LAMBDA_ASYNC_RETRIES = 2;

export interface PipelineJobOptions {
  /** The function the action invokes: the trigger's handler. */
  invoke: (event: CodePipelineEvent) => Promise<unknown>;
  userParameters?: string;
  inputArtifacts: JobArtifact[];
  maxInvocations?: number;
  /**
   * How many copies of each job's event are delivered at once (default 1). Lambda's asynchronous
   * invocation is at-least-once: the same job can reach the function twice, concurrently.
   */
  concurrentDeliveries?: number;
  outputArtifacts?: Array<{ name: string; bucket: string; key: string }>;
}

/**
 * How the action ended. `Succeeded` and `Failed` are the results the function reported;
 * `NoResult` means an invocation reported nothing, so in AWS the job would time out after
 * 20 minutes; `TooManyInvocations` means it kept asking to continue past the bound.
 */
export type PipelineJobStatus = 'Succeeded' | 'Failed' | 'NoResult' | 'TooManyInvocations';

export interface PipelineJobResult {
  status: PipelineJobStatus;
  /** The job whose result ended the action (the last one invoked). */
  final: JobRecord;
  /** Every job, in order: the first, then one per continuation. */
  jobs: JobRecord[];
  invocations: number;
  /** Errors the function threw (each one made Lambda retry the same event). */
  invocationErrors: unknown[];
}

/**
 * Runs one Lambda invoke action the way CodePipeline does: invokes the function with a job event,
 * reads the result it reported, and while that result carries a continuation token invokes it
 * again with a new job that carries the token. A function that throws is invoked again with the
 * same event, as Lambda retries asynchronous invocations.
 */
export async function runPipelineJob(codePipeline: CodePipelineSandbox, clock: VirtualClock, options: PipelineJobOptions): Promise<PipelineJobResult> {
  const jobs: JobRecord[] = [];
  const invocationErrors: unknown[] = [];
  const maxInvocations = options.maxInvocations ?? DEFAULT_MAX_INVOCATIONS;
  let invocations = 0;
  let continuationToken: string | undefined;
  while (jobs.length < maxInvocations) {
    const job = codePipeline.createJob(continuationToken);
    jobs.push(job);
    const event = buildJobEvent(
      { jobId: job.jobId, userParameters: options.userParameters, inputArtifacts: options.inputArtifacts, continuationToken, outputArtifacts: options.outputArtifacts },
      clock.now(),
    );
    const deliver = async (): Promise<void> => {
      for (let attempt = 0; attempt <= LAMBDA_ASYNC_RETRIES; attempt++) {
        invocations += 1;
        try {
          await options.invoke(structuredClone(event));
          return;
        } catch (error) {
          invocationErrors.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrentDeliveries ?? 1 }, deliver));
    const result = { final: job, jobs, invocations, invocationErrors };
    if (job.status === 'InProgress') return { status: 'NoResult', ...result };
    if (job.status === 'Failed') return { status: 'Failed', ...result };
    continuationToken = job.success?.continuationToken;
    if (!continuationToken) return { status: 'Succeeded', ...result };
  }
  return { status: 'TooManyInvocations', final: jobs[jobs.length - 1], jobs, invocations, invocationErrors };
}
