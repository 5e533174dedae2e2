/**
 * The waiting-approvals check (functions/check-waiting-approvals): which running executions wait in
 * Await Approval, for how long against their deadline, and the count it publishes for the alarm.
 * Histories are built from LocalStack's recordings of real executions (test/fixtures/sfn/SOURCES.md):
 * a `.waitForTaskToken` task, and a task whose TimeoutSecondsPath AWS resolved into `timeoutInSeconds`.
 */
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, type ExecutionListItem, type HistoryEvent } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { loadDefinition, LAMBDA_WAIT_FOR_TOKEN } from '../../statemachine/definition';
import { handler, HISTORY_PAGE_SIZE, LIST_PAGE_SIZE, MAX_EXECUTIONS_CHECKED, MAX_HISTORY_PAGES } from '../../functions/check-waiting-approvals/handler';
import { AWAIT_APPROVAL_STATE, approvalTimeoutFromInput, approvalWaitIn } from '../../functions/shared/approval-wait';
import { APPROVALS_PAST_HALF_DEADLINE, METRIC_NAMESPACE, STATE_MACHINE_ARN_ENV, STATE_MACHINE_DIMENSION } from '../../functions/check-waiting-approvals/metric';
import { awsError, captureOutput, executionArnOf, readFixture, STATE_MACHINE_ARN } from './trigger/helpers';

const sfn = mockClient(SFNClient);

const NOW = new Date('2026-12-04T12:00:00Z');
const HOUR = 3600;
const minutesAgo = (minutes: number): Date => new Date(NOW.getTime() - minutes * 60_000);

/**
 * The recorded `.waitForTaskToken` task (state entered, scheduled with its timeout, started, submitted),
 * oldest first, made into the given state of this state machine: a Lambda invoke, as Await Approval
 * is; the recording's placeholders for dates turned into real ones, and its data (input, output,
 * parameters) left out, as `includeExecutionData: false` returns it.
 */
function waitForTokenTask(options: { state?: string; scheduledAt: Date; timeoutSeconds?: number; firstId?: number }): HistoryEvent[] {
  const { events } = readFixture<{ events: Array<Record<string, unknown>> }>('sfn', 'sfn-history-wait-for-task-token-timed-out.json');
  const task = events.filter((event) => ['TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted'].includes(event.type as string));
  return task.map((recorded, index) => {
    const event = structuredClone(recorded);
    event.id = (options.firstId ?? 2) + index;
    event.previousEventId = (event.id as number) - 1;
    event.timestamp = index === 0 ? new Date(options.scheduledAt.getTime() - 50) : options.scheduledAt;
    for (const [key, details] of Object.entries(event)) {
      if (!key.endsWith('EventDetails') || typeof details !== 'object' || details === null) continue;
      const fields = details as Record<string, unknown>;
      for (const data of ['input', 'inputDetails', 'output', 'outputDetails', 'parameters']) delete fields[data];
      if ('resource' in fields) Object.assign(fields, { resource: 'invoke.waitForTaskToken', resourceType: 'lambda' });
    }
    if (event.type === 'TaskStateEntered') (event.stateEnteredEventDetails as Record<string, unknown>).name = options.state ?? AWAIT_APPROVAL_STATE;
    if (event.type === 'TaskScheduled') {
      const details = event.taskScheduledEventDetails as Record<string, unknown>;
      delete details.heartbeatInSeconds;
      if (options.timeoutSeconds === undefined) delete details.timeoutInSeconds;
      else details.timeoutInSeconds = options.timeoutSeconds;
    }
    return event as unknown as HistoryEvent;
  });
}

const started = (at: Date): HistoryEvent => ({ id: 1, previousEventId: 0, timestamp: at, type: 'ExecutionStarted' });
const newestFirst = (...oldestFirst: HistoryEvent[][]): HistoryEvent[] => oldestFirst.flat().reverse();

/** An execution waiting in Await Approval since `scheduledAt`, with the deadline AWS resolved for the attempt (null: none in the event). */
function waitingForApproval(scheduledAt: Date, timeoutSeconds: number | null = HOUR): HistoryEvent[] {
  return newestFirst([started(minutesAgo(240))], waitForTokenTask({ scheduledAt, timeoutSeconds: timeoutSeconds ?? undefined }));
}

