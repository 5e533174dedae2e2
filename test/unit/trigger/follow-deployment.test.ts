import * as fs from 'fs';
import * as path from 'path';
import { mockClient } from 'aws-sdk-client-mock';
import { CodePipelineClient, PutJobFailureResultCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import { CloudFormationClient, DescribeChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, type GetExecutionHistoryCommandInput, type HistoryEvent } from '@aws-sdk/client-sfn';
import { handler } from '../../../functions/trigger/handler';
import { actionBinding } from '../../../functions/trigger/continuation-token';
import { readJob } from '../../../functions/trigger/job-event';
import { DEADLINE_GRACE_MS, MAX_APPROVAL_HISTORY_EVENTS, STATUS_UNREADABLE_LIMIT_MS } from '../../../functions/trigger/limits';
import { STACK_OPERATIONS, findingsFrom } from '../../../functions/trigger/stopped-execution';
import { changeSetNameFor } from '../../../functions/shared/names';
import { inspectChangeSet } from '../../../functions/shared/inspection';
import type { Inspection } from '../../../functions/shared/state';
import { changeSetPage, changeSetState, deployment as unitDeployment, offendingChange, publishedChangeSet, unsafeInspection } from '../helpers';
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

interface AslState {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: Array<{ Next: string }>;
  Catch?: Array<{ Next: string }>;
}

describe('the stack operations table', () => {
  /**
   * The states that wait for the operation started before `first`: reachable from it by Next,
   * Choices and Default, up to the end states and to the start of the next operation. A Catch is
   * the way out of a failed wait, not part of it, unless it leads to a Choice: then it goes on
   * waiting another way (event mode's wait falling back to polling).
   */
  function waitsFrom(states: Record<string, AslState>, first: string): string[] {
    const nextOf = (name: string): string[] => {
      const state = states[name];
      const reroutes = (state.Catch ?? []).map((catcher) => catcher.Next).filter((next) => states[next].Type === 'Choice');
      return [state.Next, state.Default, ...(state.Choices ?? []).map((choice) => choice.Next), ...reroutes].filter((next): next is string => next !== undefined);
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
    const definition = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'statemachine', 'deploy.asl.json'), 'utf8')) as { States: Record<string, AslState> };
    const { loop } = STACK_OPERATIONS[operation];
    const reached = waitsFrom(definition.States, definition.States[operation].Next!);
    // Operations may share their waits (event mode waits for a create or an update alike): the
    // loop is every wait reached from the operations that list it, and no other state.
    const sharing = Object.keys(STACK_OPERATIONS).filter((other) => STACK_OPERATIONS[other].loop === loop);
    const reachedBySharing = new Set(sharing.flatMap((other) => waitsFrom(definition.States, definition.States[other].Next!)));
    expect(loop).toEqual(expect.arrayContaining(reached));
    expect([...reachedBySharing].sort()).toEqual([...loop].sort());
  });
});

