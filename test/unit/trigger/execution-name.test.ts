import { PipelineConfigurationError } from '../../../functions/trigger/errors';
import { executionArnFor, executionNameFor, executionNameOf, readStateMachineArn } from '../../../functions/trigger/execution-name';
import { DEVGUIDE_JOB_ID, STATE_MACHINE_ARN, executionArnOf } from './helpers';

const STEP_FUNCTIONS_NAME = /^[A-Za-z0-9_-]{1,80}$/;

describe('executionNameFor', () => {
  it('is codepipeline-<jobId> for a CodePipeline job id', () => {
    expect(executionNameFor(DEVGUIDE_JOB_ID)).toBe(`codepipeline-${DEVGUIDE_JOB_ID}`);
    expect(executionNameFor('11111111-abcd-1111-abcd-111111abcdef')).toMatch(STEP_FUNCTIONS_NAME);
  });

  it('is the same name every time for the same job, and another for another job', () => {
    expect(executionNameFor(DEVGUIDE_JOB_ID)).toBe(executionNameFor(DEVGUIDE_JOB_ID));
    expect(executionNameFor('11111111-abcd-1111-abcd-111111abcdef')).not.toBe(executionNameFor(DEVGUIDE_JOB_ID));
  });

  it.each([['f4f4ff82-2d11-EXAMPLE'], ['a job id with spaces/and:colons'], ['x'.repeat(200)]])('stays a valid execution name for %s', (jobId) => {
    const name = executionNameFor(jobId);
    expect(name).toMatch(STEP_FUNCTIONS_NAME);
    expect(executionNameFor(jobId)).toBe(name);
  });

  it('hashes ids that do not fit, so two such ids still get two names', () => {
    expect(executionNameFor('a/b')).not.toBe(executionNameFor('a:b'));
  });
});

describe('execution ARNs', () => {
  it('derives the ARN an existing execution of this name has', () => {
    expect(executionArnFor(STATE_MACHINE_ARN, 'codepipeline-x')).toBe(executionArnOf('codepipeline-x'));
  });

  it('reads the name back only from an execution of this state machine', () => {
    expect(executionNameOf(executionArnOf('codepipeline-x'), STATE_MACHINE_ARN)).toBe('codepipeline-x');
    expect(executionNameOf(executionArnOf('codepipeline-x'), `${STATE_MACHINE_ARN}Other`)).toBeUndefined();
    expect(executionNameOf('arn:aws:states:us-west-2:123456789012:execution:DeployStateMachine:', STATE_MACHINE_ARN)).toBeUndefined();
    expect(executionNameOf(`${executionArnOf('a')}:b`, STATE_MACHINE_ARN)).toBeUndefined();
  });
});

describe('readStateMachineArn', () => {
  it('accepts state machine ARNs of any partition', () => {
    expect(readStateMachineArn(STATE_MACHINE_ARN)).toBe(STATE_MACHINE_ARN);
    expect(readStateMachineArn('arn:aws-us-gov:states:us-gov-west-1:123456789012:stateMachine:Deploy.v2')).toBeTruthy();
  });

  it.each([[undefined], [''], ['arn:aws:lambda:us-west-2:123456789012:function:Deploy'], [executionArnOf('x')]])('refuses %p as misconfiguration', (value) => {
    expect(() => readStateMachineArn(value)).toThrow(PipelineConfigurationError);
  });
});