function listed(...names: string[]): ExecutionListItem[] {
  return names.map((name) => ({ executionArn: executionArnOf(name), stateMachineArn: STATE_MACHINE_ARN, name, status: 'RUNNING', startDate: minutesAgo(240) }));
}

/** Each execution's history, served newest first in pages as GetExecutionHistory serves it. */
function serveHistories(histories: Record<string, HistoryEvent[]>): void {
  sfn.on(GetExecutionHistoryCommand).callsFake((input: { executionArn: string; maxResults: number; nextToken?: string }) => {
    const events = histories[input.executionArn.slice(input.executionArn.lastIndexOf(':') + 1)];
    if (!events) throw awsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${input.executionArn}'`);
    const from = input.nextToken ? Number(input.nextToken) : 0;
    const to = from + input.maxResults;
    return { events: events.slice(from, to), nextToken: to < events.length ? String(to) : undefined };
  });
}

async function check(): Promise<{ summary: Awaited<ReturnType<typeof handler>>; metric: Record<string, unknown>; lines: string[] }> {
  const output = captureOutput();
  try {
    const summary = await handler();
    const lines = output.lines();
    const metrics = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => '_aws' in line);
    expect(metrics).toHaveLength(1);
    return { summary, metric: metrics[0], lines };
  } finally {
    output.restore();
  }
}

const savedArn = process.env[STATE_MACHINE_ARN_ENV];
beforeEach(() => {
  sfn.reset();
  jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'queueMicrotask'] });
  process.env[STATE_MACHINE_ARN_ENV] = STATE_MACHINE_ARN;
});
afterEach(() => jest.useRealTimers());
afterAll(() => {
  if (savedArn === undefined) delete process.env[STATE_MACHINE_ARN_ENV];
  else process.env[STATE_MACHINE_ARN_ENV] = savedArn;
});

describe('the state it watches', () => {
  it('is a waitForTaskToken Lambda task of the definition whose deadline is deployment.approvalTimeoutSeconds', () => {
    const state = loadDefinition().States[AWAIT_APPROVAL_STATE];
    expect(state).toMatchObject({ Type: 'Task', Resource: LAMBDA_WAIT_FOR_TOKEN, TimeoutSecondsPath: '$.deployment.approvalTimeoutSeconds' });
  });
});

