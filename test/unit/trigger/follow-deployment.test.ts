import * as fs from 'fs';
import * as path from 'path';
import { mockClient } from 'aws-sdk-client-mock';
import { CodePipelineClient, PutJobFailureResultCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { handler } from '../../../functions/trigger/handler';
import { actionBinding } from '../../../functions/trigger/continuation-token';
import { readJob } from '../../../functions/trigger/job-event';
import { DEADLINE_GRACE_MS, STATUS_UNREADABLE_LIMIT_MS } from '../../../functions/trigger/limits';
import { STACK_OPERATIONS, findingsFrom } from '../../../functions/trigger/stopped-execution';
import { changeSetNameFor } from '../../../functions/shared/names';
import { DEVGUIDE_JOB_ID, STATE_MACHINE_ARN, awsError, captureOutput, describedExecution, executionArnOf, historyInState, inputDocument, jobEvent, readFixture } from './helpers';

const sfn = mockClient(SFNClient);
const codePipeline = mockClient(CodePipelineClient);

const EXECUTION_NAME = `codepipeline-${DEVGUIDE_JOB_ID}`;
const EXECUTION_ARN = executionArnOf(EXECUTION_NAME);
const CHANGE_SET = changeSetNameFor(EXECUTION_NAME);
const NOW = Date.parse('2026-12-04T02:00:00Z');
const MINUTE = 60_000;
const BINDING = actionBinding(DEVGUIDE_JOB_ID, readJob(jobEvent()));
/** What the trigger started: prod-my-app, with the default deadline unless a test says otherwise. */
const INPUT = JSON.stringify(inputDocument());

function continuing(fields: { startedAt?: number; failingSince?: number } = {}) {
  const token = JSON.stringify({ v: 2, executionArn: EXECUTION_ARN, jobId: DEVGUIDE_JOB_ID, startedAt: fields.startedAt ?? NOW - MINUTE, binding: BINDING, ...fields });
  return jobEvent({ jobId: 'd1e87542-c1f8-xmpl-a8f4-f9ff897fc7a7', continuationToken: token });
}

function continued() {
  expect(codePipeline.commandCalls(PutJobFailureResultCommand)).toHaveLength(0);
  const [call] = codePipeline.commandCalls(PutJobSuccessResultCommand);
  return { ...call.args[0].input, token: JSON.parse(call.args[0].input.continuationToken!) as Record<string, unknown> };
}

function failure() {
  expect(codePipeline.commandCalls(PutJobSuccessResultCommand)).toHaveLength(0);
  const [call] = codePipeline.commandCalls(PutJobFailureResultCommand);
  return call.args[0].input.failureDetails!;
}

/** A history, oldest first: each Task state entered, its Lambda scheduled and started, and (unless cut short) succeeded. */
function history(...steps: Array<[state: string, outcome?: 'succeeded' | 'running' | 'failed']>): HistoryEvent[] {
  const events: Array<Omit<HistoryEvent, 'id' | 'previousEventId' | 'timestamp'>> = [{ type: 'ExecutionStarted' }];
  for (const [state, outcome = 'succeeded'] of steps) {
    const isTask = !/\?$|^Wait /.test(state);
    const kind = state.endsWith('?') ? 'Choice' : state.startsWith('Wait ') ? 'Wait' : 'Task';
    events.push({ type: `${kind}StateEntered`, stateEnteredEventDetails: { name: state } } as HistoryEvent);
    if (isTask) events.push({ type: 'LambdaFunctionScheduled' }, { type: 'LambdaFunctionStarted' });
    if (outcome === 'running') continue;
    if (isTask) events.push({ type: outcome === 'failed' ? 'LambdaFunctionFailed' : 'LambdaFunctionSucceeded' });
    events.push({ type: `${kind}StateExited`, stateExitedEventDetails: { name: state } } as HistoryEvent);
  }
  events.push({ type: 'ExecutionAborted' });
  const timestamp = new Date(NOW - MINUTE);
  return events.map((event, index) => ({ ...event, id: index + 1, previousEventId: index, timestamp }) as HistoryEvent);
}

const UPDATE_LOOP: Array<[string]> = [['Wait Stack Update'], ['Get Stack Update Status'], ['Stack Updated?']];
const BEFORE_CHANGE_SET: Array<[string]> = [['Prepare Deployment'], ['Check Stack Existence'], ['Does Stack Exist?']];

let output: ReturnType<typeof captureOutput>;
const savedArn = process.env.STATE_MACHINE_ARN;

beforeEach(() => {
  sfn.reset();
  codePipeline.reset();
  codePipeline.on(PutJobSuccessResultCommand).resolves({});
  codePipeline.on(PutJobFailureResultCommand).resolves({});
  process.env.STATE_MACHINE_ARN = STATE_MACHINE_ARN;
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  jest.restoreAllMocks();
  if (savedArn === undefined) delete process.env.STATE_MACHINE_ARN;
  else process.env.STATE_MACHINE_ARN = savedArn;
});

describe('status reads that keep failing', () => {
  const throttled = () => awsError('ThrottlingException', 'Rate exceeded', { retryable: true });

  it('records when they began to fail in the token, and continues', async () => {
    sfn.on(DescribeExecutionCommand).rejects(throttled());

    await handler(continuing());

    expect(continued().token).toMatchObject({ failingSince: NOW, startedAt: NOW - MINUTE });
  });

  it('keeps the first failure\'s time while inside the limit', async () => {
    sfn.on(DescribeExecutionCommand).rejects(throttled());

    await handler(continuing({ failingSince: NOW - STATUS_UNREADABLE_LIMIT_MS + MINUTE }));

    expect(continued().token.failingSince).toBe(NOW - STATUS_UNREADABLE_LIMIT_MS + MINUTE);
  });

  it('forgets the failures once a read succeeds', async () => {
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'RUNNING', input: INPUT }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: historyInState('Wait Stack Update', 'WaitStateEntered') });

    await handler(continuing({ failingSince: NOW - 2 * MINUTE }));

    expect(continued().token).not.toHaveProperty('failingSince');
  });

  it('fails the job once they have failed past the limit, naming the execution and where to look', async () => {
    sfn.on(DescribeExecutionCommand).rejects(awsError('InternalFailure', 'Service unavailable', { fault: 'server', httpStatusCode: 500 }));

    await handler(continuing({ failingSince: NOW - STATUS_UNREADABLE_LIMIT_MS - MINUTE }));

    const { type, message } = failure();
    expect(type).toBe('JobFailed');
    expect(message).toContain(`The status of the deployment's execution ${EXECUTION_ARN} could not be read for 6 minutes (last answer: InternalFailure: Service unavailable)`);
    expect(message).toContain('The deployment may still be running');
    expect(message).toContain(`https://us-west-2.console.aws.amazon.com/states/home?region=us-west-2#/v2/executions/details/${EXECUTION_ARN}`);
  });
});

