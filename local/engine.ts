import './promise-polyfill';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { loadDefinitionText, substitute, placeholders } from '../statemachine/definition';

import type { TaskHandler } from '../functions/handlers';

export type { TaskHandler };

/** One entry of the local execution's history, in the engine's own shape (the library does not export the type). */
export type LocalEvent = NonNullable<Awaited<ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>>['value']>;

export type LocalExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface LocalExecutionOptions {
  executionName: string;
  executionArn?: string;
  /** The handler of each Task state, by state name. */
  handlers: Record<string, TaskHandler>;
  /** The ASL text; the project's definition by default. */
  definitionText?: string;
  /** How long each Wait state really sleeps, in milliseconds. Unset: the seconds the definition asks for. */
  waitMilliseconds?: number;
  /** How long the engine sleeps before a Retry, in milliseconds. Unset: what the Retry block says. */
  retryMilliseconds?: number;
  /** Called with each history event as it happens (progress output). */
  onEvent?: (event: LocalEvent) => void;
}

export interface LocalExecutionResult {
  executionArn: string;
  status: LocalExecutionStatus;
  output?: unknown;
  error?: string;
  cause?: string;
  events: LocalEvent[];
  startDate: Date;
  stopDate: Date;
}

const LOCAL_REGION = 'us-east-1';
const LOCAL_ACCOUNT = '123456789012';

/** Placeholder ARNs: the local engine never calls them, every Task state is overridden. */
function localFunctionArns(text: string): Record<string, string> {
  return Object.fromEntries(
    placeholders(text).map((key) => [key, `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${key.replace(/Arn$/, '')}`]),
  );
}

/**
 * A Lambda that throws reaches Step Functions as `{ Error: errorType, Cause: '{"errorType":..,"errorMessage":..}' }`.
 * The local engine would put the bare message in `Cause`; wrapping keeps local runs faithful to AWS,
 * so whatever reads a cause (trigger, CLI) is tested against the real shape.
 */
function asLambdaInvocation(handler: TaskHandler): TaskHandler {
  return async (event) => {
    try {
      return await handler(event);
    } catch (thrown) {
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      const lambdaError = new Error(JSON.stringify({ errorType: error.name, errorMessage: error.message }));
      lambdaError.name = error.name;
      throw lambdaError;
    }
  };
}

/**
 * AWS sets `$$.State.RetryCount` for each attempt of a state; the engine's context object is fixed
 * for the whole run. The context carries a placeholder, and a Task whose Parameters ask for
 * `retryCount` gets the real figure: how many attempts of the same state have failed in a row just
 * before this one.
 */
function withRetryCounts(handlers: Record<string, TaskHandler>, taskNames: string[]): Record<string, TaskHandler> {
  let last: { state: string; failed: boolean; count: number } | undefined;
  return Object.fromEntries(
    taskNames.map((name) => [
      name,
      async (event: unknown) => {
        const count = last?.state === name && last.failed ? last.count + 1 : 0;
        const isObject = typeof event === 'object' && event !== null && !Array.isArray(event);
        const input = isObject && 'retryCount' in event ? { ...event, retryCount: count } : event;
        try {
          const output = await handlers[name](input);
          last = { state: name, failed: false, count };
          return output;
        } catch (error) {
          last = { state: name, failed: true, count };
          throw error;
        }
      },
    ]),
  );
}

/** Runs the state machine in-process with the given task handlers, to its end. */
export async function runLocalExecution(input: unknown, options: LocalExecutionOptions): Promise<LocalExecutionResult> {
  const text = options.definitionText ?? loadDefinitionText();
  const definition = JSON.parse(substitute(text, localFunctionArns(text))) as StateMachineDefinition;
  const executionArn =
    options.executionArn ?? `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:deploy-local:${options.executionName}`;

  const taskNames = Object.entries(definition.States)
    .filter(([, state]) => state.Type === 'Task')
    .map(([name]) => name);
  const missing = taskNames.filter((name) => !options.handlers[name]);
  if (missing.length) throw new Error(`No local handler for Task state(s): ${missing.join(', ')}`);

  const waitNames = Object.entries(definition.States)
    .filter(([, state]) => state.Type === 'Wait')
    .map(([name]) => name);

  const handlers = withRetryCounts(options.handlers, taskNames);
  const startDate = new Date();
  const machine = new StateMachine(definition);
  const execution = machine.run(input as never, {
    context: {
      Execution: { Id: executionArn, Name: options.executionName, StartTime: startDate.toISOString(), Input: input as never },
      State: { Name: '', EnteredTime: startDate.toISOString(), RetryCount: 0 },
    },
    overrides: {
      taskResourceLocalHandlers: Object.fromEntries(
        taskNames.map((name) => [name, asLambdaInvocation(handlers[name]) as never]),
      ),
      waitTimeOverrides:
        options.waitMilliseconds === undefined
          ? undefined
          : Object.fromEntries(waitNames.map((name) => [name, options.waitMilliseconds as number])),
      retryIntervalOverrides:
        options.retryMilliseconds === undefined
          ? undefined
          : Object.fromEntries(taskNames.map((name) => [name, options.retryMilliseconds as number])),
    },
  });

  const events: LocalEvent[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) {
      events.push(event);
      options.onEvent?.(event);
    }
  })();

  let status: LocalExecutionStatus = 'SUCCEEDED';
  let output: unknown;
  try {
    output = await execution.result;
  } catch (thrown) {
    const name = thrown instanceof Error ? thrown.name : '';
    status = name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : name === 'ExecutionAbortedError' ? 'ABORTED' : 'FAILED';
  }
  await collecting;

  const failed = events.find((event) => event.type === 'ExecutionFailed') as { Error?: string; Cause?: unknown } | undefined;
  return {
    executionArn,
    status,
    output: status === 'SUCCEEDED' ? output : undefined,
    error: failed?.Error,
    cause: failed?.Cause === undefined ? undefined : typeof failed.Cause === 'string' ? failed.Cause : JSON.stringify(failed.Cause),
    events,
    startDate,
    stopDate: new Date(),
  };
}
