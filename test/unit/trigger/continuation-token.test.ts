import {
  CONTINUATION_TOKEN_VERSION,
  actionBinding,
  decodeContinuationToken,
  encodeContinuationToken,
  encodePendingStartToken,
} from '../../../functions/trigger/continuation-token';
import { ContinuationTokenError } from '../../../functions/trigger/errors';
import { executionNameFor } from '../../../functions/trigger/execution-name';
import type { Job } from '../../../functions/trigger/job-event';
import { MAX_CONTINUATION_TOKEN_LENGTH } from '../../../functions/trigger/limits';
import { DEVGUIDE_ARTIFACT, DEVGUIDE_JOB_ID, STATE_MACHINE_ARN, USER_PARAMETERS, executionArnOf } from './helpers';

const executionArn = executionArnOf(executionNameFor(DEVGUIDE_JOB_ID));
const OTHER_JOB_ID = '11111111-abcd-1111-abcd-111111abcdef';
const STARTED_AT = Date.parse('2026-11-23T21:00:00Z');

/** A continuation job of the action the devguide job began: a job id of its own, the same configuration and artifacts. */
const job = (overrides: Partial<Job> = {}): Job => ({
  id: '22222222-abcd-2222-abcd-222222abcdef',
  userParameters: JSON.stringify(USER_PARAMETERS),
  inputArtifacts: [{ name: 'SourceArtifact', location: { type: 'S3', bucketName: DEVGUIDE_ARTIFACT.bucket, objectKey: DEVGUIDE_ARTIFACT.key } }],
  ...overrides,
});

const binding = actionBinding(DEVGUIDE_JOB_ID, job());
const follow = { executionArn, jobId: DEVGUIDE_JOB_ID, startedAt: STARTED_AT, binding };

describe('continuation token', () => {
  it('round-trips the execution ARN, the job that started it, when, and the action it belongs to', () => {
    const token = encodeContinuationToken(follow);
    expect(JSON.parse(token)).toEqual({ v: CONTINUATION_TOKEN_VERSION, ...follow });
    expect(decodeContinuationToken(token, STATE_MACHINE_ARN, job())).toEqual({ v: CONTINUATION_TOKEN_VERSION, ...follow });
  });

  it('keeps the time the status reads began to fail', () => {
    const token = encodeContinuationToken({ ...follow, failingSince: STARTED_AT + 60_000 });
    expect(decodeContinuationToken(token, STATE_MACHINE_ARN, job())).toMatchObject({ failingSince: STARTED_AT + 60_000 });
  });

  it('round-trips a pending start', () => {
    const token = encodePendingStartToken({ jobId: DEVGUIDE_JOB_ID, startAttempts: 2, binding });
    expect(decodeContinuationToken(token, STATE_MACHINE_ARN, job())).toEqual({ v: CONTINUATION_TOKEN_VERSION, jobId: DEVGUIDE_JOB_ID, startAttempts: 2, binding });
  });

  it('binds a token to the action: the same for every job of one action, different for another pipeline run or action', () => {
    expect(actionBinding(DEVGUIDE_JOB_ID, job({ id: 'any-continuation-job' }))).toBe(binding);
    expect(actionBinding(OTHER_JOB_ID, job())).not.toBe(binding);
    const otherRun = job({ inputArtifacts: [{ name: 'SourceArtifact', location: { type: 'S3', bucketName: DEVGUIDE_ARTIFACT.bucket, objectKey: 'my-pipeline/SourceArti/Other12' } }] });
    expect(actionBinding(DEVGUIDE_JOB_ID, otherRun)).not.toBe(binding);
    expect(actionBinding(DEVGUIDE_JOB_ID, job({ userParameters: JSON.stringify({ ...USER_PARAMETERS, stateMachineFile: 'staging/my-app.json' }) }))).not.toBe(binding);
  });

  it('stays far below the 2048 characters CodePipeline keeps, even for the longest names', () => {
    const longestArn = `arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:${'m'.repeat(80)}:${executionNameFor('j'.repeat(500))}`;
    const token = encodeContinuationToken({ ...follow, executionArn: longestArn, jobId: 'j'.repeat(500), failingSince: STARTED_AT });
    expect(token.length).toBeLessThan(MAX_CONTINUATION_TOKEN_LENGTH);
  });

  it('refuses to write a token CodePipeline would reject', () => {
    expect(() => encodeContinuationToken({ ...follow, jobId: 'j'.repeat(MAX_CONTINUATION_TOKEN_LENGTH) })).toThrow(ContinuationTokenError);
  });

  const v = CONTINUATION_TOKEN_VERSION;
  it.each([
    ['an empty object', '{}', 'does not have the shape'],
    ['an array', '[]', 'does not have the shape'],
    ['null', 'null', 'does not have the shape'],
    ['not JSON', '{"v":2,"jobId":', 'is not the JSON'],
    ['over 2048 characters', JSON.stringify({ ...follow, v, pad: 'x'.repeat(MAX_CONTINUATION_TOKEN_LENGTH) }), 'characters long'],
    ['an extra field', JSON.stringify({ v, ...follow, extra: true }), 'does not have the shape'],
    ['the version 1 token of the previous trigger', JSON.stringify({ v: 1, executionArn, jobId: DEVGUIDE_JOB_ID }), 'has version 1'],
    ['the sample trigger\'s token', JSON.stringify({ stateMachineExecutionArn: executionArn }), 'does not have the shape'],
    ['a token of another job', JSON.stringify({ v, ...follow, jobId: OTHER_JOB_ID, executionArn: executionArnOf(executionNameFor(OTHER_JOB_ID)), binding: actionBinding(OTHER_JOB_ID, job({ inputArtifacts: [] })) }), 'another pipeline job'],
    ['a job id edited in', JSON.stringify({ v, ...follow, jobId: OTHER_JOB_ID }), 'another pipeline job'],
    ['a binding edited', JSON.stringify({ v, ...follow, binding: 'f'.repeat(binding.length) }), 'another pipeline job'],
    ['an execution edited to one not started for its job', JSON.stringify({ v, ...follow, executionArn: executionArnOf('manual-run-1') }), 'was not started for job'],
    ['an execution of another state machine', JSON.stringify({ v, ...follow, executionArn: executionArn.replace('DeployStateMachine', 'Other') }), 'not an execution of the configured state machine'],
    ['a pending start for another job', JSON.stringify({ v, jobId: OTHER_JOB_ID, startAttempts: 1, binding }), 'another pipeline job'],
    ['a pending start with no attempts', JSON.stringify({ v, jobId: DEVGUIDE_JOB_ID, startAttempts: 0, binding }), 'does not have the shape'],
  ])('refuses %s', (_what, token, words) => {
    expect(() => decodeContinuationToken(token, STATE_MACHINE_ARN, job())).toThrow(ContinuationTokenError);
    expect(() => decodeContinuationToken(token, STATE_MACHINE_ARN, job())).toThrow(words);
  });

  it('refuses the token of this action when it reaches a job of another pipeline run', () => {
    const token = encodeContinuationToken(follow);
    const otherRun = job({ inputArtifacts: [{ name: 'SourceArtifact', location: { type: 'S3', bucketName: 'b', objectKey: 'k' } }] });
    expect(() => decodeContinuationToken(token, STATE_MACHINE_ARN, otherRun)).toThrow(/another pipeline job.*not acted on/);
  });
});
