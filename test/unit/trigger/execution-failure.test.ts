import { failureReport, failureTypeFor, readableCause } from '../../../functions/trigger/execution-failure';
import { readFixture } from './helpers';

describe('readableCause', () => {
  it('unwraps the message of a Lambda error envelope', () => {
    expect(readableCause('{"errorType":"StackNotReadyError","errorMessage":"Stack prod-app is UPDATE_IN_PROGRESS.","trace":["a","b"]}')).toBe(
      'Stack prod-app is UPDATE_IN_PROGRESS.',
    );
  });

  it('unwraps the recorded Lambda failure cause (LocalStack stores it parsed; the API sends it as a string)', () => {
    const { events } = readFixture<{ events: Array<{ type: string; executionFailedEventDetails?: { cause: unknown } }> }>('sfn', 'sfn-history-lambda-function-failed.json');
    const failed = events.find((event) => event.type === 'ExecutionFailed')!;
    expect(readableCause(JSON.stringify(failed.executionFailedEventDetails!.cause))).toBe('Some exception was raised.');
  });

  it('keeps plain text, and JSON that is not an envelope, as it is', () => {
    expect(readableCause('Change set rejected: UsersTable (Remove).')).toBe('Change set rejected: UsersTable (Remove).');
    expect(readableCause('{"reason":"x"}')).toBe('{"reason":"x"}');
    expect(readableCause('42')).toBe('42');
  });

  it('has nothing to say for an empty cause', () => {
    expect(readableCause(undefined)).toBeUndefined();
    expect(readableCause('  ')).toBeUndefined();
  });
});

describe('failureTypeFor', () => {
  it.each([
    ['InvalidInputError', 'templatePath: missing', 'ConfigurationError'],
    ['ConfigurationError', 'CFN_ROLE not set', 'ConfigurationError'],
    ['AwsCallError', 'DescribeStacks: AccessDenied: denied', 'PermissionError'],
    ['AwsCallError', 'User: arn:aws:sts::1:assumed-role/x is not authorized to perform: cloudformation:CreateStack', 'PermissionError'],
    ['AwsCallError', 'ValidationError: Template format error', 'JobFailed'],
    ['ChangeSetRejected', 'AccessDenied appears in a resource name', 'JobFailed'],
    ['States.Runtime', 'An error occurred while executing the state', 'JobFailed'],
    [undefined, undefined, 'JobFailed'],
  ])('%s (%s) → %s', (error, message, type) => {
    expect(failureTypeFor(error, message)).toBe(type);
  });
});

describe('failureReport', () => {
  it('names the status, the error and the cause', () => {
    expect(failureReport('FAILED', 'StackNotReadyError', '{"errorType":"StackNotReadyError","errorMessage":"Busy."}', 'codepipeline-1')).toEqual({
      type: 'JobFailed',
      message: 'The deployment failed (execution codepipeline-1). StackNotReadyError: Busy.',
    });
  });

  it('says what happened when nothing else is known', () => {
    expect(failureReport('ABORTED', undefined, undefined, 'codepipeline-1').message).toBe(
      'The deployment was stopped: someone or something stopped the state machine execution (execution codepipeline-1).',
    );
  });
});
