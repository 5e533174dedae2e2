import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  InvalidToken,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import type { AwsFailure, ExceptionClass } from '../aws-errors';

/** Step Functions' errors (JSON protocol, all HTTP 400), with the service's message formats. */
function sfnError(exceptionClass: unknown, name: string, message: string): AwsFailure {
  // The modeled classes take the base class's options; the cast forgets their narrower option types.
  return { exceptionClass: exceptionClass as ExceptionClass, spec: { name, message, httpStatusCode: 400 } };
}

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