describe('an execution running past its deadline', () => {
  it('keeps following inside the deadline and its grace', async () => {
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'RUNNING', input: INPUT }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: historyInState('Wait Stack Update', 'WaitStateEntered') });

    await handler(continuing({ startedAt: NOW - 3600_000 - DEADLINE_GRACE_MS + MINUTE }));

    expect(continued().token.startedAt).toBe(NOW - 3600_000 - DEADLINE_GRACE_MS + MINUTE);
  });

  it('fails the job past start + maxWaitSeconds (default 3600) + grace, naming the execution and the stack', async () => {
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'RUNNING', input: INPUT }));

    await handler(continuing({ startedAt: NOW - 3600_000 - DEADLINE_GRACE_MS - MINUTE }));

    const { type, message } = failure();
    expect(type).toBe('JobFailed');
    expect(message).toContain(`The deployment's execution ${EXECUTION_ARN} is still running 76 minutes after it started, past its deadline (maxWaitSeconds 3600`);
    expect(message).toContain('The execution was not stopped');
    expect(message).toContain('stack prod-my-app may still be changing');
    expect(message).toContain('cloudformation/home?region=us-west-2#/stacks?filteringText=prod-my-app');
  });

  it.each([
    [24, 'continues'],
    [26, 'fails'],
  ])('takes maxWaitSeconds from the execution\'s input (600 s + 15 min grace): %i minutes in, it %s', async (minutesIn, verdict) => {
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'RUNNING', input: JSON.stringify(inputDocument({ maxWaitSeconds: 600 })) }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });

    await handler(continuing({ startedAt: NOW - minutesIn * MINUTE }));

    if (verdict === 'fails') expect(failure().message).toContain('maxWaitSeconds 600');
    else expect(continued().token.startedAt).toBe(NOW - minutesIn * MINUTE);
  });

  it('does not let a start time in the future put the deadline off', async () => {
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'RUNNING', input: INPUT }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });

    await handler(continuing({ startedAt: NOW + 365 * 24 * 60 * MINUTE }));

    expect(continued().token.startedAt).toBe(NOW);
  });
});

