import {
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
  type PutJobFailureResultCommandInput,
  type PutJobSuccessResultCommandInput,
} from '@aws-sdk/client-codepipeline';
import { raise } from '../aws-errors';
import type { VirtualClock } from '../clock';
import { route, type Route } from '../interceptor';
import type { SeededRandom } from '../random';
import { constraintViolation, invalidJobState, jobNotFound, outputVariablesTooLarge, validation } from './errors';

/** CodePipeline's limits on a job result (API reference: ExecutionDetails, FailureDetails, PutJobSuccessResult). */
export const MAX_SUMMARY_LENGTH = 2048;
export const MAX_EXTERNAL_EXECUTION_ID_LENGTH = 1500;
export const MAX_CONTINUATION_TOKEN_LENGTH = 2048;
export const MAX_FAILURE_MESSAGE_LENGTH = 5000;
/** Total size of a pipeline's output variables. */
export const MAX_OUTPUT_VARIABLES_BYTES = 122_880;
const OUTPUT_VARIABLE_KEY = /^[A-Za-z0-9@\-_]+$/;
const FAILURE_TYPES = ['JobFailed', 'ConfigurationError', 'PermissionError', 'RevisionOutOfSync', 'RevisionUnavailable', 'SystemUnavailable'];

export type JobStatus = 'InProgress' | 'Succeeded' | 'Failed';

/** One job of a Lambda invoke action: each (re-)invocation of the function is a new job. */
export interface JobRecord {
  jobId: string;
  /** The continuation token the job was invoked with (none on the first). */
  continuationToken?: string;
  status: JobStatus;
  success?: PutJobSuccessResultCommandInput;
  failure?: PutJobFailureResultCommandInput;
}

export interface CodePipelineDependencies {
  clock: VirtualClock;
  random: SeededRandom;
}

function checkLength(value: string | undefined, member: string, max: number, min = 0): void {
  if (value === undefined) return;
  if (value.length > max) raise(constraintViolation(member, `Member must have length less than or equal to ${max}`));
  if (value.length < min) raise(constraintViolation(member, `Member must have length greater than or equal to ${min}`));
}

/** The CodePipeline sandbox: jobs and the results reported for them, checked against the API's rules. */
export class CodePipelineSandbox {
  private readonly jobs = new Map<string, JobRecord>();

  constructor(private readonly deps: CodePipelineDependencies) {}

  createJob(continuationToken?: string): JobRecord {
    const job: JobRecord = { jobId: this.deps.random.uuid(), continuationToken, status: 'InProgress' };
    this.jobs.set(job.jobId, job);
    return job;
  }

  job(jobId: string): JobRecord | undefined {
    return this.jobs.get(jobId);
  }

  allJobs(): JobRecord[] {
    return [...this.jobs.values()];
  }

  routes(): Route[] {
    return [
      route('PutJobSuccessResult', PutJobSuccessResultCommand, (input) => {
        const job = this.openJob(input.jobId);
        checkLength(input.continuationToken, 'continuationToken', MAX_CONTINUATION_TOKEN_LENGTH, 1);
        checkLength(input.executionDetails?.summary, 'executionDetails.summary', MAX_SUMMARY_LENGTH, 1);
        checkLength(input.executionDetails?.externalExecutionId, 'executionDetails.externalExecutionId', MAX_EXTERNAL_EXECUTION_ID_LENGTH, 1);
        const percent = input.executionDetails?.percentComplete;
        if (percent !== undefined && (percent < 0 || percent > 100)) {
          raise(constraintViolation('executionDetails.percentComplete', 'Member must have value less than or equal to 100 and greater than or equal to 0'));
        }
        if (input.outputVariables) {
          if (input.continuationToken) raise(validation('outputVariables can be included only when there is no continuation token on the request.'));
          for (const key of Object.keys(input.outputVariables)) {
            if (!OUTPUT_VARIABLE_KEY.test(key)) raise(constraintViolation('outputVariables', `Member key must satisfy regular expression pattern: [A-Za-z0-9@\\-_]+`));
          }
          const size = Object.entries(input.outputVariables).reduce((total, [key, value]) => total + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
          if (size > MAX_OUTPUT_VARIABLES_BYTES) raise(outputVariablesTooLarge());
        }
        job.status = 'Succeeded';
        job.success = structuredClone(input);
        return {};
      }),
      route('PutJobFailureResult', PutJobFailureResultCommand, (input) => {
        const job = this.openJob(input.jobId);
        const details = input.failureDetails ?? raise(constraintViolation('failureDetails', 'Member must not be null'));
        if (!FAILURE_TYPES.includes(details.type ?? '')) {
          raise(constraintViolation('failureDetails.type', `Member must satisfy enum value set: [${FAILURE_TYPES.join(', ')}]`));
        }
        checkLength(details.message ?? '', 'failureDetails.message', MAX_FAILURE_MESSAGE_LENGTH, 1);
        checkLength(details.externalExecutionId, 'failureDetails.externalExecutionId', MAX_EXTERNAL_EXECUTION_ID_LENGTH, 1);
        job.status = 'Failed';
        job.failure = structuredClone(input);
        return {};
      }),
    ];
  }

  private openJob(jobId: string | undefined): JobRecord {
    const job = this.jobs.get(jobId ?? '') ?? raise(jobNotFound(jobId ?? ''));
    if (job.status !== 'InProgress') raise(invalidJobState(job.jobId, job.status));
    return job;
  }
}