describe('approvalWaitIn: reading the newest history events', () => {
  it('an execution in Await Approval waits since its attempt was scheduled, with the timeout AWS resolved for it', () => {
    const scheduledAt = minutesAgo(10);
    expect(approvalWaitIn(waitingForApproval(scheduledAt, 1800))).toEqual({ kind: 'waiting', since: scheduledAt, timeoutSeconds: 1800, scheduled: expect.objectContaining({ type: 'TaskScheduled', timestamp: scheduledAt }) });
  });

  it('reads timeoutInSeconds as AWS writes it for a TimeoutSecondsPath (recorded: $.TimeoutSecondsValue = 5)', () => {
    const { events } = readFixture<{ events: Array<Record<string, unknown>> }>('sfn', 'sfn-history-timeout-seconds-path.json');
    const open = events.filter((event) => ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted'].includes(event.type as string));
    const history = open.map((event) => ({ ...structuredClone(event), timestamp: NOW })) as HistoryEvent[];
    (history[1].stateEnteredEventDetails as { name: string }).name = AWAIT_APPROVAL_STATE;
    expect(approvalWaitIn([...history].reverse())).toEqual({ kind: 'waiting', since: NOW, timeoutSeconds: 5, scheduled: expect.objectContaining({ type: 'TaskScheduled' }) });
  });

  it('another waitForTaskToken state (Await Stack Event) is not an approval', () => {
    const history = newestFirst([started(minutesAgo(60))], waitForTokenTask({ state: 'Await Stack Event', scheduledAt: minutesAgo(50), timeoutSeconds: HOUR }));
    expect(approvalWaitIn(history)).toEqual({ kind: 'not-waiting' });
  });

  it('an answered or timed-out attempt waits no more (the recorded TaskTimedOut), nor does a state left', () => {
    const { events } = readFixture<{ events: HistoryEvent[] }>('sfn', 'sfn-history-wait-for-task-token-timed-out.json');
    const timedOut = events.find((event) => event.type === 'TaskTimedOut') as HistoryEvent;
    const task = waitForTokenTask({ scheduledAt: minutesAgo(70), timeoutSeconds: HOUR });
    expect(approvalWaitIn(newestFirst([started(minutesAgo(80))], task, [timedOut]))).toEqual({ kind: 'not-waiting' });
    const succeeded: HistoryEvent = { id: 6, previousEventId: 5, timestamp: NOW, type: 'TaskSucceeded', taskSucceededEventDetails: { resource: 'invoke.waitForTaskToken', resourceType: 'lambda' } };
    const exited: HistoryEvent = { id: 7, previousEventId: 6, timestamp: NOW, type: 'TaskStateExited', stateExitedEventDetails: { name: AWAIT_APPROVAL_STATE } };
    expect(approvalWaitIn(newestFirst([started(minutesAgo(80))], task, [succeeded, exited]))).toEqual({ kind: 'not-waiting' });
  });

  it('after a retried Lambda attempt, the wait counts from the newest attempt; while a retry is pending, nothing waits', () => {
    const [entered, firstScheduled, firstStarted] = waitForTokenTask({ scheduledAt: minutesAgo(40), timeoutSeconds: HOUR });
    const failed: HistoryEvent = { id: 5, previousEventId: 4, timestamp: minutesAgo(39), type: 'TaskFailed', taskFailedEventDetails: { error: 'Lambda.ServiceException', resource: 'invoke.waitForTaskToken', resourceType: 'lambda' } };
    const retryPending = newestFirst([started(minutesAgo(50))], [entered, firstScheduled, firstStarted, failed]);
    expect(approvalWaitIn(retryPending)).toEqual({ kind: 'not-waiting' });

    const secondAttempt = waitForTokenTask({ scheduledAt: minutesAgo(38), timeoutSeconds: HOUR, firstId: 5 }).slice(1);
    expect(approvalWaitIn([...secondAttempt].reverse().concat(retryPending))).toEqual({ kind: 'waiting', since: minutesAgo(38), timeoutSeconds: HOUR, scheduled: expect.objectContaining({ type: 'TaskScheduled', timestamp: minutesAgo(38) }) });
  });

  it('asks for older events when these do not reach the state entered, and sees no state in a history that only started', () => {
    const history = waitingForApproval(minutesAgo(5));
    expect(approvalWaitIn(history.slice(0, 3))).toEqual({ kind: 'read-further' });
    expect(approvalWaitIn([started(NOW)])).toEqual({ kind: 'not-waiting' });
  });
});

describe('approvalTimeoutFromInput: the deadline from the state input, when the event does not carry it', () => {
  const entered = (input: string | undefined, name = AWAIT_APPROVAL_STATE): HistoryEvent => ({
    id: 9,
    timestamp: NOW,
    type: 'TaskStateEntered',
    stateEnteredEventDetails: { name, input, inputDetails: { truncated: false } },
  });

  it('reads deployment.approvalTimeoutSeconds of the newest Await Approval entry', () => {
    expect(approvalTimeoutFromInput([entered(JSON.stringify({ deployment: { stackName: 'prod-app', approvalTimeoutSeconds: 7200 } }))])).toBe(7200);
  });

  it.each([
    ['no input', undefined],
    ['input that is not JSON', '{"deployment": '],
    ['no approvalTimeoutSeconds', JSON.stringify({ deployment: {} })],
    ['a deadline that is not a positive whole number', JSON.stringify({ deployment: { approvalTimeoutSeconds: '3600' } })],
  ])('says nothing for %s', (_case, input) => {
    expect(approvalTimeoutFromInput([entered(input)])).toBeUndefined();
  });

  it('ignores other states\' entries', () => {
    expect(approvalTimeoutFromInput([entered(JSON.stringify({ deployment: { approvalTimeoutSeconds: 60 } }), 'Await Stack Event')])).toBeUndefined();
  });
});

describe('the check', () => {
  it('publishes 0 in the embedded metric format when nothing is running, having read no history', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });

    const { summary, metric } = await check();

    expect(sfn.commandCalls(ListExecutionsCommand)[0].args[0].input).toEqual({ stateMachineArn: STATE_MACHINE_ARN, statusFilter: 'RUNNING', maxResults: LIST_PAGE_SIZE, nextToken: undefined });
    expect(sfn.commandCalls(GetExecutionHistoryCommand)).toHaveLength(0);
    expect(summary).toEqual({ executionsChecked: 0, executionsLeftOut: false, approvalsWaiting: 0, approvalsPastHalfDeadline: 0, undetermined: 0, unreadable: 0 });
    expect(metric).toMatchObject({
      _aws: { Timestamp: NOW.getTime(), CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [[STATE_MACHINE_DIMENSION]], Metrics: [{ Name: APPROVALS_PAST_HALF_DEADLINE, Unit: 'Count' }] }] },
      [STATE_MACHINE_DIMENSION]: STATE_MACHINE_ARN,
      [APPROVALS_PAST_HALF_DEADLINE]: 0,
    });
  });

  it('counts only approvals past half their deadline among several executions, reading histories newest first without their data', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: listed('not-waiting', 'under-half', 'past-half', 'past-half-short-deadline', 'long-deadline') });
    serveHistories({
      'not-waiting': newestFirst([started(minutesAgo(3))], waitForTokenTask({ state: 'Await Stack Event', scheduledAt: minutesAgo(2), timeoutSeconds: HOUR })),
      'under-half': waitingForApproval(minutesAgo(29), HOUR),
      'past-half': waitingForApproval(minutesAgo(31), HOUR),
      'past-half-short-deadline': waitingForApproval(minutesAgo(6), 600),
      'long-deadline': waitingForApproval(minutesAgo(31), 4 * HOUR),
    });

    const { summary, metric, lines } = await check();

    expect(summary).toEqual({
      executionsChecked: 5,
      executionsLeftOut: false,
      approvalsWaiting: 4,
      approvalsPastHalfDeadline: 2,
      undetermined: 0,
      unreadable: 0,
      longestWaitSeconds: 31 * 60,
    });
    expect(metric[APPROVALS_PAST_HALF_DEADLINE]).toBe(2);
    for (const call of sfn.commandCalls(GetExecutionHistoryCommand)) {
      expect(call.args[0].input).toMatchObject({ reverseOrder: true, includeExecutionData: false, maxResults: HISTORY_PAGE_SIZE });
    }
    const named = lines.filter((line) => line.includes('longer than half its deadline')).map((line) => (JSON.parse(line) as { executionArn: string }).executionArn);
    expect(named.sort()).toEqual([executionArnOf('past-half'), executionArnOf('past-half-short-deadline')]);
  });

  it('reads the deadline from the state input only when the attempt\'s event does not carry it', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: listed('no-timeout-in-event') });
    const withoutTimeout = waitingForApproval(minutesAgo(20), null);
    const entry = withoutTimeout.find((event) => event.type === 'TaskStateEntered') as HistoryEvent;
    const withData = withoutTimeout.map((event) =>
      event === entry ? { ...entry, stateEnteredEventDetails: { name: AWAIT_APPROVAL_STATE, input: JSON.stringify({ deployment: { approvalTimeoutSeconds: 1800 } }) } } : event,
    );
    sfn.on(GetExecutionHistoryCommand, { includeExecutionData: false }).resolves({ events: withoutTimeout });
    sfn.on(GetExecutionHistoryCommand, { includeExecutionData: true }).resolves({ events: withData });

    const { summary } = await check();

    expect(summary).toMatchObject({ approvalsWaiting: 1, approvalsPastHalfDeadline: 1, undetermined: 0 });
    expect(sfn.commandCalls(GetExecutionHistoryCommand).map((call) => call.args[0].input.includeExecutionData)).toEqual([false, true]);
  });

  it('stops reading a history after MAX_HISTORY_PAGES pages and counts the execution as undetermined, not as waiting', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: listed('long-retry', 'past-half') });
    // A wait whose entry lies beyond the pages read: nothing but task events on the newest pages.
    const task = waitForTokenTask({ scheduledAt: minutesAgo(50), timeoutSeconds: HOUR });
    const filler = Array.from({ length: HISTORY_PAGE_SIZE * MAX_HISTORY_PAGES }, (_, index): HistoryEvent => ({ id: 1000 - index, timestamp: minutesAgo(49), type: 'TaskStarted' }));
    serveHistories({ 'long-retry': [...filler, ...newestFirst([started(minutesAgo(60))], task)], 'past-half': waitingForApproval(minutesAgo(45)) });

    const { summary, lines } = await check();

    expect(summary).toMatchObject({ executionsChecked: 2, approvalsWaiting: 1, approvalsPastHalfDeadline: 1, undetermined: 1 });
    const longRetryReads = sfn.commandCalls(GetExecutionHistoryCommand).filter((call) => call.args[0].input.executionArn === executionArnOf('long-retry'));
    expect(longRetryReads).toHaveLength(MAX_HISTORY_PAGES);
    expect(lines.some((line) => line.includes('Could not tell whether the execution waits for approval') && line.includes(executionArnOf('long-retry')))).toBe(true);
  });

  it('reads at most MAX_EXECUTIONS_CHECKED running executions, following ListExecutions pages, and says some were left out', async () => {
    const names = Array.from({ length: MAX_EXECUTIONS_CHECKED + LIST_PAGE_SIZE }, (_, index) => `exec-${index}`);
    sfn.on(ListExecutionsCommand).callsFake((input: { nextToken?: string; maxResults: number }) => {
      const from = input.nextToken ? Number(input.nextToken) : 0;
      return { executions: listed(...names.slice(from, from + input.maxResults)), nextToken: String(from + input.maxResults) };
    });
    serveHistories(Object.fromEntries(names.map((name, index) => [name, waitingForApproval(minutesAgo(index === 0 ? 40 : 5))])));

    const { summary, lines } = await check();

    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(MAX_EXECUTIONS_CHECKED / LIST_PAGE_SIZE);
    expect(summary).toMatchObject({ executionsChecked: MAX_EXECUTIONS_CHECKED, executionsLeftOut: true, approvalsWaiting: MAX_EXECUTIONS_CHECKED, approvalsPastHalfDeadline: 1 });
    expect(lines.some((line) => line.includes(`only the newest ${MAX_EXECUTIONS_CHECKED} were checked`))).toBe(true);
  });

  it('publishes what it could read, then fails, naming the executions whose history it could not read', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: listed('past-half', 'forbidden') });
    serveHistories({ 'past-half': waitingForApproval(minutesAgo(45)) });
    sfn
      .on(GetExecutionHistoryCommand, { executionArn: executionArnOf('forbidden') })
      .rejects(awsError('AccessDeniedException', 'User is not authorized to perform: states:GetExecutionHistory', { httpStatusCode: 400 }));
    const output = captureOutput();
    try {
      await expect(handler()).rejects.toMatchObject({
        name: 'ApprovalCheckIncompleteError',
        message: expect.stringContaining(`${executionArnOf('forbidden')} (AccessDeniedException`),
      });
      const metric = output.lines().map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => '_aws' in line);
      expect(metric).toMatchObject({ [APPROVALS_PAST_HALF_DEADLINE]: 1, unreadable: 1 });
    } finally {
      output.restore();
    }
  });

  it.each([
    ['not set', undefined, 'is not set'],
    ['not a state machine ARN', 'arn:aws:lambda:us-west-2:123456789012:function:deploy', 'is not a state machine ARN'],
  ])('refuses to run with a STATE_MACHINE_ARN %s, publishing nothing', async (_case, value, words) => {
    if (value === undefined) delete process.env[STATE_MACHINE_ARN_ENV];
    else process.env[STATE_MACHINE_ARN_ENV] = value;
    const output = captureOutput();
    try {
      await expect(handler()).rejects.toMatchObject({ name: 'ApprovalCheckConfigurationError', message: expect.stringContaining(words) });
      expect(output.lines()).toEqual([]);
      expect(sfn.calls()).toHaveLength(0);
    } finally {
      output.restore();
    }
  });
});