describe('an ABORTED or TIMED_OUT execution says what it may have left behind', () => {
  /** The recorded TIMED_OUT execution (no error, no cause) with this deployment's name and input. */
  function stopped(status: 'ABORTED' | 'TIMED_OUT', events: HistoryEvent[]): void {
    const recorded = readFixture<Record<string, unknown>>('sfn', 'sfn-describe-execution-timed-out.json');
    expect(recorded).not.toHaveProperty('cause');
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status, input: INPUT }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events });
  }

  it('an update accepted and never seen finishing: the stack may still be changing; the change set was executed', async () => {
    stopped('ABORTED', history(...BEFORE_CHANGE_SET, ['Create Change Set'], ['Wait Change Set Creation'], ['Get Change Set Creation Status'], ['Change Set Created?'], ['Inspect Change Set Changes'], ['Safe to Update Infra?'], ['Execute Change Set'], ...UPDATE_LOOP, ['Wait Stack Update', 'running']));

    await handler(continuing());

    const { type, message } = failure();
    expect(type).toBe('JobFailed');
    expect(message).toContain(`was stopped: someone or something stopped the state machine execution (execution ${EXECUTION_NAME})`);
    expect(message).toContain('Stack prod-my-app may still be changing: "Execute Change Set" was accepted and no status read saw the update finish.');
    expect(message).toContain('filteringText=prod-my-app');
    expect(message).not.toContain(CHANGE_SET);
  });

  it('a change set created and not executed or deleted: named, with the stack and how to delete it', async () => {
    stopped('TIMED_OUT', history(...BEFORE_CHANGE_SET, ['Create Change Set'], ['Wait Change Set Creation'], ['Get Change Set Creation Status'], ['Change Set Created?'], ['Inspect Change Set Changes', 'running']));

    await handler(continuing());

    const { message } = failure();
    expect(message).toContain('timed out');
    expect(message).toContain('It stopped before changing stack prod-my-app (in "Inspect Change Set Changes").');
    expect(message).toContain(`Change set ${CHANGE_SET} was created and neither executed nor deleted: it is still on stack prod-my-app.`);
    expect(message).toContain(`aws cloudformation delete-change-set --stack-name prod-my-app --change-set-name ${CHANGE_SET}`);
  });

  it('stopped inside "Create Stack": the stack may be changing', async () => {
    stopped('ABORTED', history(...BEFORE_CHANGE_SET, ['Create Stack', 'running']));

    await handler(continuing());

    expect(failure().message).toContain('Stack prod-my-app may be changing: the execution stopped inside "Create Stack", which CloudFormation may have accepted.');
  });

  it('stopped inside "Create Change Set": the change set may have been left', async () => {
    stopped('TIMED_OUT', history(...BEFORE_CHANGE_SET, ['Create Change Set', 'running']));

    await handler(continuing());

    expect(failure().message).toContain(`Change set ${CHANGE_SET} may still be on stack prod-my-app`);
  });

  it('an update seen finishing, then stopped: says the update had finished; a rejected change set deleted: nothing left', async () => {
    stopped('ABORTED', history(['Execute Change Set'], ...UPDATE_LOOP, ['Deployment Succeeded', 'running']));
    await handler(continuing());
    expect(failure().message).toContain('The update of stack prod-my-app had finished before the execution stopped.');

    codePipeline.resetHistory();
    stopped('ABORTED', history(['Create Change Set'], ['Inspect Change Set Changes'], ['Safe to Update Infra?'], ['Delete Change Set'], ['Deployment Failed', 'running']));
    await handler(continuing());
    expect(failure().message).not.toContain('Change set');
  });

  it('onUnsafe new-stack: the stack is a generation the input does not name, and Plan New Stack deleted the unsafe change set', async () => {
    stopped(
      'ABORTED',
      history(['Prepare Deployment'], ['Follow Generations?'], ['Find Live Generation'], ['Check Stack Existence'], ['Does Stack Exist?'], ['Create Change Set'], ['Inspect Change Set Changes'], ['Safe to Update Infra?'], ['Plan New Stack'], ['Check Stack Existence'], ['Does Stack Exist?'], ['Create Stack', 'running']),
    );

    await handler(continuing());

    const { message } = failure();
    expect(message).toContain('The newest generation of stack prod-my-app (prod-my-app or prod-my-app-<suffix>, onUnsafe new-stack) may be changing: the execution stopped inside "Create Stack"');
    expect(message).not.toContain('Change set');
  });

  it('reads every page of the history', async () => {
    const events = history(...BEFORE_CHANGE_SET, ['Create Change Set'], ['Wait Change Set Creation', 'running']);
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'ABORTED', input: INPUT }));
    sfn.on(GetExecutionHistoryCommand, { nextToken: undefined }).resolves({ events: events.slice(0, 4), nextToken: 'page-2' });
    sfn.on(GetExecutionHistoryCommand, { nextToken: 'page-2' }).resolves({ events: events.slice(4) });

    await handler(continuing());

    expect(sfn.commandCalls(GetExecutionHistoryCommand).map((call) => call.args[0].input)).toEqual([
      { executionArn: EXECUTION_ARN, maxResults: 1000, includeExecutionData: false, nextToken: undefined },
      { executionArn: EXECUTION_ARN, maxResults: 1000, includeExecutionData: false, nextToken: 'page-2' },
    ]);
    expect(failure().message).toContain(`Change set ${CHANGE_SET} was created`);
  });

  it('says both may have happened when the history cannot be read', async () => {
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'TIMED_OUT', input: INPUT }));
    sfn.on(GetExecutionHistoryCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: states:GetExecutionHistory'));

    await handler(continuing());

    expect(failure().message).toContain(`Its history could not be read, so stack prod-my-app may still be changing and change set ${CHANGE_SET} may still be on it`);
  });

  it('reads the published ABORTED history (stopped in a Wait state) as "stopped before changing the stack"', () => {
    const recorded = readFixture<{ events: HistoryEvent[] }>('sfn', 'sfn-history-execution-aborted.json');
    expect(findingsFrom(recorded.events)).toEqual({ stackOperation: undefined, changeSetLeft: 'no', stoppedIn: 'State_1' });
  });
});

