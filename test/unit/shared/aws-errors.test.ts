import { ChangeSetNotFoundException } from '@aws-sdk/client-cloudformation';
import { awsCall, errorMessage, errorName, isStackMissing, isTransient, toDeploymentError } from '../../../functions/shared/aws-errors';
import { AwsCallError, AwsTransientError, InvalidInputError } from '../../../functions/shared/errors';
import { awsError, fixture, stackMissing } from '../../helpers/aws';
import { alreadyExists, changeSetNotFound, rejectionOf } from '../helpers';

type PublishedError = { Error: { Code: string; Message: string }; ResponseMetadata: { HTTPStatusCode: number } };
/** A published CloudFormation error body, as the SDK throws it. */
function published(file: string): Error {
  const { Error: body, ResponseMetadata } = fixture<PublishedError>(`cloudformation/${file}`);
  return awsError(body.Code, body.Message, ResponseMetadata.HTTPStatusCode);
}
/** A published error that was recorded as the CLI's one-line text: "An error occurred (Code) when calling the X operation: Message". */
function publishedText(file: string): Error {
  const text = fixture<string>(`cloudformation/${file}`);
  const [, code, message] = /^An error occurred \((\w+)\) when calling the \w+ operation: (.*)$/.exec(text)!;
  return awsError(code, message);
}
/** A socket error as Node's http client raises it: the name is "Error", the code says what happened. */
function networkError(code: string): Error {
  return Object.assign(new Error(`read ${code}`), { code, errno: -104, syscall: 'read' });
}

describe('isStackMissing', () => {
  it('is true for the published "Stack with id X does not exist" ValidationError', () => {
    expect(isStackMissing(stackMissing('prod-app'))).toBe(true);
  });

  it('is true when the stack is named by its id', () => {
    expect(isStackMissing(stackMissing('arn:aws:cloudformation:us-east-1:123456789012:stack/prod-app/1a2345b6'))).toBe(true);
  });

  it.each([
    ['the published "No updates are to be performed." ValidationError', published('cfn-error-no-updates.json')],
    ['the published "Stack [x] already exists" ValidationError of CreateChangeSet', published('cfn-error-create-change-set-stack-exists.json')],
    ['DescribeChangeSet\'s published "Stack [somestack] does not exist", worded differently', publishedText('cfn-error-describe-change-set-stack-missing.json')],
    ['a ValidationError that only contains the sentence', awsError('ValidationError', 'Template error: Stack with id prod-app does not exist in the account')],
    ['the sentence under another error name', awsError('AccessDenied', 'Stack with id prod-app does not exist')],
    ['throttling', awsError('Throttling', 'Rate exceeded')],
    ['access denied', awsError('AccessDenied', 'User: arn:aws:sts::123456789012:assumed-role/deploy/fn is not authorized to perform: cloudformation:DescribeStacks', 403)],
    ['a server error', awsError('InternalFailure', 'An internal error occurred', 500)],
    ['ChangeSetNotFound', changeSetNotFound()],
    ['a string', 'Stack with id prod-app does not exist'],
    ['undefined', undefined],
  ])('is false for %s', (_case, error) => {
    expect(isStackMissing(error)).toBe(false);
  });
});

