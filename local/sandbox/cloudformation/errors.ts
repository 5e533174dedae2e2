import {
  AlreadyExistsException,
  ChangeSetNotFoundException,
  CloudFormationServiceException,
  InsufficientCapabilitiesException,
  InvalidChangeSetStatusException,
  TokenAlreadyExistsException,
} from '@aws-sdk/client-cloudformation';
import type { AwsFailure, ExceptionClass } from '../aws-errors';

/**
 * CloudFormation's errors, with the codes, messages and statuses the real service returns (see
 * test/fixtures/sandbox/SOURCES.md for the recorded ones). CloudFormation speaks the query
 * protocol: errors carry `Code` and `Type` besides the SDK's `name`.
 */
export type CloudFormationError = AwsFailure;

function sender(exceptionClass: unknown, name: string, code: string, message: string, httpStatusCode = 400): CloudFormationError {
  return {
    // Each modeled class takes the base class's options; the cast forgets their narrower option types.
    exceptionClass: exceptionClass as ExceptionClass,
    spec: { name, message, httpStatusCode, members: { Code: code, Type: 'Sender', Error: { Code: code, Type: 'Sender', Message: message } } },
  };
}

/** `ValidationError` is not modeled: the SDK throws the service's base exception named after the code. */
export function validationError(message: string): CloudFormationError {
  return sender(CloudFormationServiceException, 'ValidationError', 'ValidationError', message);
}

/** DescribeStacks, DescribeStackEvents, DeleteStack by id: the one answer that means "absent". */
export function stackWithIdDoesNotExist(stackName: string): CloudFormationError {
  return validationError(`Stack with id ${stackName} does not exist`);
}

/** DescribeChangeSet and CreateChangeSet(UPDATE) word a missing stack differently. */
export function stackDoesNotExist(stackName: string): CloudFormationError {
  return validationError(`Stack [${stackName}] does not exist`);
}

export function changeSetNotFound(changeSetName: string): CloudFormationError {
  return sender(ChangeSetNotFoundException, 'ChangeSetNotFoundException', 'ChangeSetNotFound', `ChangeSet [${changeSetName}] does not exist`, 404);
}

export function invalidChangeSetStatus(message: string): CloudFormationError {
  return sender(InvalidChangeSetStatusException, 'InvalidChangeSetStatusException', 'InvalidChangeSetStatus', message);
}

export function alreadyExists(message: string): CloudFormationError {
  return sender(AlreadyExistsException, 'AlreadyExistsException', 'AlreadyExistsException', message);
}

export function insufficientCapabilities(capability: string): CloudFormationError {
  return sender(
    InsufficientCapabilitiesException,
    'InsufficientCapabilitiesException',
    'InsufficientCapabilitiesException',
    `Requires capabilities : [${capability}]`,
  );
}

export function tokenAlreadyExists(token: string): CloudFormationError {
  return sender(
    TokenAlreadyExistsException,
    'TokenAlreadyExistsException',
    'TokenAlreadyExistsException',
    `Another Stack operation with ClientRequestToken ${token} already exists.`,
  );
}