describe('the stack operations table', () => {
  /**
   * The states that wait for the operation started before `first`: reachable from it by Next,
   * Choices and Default (a Catch is the way out of a failed wait, not part of it), up to the end
   * states and to the start of the next operation.
   */
  function waitsFrom(states: Record<string, { Type: string; Next?: string; Default?: string; Choices?: Array<{ Next: string }> }>, first: string): string[] {
    const nextOf = (name: string): string[] => {
      const state = states[name];
      return [state.Next, state.Default, ...(state.Choices ?? []).map((choice) => choice.Next)].filter((next): next is string => next !== undefined);
    };
    const seen = new Set<string>([first]);
    const queue = [first];
    while (queue.length) {
      for (const next of nextOf(queue.shift()!)) {
        if (seen.has(next) || ['Succeed', 'Fail'].includes(states[next].Type) || STACK_OPERATIONS[next]) continue;
        seen.add(next);
        queue.push(next);
      }
    }
    return [...seen].sort();
  }

  it.each(Object.keys(STACK_OPERATIONS))('names the wait loop after "%s" as statemachine/deploy.asl.json has it', (operation) => {
    const definition = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'statemachine', 'deploy.asl.json'), 'utf8')) as {
      States: Record<string, { Type: string; Next?: string; Default?: string; Choices?: Array<{ Next: string }> }>;
    };
    const first = definition.States[operation].Next!;
    expect(waitsFrom(definition.States, first)).toEqual([...STACK_OPERATIONS[operation].loop].sort());
  });
});