describe('an execution waiting for approval (onUnsafe: approve)', () => {
  const cfn = mockClient(CloudFormationClient);
  const CONSOLE_URL = `https://us-west-2.console.aws.amazon.com/states/home?region=us-west-2#/v2/executions/details/${EXECUTION_ARN}`;

  /**
   * What Inspect Change Set Changes makes of published change sets: the real inspection, over the
   * Conditional replacement and removal of two Secrets Manager secrets (data-bearing, so both are
   * blocked; the added secret is not), and the replaced EC2 instance of the AWS docs' sample.
   */
  async function realInspection(): Promise<Inspection> {
    cfn.reset();
    const changes = [...publishedChangeSet('cfn-dcs-real-secrets-conditional-remove-add.json').Changes!, ...publishedChangeSet('cfn-dcs-awsdocs-replacement-true-multiple.json').Changes!];
    cfn.on(DescribeChangeSetCommand).resolves(changeSetPage('CREATE_COMPLETE', changes));
    return inspectChangeSet(unitDeployment({ onUnsafe: 'approve' }), changeSetState({ status: 'CREATE_COMPLETE', outcome: 'READY' }));
  }

  /**
   * The history, newest first, of an execution waiting in Await Approval: the published lambda:invoke
   * Task's events (TaskStateEntered with the state's input, TaskScheduled with its parameters,
   * TaskStarted), renamed and given this deployment's data, as the API returns them (JSON strings, Dates).
   */
  function waitingHistory(inspection: Inspection | Record<string, unknown>, before: string[] = ['Safe to Update Infra?', 'Inspect Change Set Changes']): HistoryEvent[] {
    const published = readFixture<{ events: Array<Record<string, unknown>> }>('sfn', 'sfn-history-task-failed-lambda-invoke.json').events;
    const [entered, scheduled, started] = ['TaskStateEntered', 'TaskScheduled', 'TaskStarted'].map((type) => structuredClone(published.find((event) => event.type === type)!));
    const data = { ...inputDocument({ onUnsafe: 'approve' }), deployment: unitDeployment({ onUnsafe: 'approve' }), changeSet: changeSetState({ status: 'CREATE_COMPLETE' }), inspection };
    entered.stateEnteredEventDetails = { ...(entered.stateEnteredEventDetails as object), name: 'Await Approval', input: JSON.stringify(data) };
    const payload = { deployment: data.deployment, changeSet: data.changeSet, inspection, taskToken: 'AQCEAAAAKgAAAA-token', executionArn: EXECUTION_ARN };
    scheduled.taskScheduledEventDetails = { ...(scheduled.taskScheduledEventDetails as object), resource: 'invoke.waitForTaskToken', parameters: JSON.stringify({ FunctionName: 'arn:aws:lambda:us-west-2:123456789012:function:await-approval', Payload: payload }) };
    started.taskStartedEventDetails = { ...(started.taskStartedEventDetails as object), resource: 'invoke.waitForTaskToken' };
    const earlier = before.map((name) => ({ type: name.endsWith('?') ? 'ChoiceStateEntered' : 'TaskStateEntered', stateEnteredEventDetails: { name, input: '{}' } }));
    const oldestFirst = [...[...earlier].reverse(), entered, scheduled, started];
    const timestamp = new Date(NOW - MINUTE);
    return oldestFirst.map((event, index) => ({ ...event, id: index + 1, previousEventId: index, timestamp }) as HistoryEvent).reverse();
  }

  /** GetExecutionHistory as Step Functions answers it: newest first, `maxResults` events, the states' data only when asked for. */
  function givenHistory(newestFirst: HistoryEvent[]): void {
    sfn.on(DescribeExecutionCommand).resolves(describedExecution(EXECUTION_ARN, { status: 'RUNNING', input: JSON.stringify(inputDocument({ onUnsafe: 'approve' })) }));
    sfn.on(GetExecutionHistoryCommand).callsFake((input: GetExecutionHistoryCommandInput) => {
      const events = input.includeExecutionData === false ? newestFirst.map(withoutData) : newestFirst;
      return { events: events.slice(0, input.maxResults) };
    });
  }

  function withoutData(event: HistoryEvent): HistoryEvent {
    return JSON.parse(JSON.stringify(event, (key, value: unknown) => (key === 'input' || key === 'parameters' ? undefined : value)), (key, value: unknown) => (key === 'timestamp' ? new Date(value as string) : value)) as HistoryEvent;
  }

  const fallback = `Waiting for approval of an unsafe change set (execution ${EXECUTION_NAME}): answer with deploy-orchestrator approve or reject ${EXECUTION_ARN}.`;

  it('says what the person is asked to approve, how to answer, and where the execution is', async () => {
    const inspection = await realInspection();
    expect(inspection.counts).toEqual({ removals: 1, replacements: 2, blocked: 3 });
    givenHistory(waitingHistory(inspection));

    await handler(continuing());

    expect(continued().executionDetails).toEqual({
      summary: `Waiting for approval: 2 replacements, 1 removal (execution ${EXECUTION_NAME}): answer with deploy-orchestrator approve or reject ${EXECUTION_ARN}. The execution in the Step Functions console: ${CONSOLE_URL}`,
      externalExecutionId: EXECUTION_ARN,
      percentComplete: 42,
    });
  });

  it('reads the states\' data once, and only back to the state\'s entry', async () => {
    givenHistory(waitingHistory(await realInspection()));

    await handler(continuing());

    expect(sfn.commandCalls(GetExecutionHistoryCommand).map((call) => call.args[0].input)).toEqual([
      { executionArn: EXECUTION_ARN, reverseOrder: true, maxResults: 50, includeExecutionData: false },
      // Entered, scheduled, started: three events reach the state's input.
      { executionArn: EXECUTION_ARN, reverseOrder: true, maxResults: 3, includeExecutionData: true },
    ]);
  });

  it('never reads the states\' data in any other state', async () => {
    givenHistory(waitingHistory(await realInspection()).slice(3));

    await handler(continuing());

    expect(continued().executionDetails?.summary).toBe(`Deployment running: in "Safe to Update Infra?" (execution ${EXECUTION_NAME}).`);
    expect(sfn.commandCalls(GetExecutionHistoryCommand).map((call) => call.args[0].input.includeExecutionData)).toEqual([false]);
  });

  it('counts only the blocked changes, with the words in the singular or plural', async () => {
    const inspection = unsafeInspection([
      offendingChange({ logicalResourceId: 'Table', resourceType: 'AWS::DynamoDB::Table', action: 'Modify', replacement: 'True', rule: 'replacement' }),
      offendingChange({ logicalResourceId: 'Queue', resourceType: 'AWS::SQS::Queue' }),
      offendingChange({ logicalResourceId: 'Bucket', resourceType: 'AWS::S3::Bucket' }),
      offendingChange({ logicalResourceId: 'Macro', resourceType: 'AWS::Lambda::Function', action: 'Dynamic', rule: 'dynamic' }),
    ]);
    // The change set's other removals were allowed: they are not what the person is asked about.
    givenHistory(waitingHistory({ ...inspection, counts: { removals: 5, replacements: 1, blocked: 4 } }));

    await handler(continuing());

    expect(continued().executionDetails?.summary).toMatch(/^Waiting for approval: 1 replacement, 2 removals, 1 other change \(execution /);
  });

  it('says how many changes are blocked when the inspection lists only the first of them', async () => {
    const listed = Array.from({ length: 200 }, (_, index) => offendingChange({ logicalResourceId: `Queue${index}`, ...(index < 150 ? { action: 'Modify', replacement: 'Conditional' } : {}) }));
    givenHistory(waitingHistory({ ...unsafeInspection(listed), offendingCount: 250 }));

    await handler(continuing());

    expect(continued().executionDetails?.summary).toMatch(/^Waiting for approval: 250 blocked changes \(the first 200: 150 replacements, 50 removals\) \(execution /);
  });

  it.each([
    ['the read with data is refused', () => sfn.on(GetExecutionHistoryCommand, { includeExecutionData: true }).rejects(awsError('ThrottlingException', 'Rate exceeded', { retryable: true }))],
    ['the state\'s input holds no inspection', () => givenHistory(waitingHistory({ summary: 'not an inspection', offending: 'none' }))],
  ])('falls back to the plain summary, and keeps following, when %s', async (_what, arrange) => {
    givenHistory(waitingHistory(await realInspection()));
    arrange();

    await handler(continuing());

    expect(continued().executionDetails).toMatchObject({ summary: fallback, percentComplete: 42 });
    expect(continued().token).toMatchObject({ executionArn: EXECUTION_ARN });
  });

  it('falls back when the answer came between the two reads', async () => {
    const waiting = waitingHistory(await realInspection());
    const answered = [{ id: 99, previousEventId: 98, timestamp: new Date(NOW), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Execute Change Set', input: '{}' } } as HistoryEvent, ...waiting];
    givenHistory(waiting);
    sfn.on(GetExecutionHistoryCommand, { includeExecutionData: true }).callsFake((input: GetExecutionHistoryCommandInput) => ({ events: answered.slice(0, input.maxResults) }));

    await handler(continuing());

    expect(continued().executionDetails?.summary).toBe(fallback);
  });

  it(`does not read the data when the state was entered more than ${MAX_APPROVAL_HISTORY_EVENTS} events back (its Lambda retried)`, async () => {
    const waiting = waitingHistory(await realInspection());
    const retries = Array.from({ length: MAX_APPROVAL_HISTORY_EVENTS }, (_, index) => ({ id: 100 + index, previousEventId: 99 + index, timestamp: new Date(NOW), type: 'TaskStarted' }) as HistoryEvent);
    givenHistory([...retries, ...waiting]);

    await handler(continuing());

    expect(continued().executionDetails?.summary).toBe(fallback);
    expect(sfn.commandCalls(GetExecutionHistoryCommand)).toHaveLength(1);
  });
});