describe('isTransient', () => {
  it.each([
    ['Throttling (CloudFormation, HTTP 400)', awsError('Throttling', 'Rate exceeded')],
    ['ThrottlingException', awsError('ThrottlingException', 'Rate exceeded')],
    ['TooManyRequestsException', awsError('TooManyRequestsException', 'Too many requests', 429)],
    ['RequestLimitExceeded', awsError('RequestLimitExceeded', 'Request limit exceeded.')],
    ['SlowDown (S3, HTTP 503)', awsError('SlowDown', 'Please reduce your request rate.', 503)],
    ['InternalError (S3, HTTP 500)', awsError('InternalError', 'We encountered an internal error.', 500)],
    ['ServiceUnavailable', awsError('ServiceUnavailable', 'Service is unavailable', 503)],
    ['any HTTP 5xx', awsError('SomethingNew', 'Bad gateway', 502)],
    ['HTTP 429 under any name', Object.assign(new Error('slow down'), { name: 'Whatever', $metadata: { httpStatusCode: 429 } })],
    ['a server fault without a status', Object.assign(new Error('oops'), { name: 'Whatever', $fault: 'server' })],
    ['the SDK\'s TimeoutError', Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' })],
    ['a connection reset (Node socket error, code ECONNRESET)', networkError('ECONNRESET')],
    ['a broken pipe (code EPIPE)', networkError('EPIPE')],
    ['a connect timeout (code ETIMEDOUT)', networkError('ETIMEDOUT')],
  ])('is true for %s', (_case, error) => {
    expect(isTransient(error)).toBe(true);
  });

  it.each([
    ['a ValidationError', stackMissing('prod-app')],
    ['AccessDenied (HTTP 403)', awsError('AccessDenied', 'not authorized', 403)],
    ['AlreadyExistsException', alreadyExists('Stack [prod-app] already exists')],
    ['ChangeSetNotFoundException (HTTP 404)', changeSetNotFound()],
    ['NoSuchKey (HTTP 404)', awsError('NoSuchKey', 'The specified key does not exist.', 404)],
    ['a plain Error', new Error('boom')],
    ['a string', 'Throttling'],
  ])('is false for %s', (_case, error) => {
    expect(isTransient(error)).toBe(false);
  });
});

describe('errorName and errorMessage', () => {
  it('read the SDK exception\'s name and message', () => {
    const error = changeSetNotFound();

    expect(errorName(error)).toBe('ChangeSetNotFoundException');
    expect(error).toBeInstanceOf(ChangeSetNotFoundException);
    expect(errorMessage(error)).toBe('ChangeSet [<cs-1-name>] does not exist');
  });

  it('read something that is not an object', () => {
    expect(errorName('boom')).toBe('Error');
    expect(errorMessage('boom')).toBe('boom');
  });
});

describe('toDeploymentError', () => {
  it('makes a transient error an AwsTransientError, which the ASL retries, keeping the cause', () => {
    const throttled = awsError('Throttling', 'Rate exceeded');

    const error = toDeploymentError(throttled, 'CloudFormation DescribeStacks prod-app');

    expect(error).toBeInstanceOf(AwsTransientError);
    expect(error.name).toBe('AwsTransientError');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('CloudFormation DescribeStacks prod-app failed with Throttling: Rate exceeded (transient; the state retries it with backoff)');
    expect(error.cause).toBe(throttled);
  });

  it('makes any other error an AwsCallError naming the call, not retried', () => {
    const error = toDeploymentError(published('cfn-error-no-updates.json'), 'CloudFormation UpdateStack prod-app');

    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe('CloudFormation UpdateStack prod-app failed with ValidationError: No updates are to be performed..');
  });

  it('says which permission is missing on AccessDenied', () => {
    const error = toDeploymentError(awsError('AccessDenied', 'not authorized to perform: s3:GetObject', 403), 'S3 GetObject s3://b/k');

    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message).toContain('S3 GetObject s3://b/k failed with AccessDenied: not authorized to perform: s3:GetObject.');
    expect(error.message).toContain('lacks this permission');
  });

  it('passes an error of ours through as it is', () => {
    const ours = new InvalidInputError('bad input');

    expect(toDeploymentError(ours, 'anything')).toBe(ours);
  });
});

describe('awsCall', () => {
  it('returns what the call returns', async () => {
    await expect(awsCall('S3 PutObject', async () => 'done')).resolves.toBe('done');
  });

  it('classifies what the call throws', async () => {
    const error = await rejectionOf(awsCall('CloudFormation DescribeStackEvents prod-app', async () => Promise.reject(awsError('Throttling', 'Rate exceeded'))));

    expect(error).toBeInstanceOf(AwsTransientError);
    expect(error.message).toMatch(/^CloudFormation DescribeStackEvents prod-app failed with Throttling/);
  });
});
