import { decodeContinuationToken, encodeContinuationToken } from '../../../functions/trigger/continuation-token';
import { ContinuationTokenError } from '../../../functions/trigger/errors';
import { executionNameFor } from '../../../functions/trigger/execution-name';
import { MAX_CONTINUATION_TOKEN_LENGTH } from '../../../functions/trigger/limits';
import { DEVGUIDE_JOB_ID, STATE_MACHINE_ARN, executionArnOf } from './helpers';

const executionArn = executionArnOf(executionNameFor(DEVGUIDE_JOB_ID));

describe('continuation token', () => {
  it('round-trips the execution ARN and the job that started it', () => {
    const token = encodeContinuationToken({ executionArn, jobId: DEVGUIDE_JOB_ID });
    expect(decodeContinuationToken(token, STATE_MACHINE_ARN)).toEqual({ v: 1, executionArn, jobId: DEVGUIDE_JOB_ID });
  });

  it('stays far below the 2048 characters CodePipeline keeps, even for the longest names', () => {
    const longestArn = `arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:${'m'.repeat(80)}:${executionNameFor('j'.repeat(500))}`;
    expect(encodeContinuationToken({ executionArn: longestArn, jobId: 'j'.repeat(500) }).length).toBeLessThan(MAX_CONTINUATION_TOKEN_LENGTH);
  });

  it('refuses to write a token CodePipeline would reject', () => {
    expect(() => encodeContinuationToken({ executionArn, jobId: 'j'.repeat(MAX_CONTINUATION_TOKEN_LENGTH) })).toThrow(ContinuationTokenError);
  });

  it.each([
    ['an empty object', '{}'],
    ['an array', '[]'],
    ['null', 'null'],
    ['an extra field', JSON.stringify({ v: 1, executionArn, jobId: DEVGUIDE_JOB_ID, extra: true })],
    ['the sample trigger\'s token', JSON.stringify({ stateMachineExecutionArn: executionArn })],
    ['a job id that did not start the execution', JSON.stringify({ v: 1, executionArn, jobId: '11111111-abcd-1111-abcd-111111abcdef' })],
  ])('refuses %s', (_what, token) => {
    expect(() => decodeContinuationToken(token, STATE_MACHINE_ARN)).toThrow(ContinuationTokenError);
  });
});
