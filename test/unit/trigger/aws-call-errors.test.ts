import { describeError, isAccessDenied, isTransient } from '../../../functions/trigger/aws-call-errors';
import { awsError } from './helpers';

describe('AWS error classification', () => {
  it.each([
    [awsError('AccessDenied', 'Access Denied', { httpStatusCode: 403 }), true],
    [awsError('AccessDeniedException', 'denied'), true],
    [awsError('ValidationException', 'User: x is not authorized to perform: states:StartExecution'), true],
    [awsError('ValidationException', 'Invalid ARN'), false],
  ])('access denied: %s → %s', (error, expected) => {
    expect(isAccessDenied(error)).toBe(expected);
  });

  it.each([
    [awsError('ThrottlingException', 'Rate exceeded', { retryable: true }), true],
    [awsError('InternalServerError', 'oops', { fault: 'server', httpStatusCode: 500 }), true],
    [Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' }), true],
    [awsError('ExecutionDoesNotExist', 'gone'), false],
    ['a string', false],
  ])('transient: %s → %s', (error, expected) => {
    expect(isTransient(error)).toBe(expected);
  });

  it('describes errors the way the CLI prints them', () => {
    expect(describeError(awsError('NoSuchKey', 'The specified key does not exist.'))).toBe('NoSuchKey: The specified key does not exist.');
    expect(describeError('plain')).toBe('Error: plain');
  });
});
