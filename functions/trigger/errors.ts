import type { FailureType } from '@aws-sdk/client-codepipeline';

/**
 * Every error the trigger raises on purpose. Each says which `FailureDetails.type` the pipeline
 * shows, and its message is written for the person looking at the failed action: what is wrong
 * and how to fix it. Names are string literals so they survive minification and read well in logs.
 */
export abstract class TriggerError extends Error {
  abstract readonly failureType: FailureType;
}

/** The pipeline action, the input document or the trigger's own settings are wrong. */
export class PipelineConfigurationError extends TriggerError {
  override readonly name = 'PipelineConfigurationError' as const;
  readonly failureType = 'ConfigurationError' as const;
}

/** An AWS call the trigger made was denied: the trigger's role lacks a permission. */
export class TriggerPermissionError extends TriggerError {
  override readonly name = 'TriggerPermissionError' as const;
  readonly failureType = 'PermissionError' as const;
}

/** The continuation token CodePipeline handed back is not one this trigger wrote for this state machine. */
export class ContinuationTokenError extends TriggerError {
  override readonly name = 'ContinuationTokenError' as const;
  readonly failureType = 'JobFailed' as const;
}

/** The execution the continuation token points at no longer exists (deleted state machine, expired history). */
export class ExecutionMissingError extends TriggerError {
  override readonly name = 'ExecutionMissingError' as const;
  readonly failureType = 'JobFailed' as const;
}

/**
 * DescribeExecution kept failing for longer than the trigger follows blind: the job fails, saying
 * the deployment may still be running and where to look.
 */
export class ExecutionStatusUnknownError extends TriggerError {
  override readonly name = 'ExecutionStatusUnknownError' as const;
  readonly failureType = 'JobFailed' as const;
}

/** The execution still runs past its whole-deployment deadline and the grace after it. */
export class ExecutionOverdueError extends TriggerError {
  override readonly name = 'ExecutionOverdueError' as const;
  readonly failureType = 'JobFailed' as const;
}

/**
 * The execution named after this job exists with another input: it is not this job's deployment
 * (started by hand under that name, or the input document changed since this job started it).
 */
export class ExecutionConflictError extends TriggerError {
  override readonly name = 'ExecutionConflictError' as const;
  readonly failureType = 'JobFailed' as const;
}

/**
 * Throttling or a service fault while reading the input document or starting the execution: the
 * job continues and the next invocation tries the start again (see start-deployment.ts).
 */
export class TriggerTransientError extends TriggerError {
  override readonly name = 'TriggerTransientError' as const;
  readonly failureType = 'JobFailed' as const;
}

/** Any other failed AWS call; the message names the call and the service's answer. */
export class TriggerAwsCallError extends TriggerError {
  override readonly name = 'TriggerAwsCallError' as const;
  readonly failureType = 'JobFailed' as const;
}

/**
 * CodePipeline did not accept the job's result. Thrown out of the handler, never reported:
 * the invocation then counts as a Lambda error (visible in its metrics and alarms) and Lambda's
 * asynchronous retries run the invocation again, which is safe because every step is idempotent.
 */
export class JobResultNotRecordedError extends Error {
  override readonly name = 'JobResultNotRecordedError' as const;
}

/** The event carries no job id, so there is no job to report to. Thrown out of the handler. */
export class InvalidJobEventError extends Error {
  override readonly name = 'InvalidJobEventError' as const;
}
