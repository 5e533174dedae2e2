import {
  InvalidJobStateException,
  JobNotFoundException,
  OutputVariablesSizeExceededException,
  ValidationException,
} from '@aws-sdk/client-codepipeline';
import { jsonProtocolError, type AwsFailure } from '../aws-errors';

/** CodePipeline's errors (JSON protocol, HTTP 400). */
const codePipelineError = jsonProtocolError;

export const jobNotFound = (jobId: string): AwsFailure => codePipelineError(JobNotFoundException, 'JobNotFoundException', `Job ${jobId} does not exist.`);

export const invalidJobState = (jobId: string, status: string): AwsFailure =>
  codePipelineError(InvalidJobStateException, 'InvalidJobStateException', `Job ${jobId} is in status ${status} and cannot be updated.`);

/** The JSON protocol's wording for a member that breaks its constraint. */
export const constraintViolation = (member: string, constraint: string): AwsFailure =>
  codePipelineError(ValidationException, 'ValidationException', `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${constraint}`);

export const validation = (message: string): AwsFailure => codePipelineError(ValidationException, 'ValidationException', message);

export const outputVariablesTooLarge = (): AwsFailure =>
  codePipelineError(OutputVariablesSizeExceededException, 'OutputVariablesSizeExceededException', 'Exceeded the total size limit for all variables in the pipeline.');
