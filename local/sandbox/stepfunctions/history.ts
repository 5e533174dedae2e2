import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import type { LocalEvent } from '../../engine';

/**
 * Turns the local engine's event log into GetExecutionHistory events, shaped as Step Functions
 * writes them for Lambda Task states (see test/fixtures/sandbox/sfn-history-*.json):
 * `TaskStateEntered` (stateEnteredEventDetails.name), `LambdaFunctionScheduled`, `...Started`,
 * `...Succeeded` or `...Failed`, `TaskStateExited`, and `ExecutionSucceeded` / `ExecutionFailed`.
 * Inputs and outputs are JSON strings, as the API returns them.
 */

export interface HistoryContext {
  roleArn: string;
  /** The Lambda ARN a Task state invokes, by state name. */
  functionArn: (stateName: string) => string;
  /** For a `.waitForTaskToken` state: its tasks' payloads (with their tokens), in order; undefined for other states. */
  tokenTasks?: (stateName: string) => Array<{ token: string; payload: unknown }> | undefined;
}

/** The context as mapping goes: how many attempts of each token-waiting state were mapped so far. */
type MappingContext = HistoryContext & { attempts: Record<string, number> };

/** Event types that end an execution. */
export const TERMINAL_EVENT_TYPES = new Set<string>(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);

const STATE_TYPE_PREFIX: Record<string, string> = {
  Task: 'Task',
  Choice: 'Choice',
  Wait: 'Wait',
  Pass: 'Pass',
  Succeed: 'Succeed',
  Fail: 'Fail',
  Parallel: 'Parallel',
  Map: 'Map',
};

const NOT_TRUNCATED = { truncated: false };

type PartialEvent = Omit<HistoryEvent, 'id' | 'previousEventId' | 'timestamp'> & { type: HistoryEventType };

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

function cause(value: unknown): string {
  return typeof value === 'string' ? value : json(value);
}

function mapEvent(event: LocalEvent, context: MappingContext): PartialEvent[] {
  switch (event.type) {
    case 'ExecutionStarted':
      return [{ type: 'ExecutionStarted', executionStartedEventDetails: { input: json(event.input), inputDetails: NOT_TRUNCATED, roleArn: context.roleArn } }];
    case 'ExecutionSucceeded':
      return [{ type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: json(event.output), outputDetails: NOT_TRUNCATED } }];
    case 'ExecutionFailed':
      return [{ type: 'ExecutionFailed', executionFailedEventDetails: { error: event.Error, cause: cause(event.Cause) } }];
    case 'ExecutionTerminated':
      return [{ type: 'ExecutionAborted', executionAbortedEventDetails: {} }];
    case 'StateEntered': {
      const prefix = STATE_TYPE_PREFIX[event.state.type] ?? 'Pass';
      const entered: PartialEvent = {
        type: `${prefix}StateEntered` as HistoryEventType,
        stateEnteredEventDetails: { name: event.state.name, input: json(event.state.input), inputDetails: NOT_TRUNCATED },
      };
      return prefix === 'Task' ? [entered, ...lambdaScheduled(event, context)] : [entered];
    }
    case 'StateExited': {
      const prefix = STATE_TYPE_PREFIX[event.state.type] ?? 'Pass';
      const exited: PartialEvent = {
        type: `${prefix}StateExited` as HistoryEventType,
        stateExitedEventDetails: { name: event.state.name, output: json(event.state.output), outputDetails: NOT_TRUNCATED },
      };
      return [exited];
    }
    case 'StateFailed':
      // A Fail state's failure is the ExecutionFailed that follows; a Task's is its Lambda's.
      if (event.state.type !== 'Task') return [];
      return [{ type: 'LambdaFunctionFailed', lambdaFunctionFailedEventDetails: { error: event.Error, cause: cause(event.Cause) } }];
    case 'StateRetried':
      return event.state.type === 'Task' ? lambdaScheduled(event, context) : [];
    default:
      return [];
  }
}

function lambdaScheduled(event: Extract<LocalEvent, { state: unknown }>, context: MappingContext): PartialEvent[] {
  const tasks = context.tokenTasks?.(event.state.name);
  if (tasks) {
    // A `.waitForTaskToken` state: AWS shows a TaskScheduled with the parameters as sent, the token in them.
    const attempt = (context.attempts[event.state.name] = (context.attempts[event.state.name] ?? -1) + 1);
    const task = tasks[attempt];
    return [
      {
        type: 'TaskScheduled',
        taskScheduledEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke.waitForTaskToken',
          region: 'us-east-1',
          parameters: json({ FunctionName: context.functionArn(event.state.name), Payload: task?.payload ?? null }),
        },
      },
      { type: 'TaskStarted', taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken' } },
    ];
  }
  return [
    {
      type: 'LambdaFunctionScheduled',
      lambdaFunctionScheduledEventDetails: { resource: context.functionArn(event.state.name), input: json(event.state.input), inputDetails: NOT_TRUNCATED },
    },
    { type: 'LambdaFunctionStarted' },
  ];
}

/**
 * The history events, numbered from 1. A Task's successful Lambda result comes just before the
 * state exits; the engine only reports the exit (after a caught failure there is no result).
 */
export function toHistoryEvents(events: LocalEvent[], historyContext: HistoryContext): HistoryEvent[] {
  const context: MappingContext = { ...historyContext, attempts: {} };
  const stamped: Array<{ event: PartialEvent; timestamp: number }> = [];
  events.forEach((event, index) => {
    const caught = index > 0 && events[index - 1].type === 'StateCaught';
    if (event.type === 'StateExited' && event.state.type === 'Task' && !caught) {
      stamped.push({
        event: { type: 'LambdaFunctionSucceeded', lambdaFunctionSucceededEventDetails: { output: json(event.state.output), outputDetails: NOT_TRUNCATED } },
        timestamp: event.timestamp,
      });
    }
    for (const mapped of mapEvent(event, context)) stamped.push({ event: mapped, timestamp: event.timestamp });
  });
  return stamped.map(({ event, timestamp }, index) => ({ ...event, id: index + 1, previousEventId: index, timestamp: new Date(timestamp) }));
}
