import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { fixtureJson, rejectionOf, useSandbox } from './helpers';

const sfn = new SFNClient({});

/** A small definition: a task, an hour-long wait (it takes no real time), and a choice on the result. */
const DEFINITION = JSON.stringify({
  StartAt: 'Do Work',
  States: {
    'Do Work': { Type: 'Task', Resource: '${DoWorkFunctionArn}', ResultPath: '$.work', Next: 'Pause' },
    Pause: { Type: 'Wait', Seconds: 3600, Next: 'Worked?' },
    'Worked?': { Type: 'Choice', Choices: [{ Variable: '$.work.ok', BooleanEquals: true, Next: 'Done' }], Default: 'Failed' },
    Done: { Type: 'Succeed' },
    Failed: { Type: 'Fail', Error: 'NotOk', Cause: 'the work was not ok' },
  },
});

class WorkError extends Error {
  override readonly name = 'WorkError' as const;
}

describe('Step Functions sandbox', () => {
  const sandbox = useSandbox({ stepFunctions: { runningDescribes: 2 } });

  function register(handler: (event: { ok?: boolean; fail?: boolean }) => Promise<unknown>): string {
    return sandbox().stepFunctions.registerStateMachine({ name: 'work', definitionText: DEFINITION, handlers: { 'Do Work': handler } });
  }

  it('runs an execution in the local engine: RUNNING for the set number of describes, then SUCCEEDED with output', async () => {
    // Prepare
    const stateMachineArn = register(async (event) => ({ ok: event.ok }));

    // Act
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'job-1', input: '{"ok":true}' }));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn })));

    // Assess
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:work:job-1');
    expect(statuses.map((status) => status.status)).toEqual(['RUNNING', 'RUNNING', 'SUCCEEDED']);
    expect(statuses[0]).not.toHaveProperty('output');
    expect(JSON.parse(statuses[2].output ?? 'null')).toEqual({ ok: true, work: { ok: true } });
    expect(statuses[2]).toMatchObject({ name: 'job-1', input: '{"ok":true}', stopDate: expect.any(Date) });
  });

  it('is idempotent by name and input while the execution is open; another input or a closed execution is ExecutionAlreadyExists', async () => {
    // Prepare
    const stateMachineArn = register(async () => ({ ok: true }));
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'job-1', input: '{"ok":true}' }));

    // Act
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'job-1', input: '{"ok":true}' }));
    const otherInput = await rejectionOf(sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'job-1', input: '{"ok":false}' })));
    for (let i = 0; i < 3; i++) await sfn.send(new DescribeExecutionCommand({ executionArn: first.executionArn }));
    const afterClose = await rejectionOf(sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'job-1', input: '{"ok":true}' })));

    // Assess
    expect(again).toMatchObject({ executionArn: first.executionArn, startDate: first.startDate });
    expect(otherInput).toBeInstanceOf(ExecutionAlreadyExists);
    expect(otherInput.message).toBe(`Execution Already Exists: '${first.executionArn}'`);
    expect(afterClose.name).toBe('ExecutionAlreadyExists');
    expect(sandbox().stepFunctions.allExecutions()).toHaveLength(1);
  });

  it('reports a failed execution with error and cause, and a history shaped like AWS\'s', async () => {
    // Prepare
    const recordedDescribe = fixtureJson<Record<string, unknown>>('sfn-describe-execution-failed.json');
    const recordedHistory = fixtureJson<{ events: Array<Record<string, unknown>> }>('sfn-history-lambda-function-failed.json').events;
    const stateMachineArn = register(async (event) => {
      if (event.fail) throw new WorkError('the work broke');
      return {};
    });
    sandbox().stepFunctions.options.runningDescribes = 0;

    // Act
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'job-2', input: '{"fail":true}' }));
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));

    // Assess
    expect(described).toMatchObject({ status: 'FAILED', error: 'WorkError', cause: '{"errorType":"WorkError","errorMessage":"the work broke"}' });
    expect(Object.keys(described)).toEqual(expect.arrayContaining(Object.keys(recordedDescribe).filter((key) => key !== 'ResponseMetadata')));
    const types = history.events?.map((event) => event.type);
    expect(types).toEqual(recordedHistory.map((event) => event.type));
    expect(history.events?.[1]).toMatchObject({ type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Do Work' } });
    expect(history.events?.[4]).toMatchObject({ type: 'LambdaFunctionFailed', lambdaFunctionFailedEventDetails: { error: 'WorkError' } });
    expect(history.events?.map((event) => event.id)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('shows a growing part of the history while RUNNING, newest first with reverseOrder', async () => {
    // Prepare
    const stateMachineArn = register(async () => ({ ok: false }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'job-3', input: '{}' }));

    // Act
    const early = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1 }));
    await sfn.send(new DescribeExecutionCommand({ executionArn }));
    await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const later = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }));
    await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const done = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }));

    // Assess
    expect(early.events).toHaveLength(1);
    expect(early.nextToken).toEqual(expect.any(String));
    expect(later.events?.length).toBeGreaterThan(1);
    expect(later.events?.some((event) => event.type === 'ExecutionFailed' || event.type === 'ExecutionSucceeded')).toBe(false);
    expect(done.events?.[0].type).toBe('ExecutionFailed');
    expect(done.events?.[0].executionFailedEventDetails).toEqual({ error: 'NotOk', cause: 'the work was not ok' });
  });

  it('answers an unknown execution with ExecutionDoesNotExist', async () => {
    // Act
    const error = await rejectionOf(sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:work:nope' })));

    // Assess
    expect(error).toBeInstanceOf(ExecutionDoesNotExist);
    expect(error.message).toBe("Execution Does Not Exist: 'arn:aws:states:us-east-1:123456789012:execution:work:nope'");
  });
});
