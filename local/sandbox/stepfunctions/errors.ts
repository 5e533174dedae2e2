import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  InvalidToken,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { jsonProtocolError, type AwsFailure } from '../aws-errors';

/** Step Functions' errors (JSON protocol, all HTTP 400), with the service's message formats. */
const sfnError = jsonProtocolError;

export const executionAlreadyExists = (executionArn: string): AwsFailure =>
  sfnError(ExecutionAlreadyExists, 'ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);

export const executionDoesNotExist = (executionArn: string): AwsFailure =>
  sfnError(ExecutionDoesNotExist, 'ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);

export const stateMachineDoesNotExist = (stateMachineArn: string): AwsFailure =>
  sfnError(StateMachineDoesNotExist, 'StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);

export const invalidArn = (arn: string): AwsFailure =>
  sfnError(InvalidArn, 'InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);

export const invalidName = (name: string): AwsFailure => sfnError(InvalidName, 'InvalidName', `Invalid Name: '${name}'`);

export const invalidExecutionInput = (reason: string): AwsFailure =>
  sfnError(InvalidExecutionInput, 'InvalidExecutionInput', `Invalid State Machine Execution Input: '${reason}'`);

export const invalidToken = (): AwsFailure => sfnError(InvalidToken, 'InvalidToken', 'Invalid Token: \'Invalid token\'');
