/**
 * The offline sandbox of the AWS APIs: CloudFormation, S3, Step Functions and CodePipeline,
 * stateful and in-process, installed at the SDK boundary. Test and demo infrastructure only:
 * production code never imports it. See README "Offline sandbox and scenarios".
 */
export { Sandbox, createSandbox, type SandboxOptions } from './sandbox';
export type { RecordedCall, ServiceName, CallFilter } from './calls';
export { MUTATING_OPERATIONS } from './calls';
export type { FaultRule } from './faults';
export { THROTTLING_ERRORS } from './faults';
export type { AwsErrorSpec } from './aws-errors';
export { SandboxError, SandboxInstallError, SandboxUnsupportedOperationError, ScenarioError } from './errors';
export { SANDBOX_ACCOUNT, SANDBOX_REGION } from './constants';
export {
  CloudFormationSandbox,
  NO_CHANGES_REASON,
  DEFAULT_CHANGE_SET_PAGE_SIZE,
  type CloudFormationOptions,
  type ResourceFailureRule,
} from './cloudformation/service';
export type { StackSeed } from './cloudformation/seed';
export type { SandboxStack, SandboxChangeSet, SandboxResource } from './cloudformation/model';
export { S3Sandbox } from './s3/service';
export { buildArtifactZip } from './s3/artifact-zip';
export { StepFunctionsSandbox, type StepFunctionsOptions, type SandboxExecution, type StateMachineRegistration } from './stepfunctions/service';
export { CodePipelineSandbox, type JobRecord } from './codepipeline/service';
export { buildJobEvent, EXAMPLE_ARTIFACT_CREDENTIALS, type JobArtifact } from './codepipeline/job-event';
export type { PipelineJobOptions, PipelineJobResult, PipelineJobStatus } from './codepipeline/job-runner';
