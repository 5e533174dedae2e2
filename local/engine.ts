import './promise-polyfill';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { LAMBDA_WAIT_FOR_TOKEN, loadDefinitionText, substitute, placeholders } from '../statemachine/definition';
import type { TaskTokens } from './task-tokens';

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
  /** Answers the `.waitForTaskToken` states (the sandbox's SendTaskSuccess); without it, reaching one is an error. */
  taskTokens?: TaskTokens;
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

/**
 * AWS reads a Task's TimeoutSecondsPath from the state's input; the engine reads it from the
 * effective input, after Parameters. For a `lambda:invoke` task that is `{FunctionName, Payload}`,
 * so a path into the state input is found again under the Payload, which carries the same fields.
 */
function asTheEngineReadsIt(definition: StateMachineDefinition): StateMachineDefinition {
  for (const state of Object.values(definition.States) as Array<{ Resource?: string; TimeoutSecondsPath?: string }>) {
    if (state.Resource === LAMBDA_WAIT_FOR_TOKEN && state.TimeoutSecondsPath?.startsWith('$.')) {
      state.TimeoutSecondsPath = `$.Payload.${state.TimeoutSecondsPath.slice(2)}`;
    }
  }
  return definition;
}

/** What `$$.Task.Token` reads in the engine's fixed context; each attempt gets a real token in its place. */
const TOKEN_PLACEHOLDER = 'local-task-token-placeholder';

/**
 * A `.waitForTaskToken` state as AWS runs it: the engine hands over the integration's parameters;
 * the Lambda gets `Payload`, with a fresh token where `$$.Task.Token` was asked for and
 * `$$.State.RetryCount` counting the attempts that timed out; the state ends when the token is
 * answered. A Lambda error fails the state at once, as in AWS.
 */
function waitingForToken(handler: TaskHandler, state: string, executionArn: string, taskTokens: TaskTokens | undefined): TaskHandler {
  let retries = 0;
  return async (parameters: { Payload?: Record<string, unknown> }) => {
    if (!taskTokens) throw new Error(`The state "${state}" waits for a task token, and this local run has no one to answer it (run it on the sandbox).`);
    const { token, answered, previousTimedOut } = taskTokens.issue(executionArn, state);
    retries = previousTimedOut ? retries + 1 : 0;
    const payload = Object.fromEntries(
      Object.entries(parameters.Payload ?? {}).map(([key, value]) => [key, value === TOKEN_PLACEHOLDER ? token : key === 'retryCount' ? retries : value]),
    );
    taskTokens.scheduledWith(executionArn, state, token, payload);
    await handler(payload);
    return answered;
  };
}

/** Runs the state machine in-process with the given task handlers, to its end. */
export async function runLocalExecution(input: unknown, options: LocalExecutionOptions): Promise<LocalExecutionResult> {
  const text = options.definitionText ?? loadDefinitionText();
  const definition = asTheEngineReadsIt(JSON.parse(substitute(text, localFunctionArns(text))) as StateMachineDefinition);
  const executionArn =
    options.executionArn ?? `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:deploy-local:${options.executionName}`;

  const taskNames = Object.entries(definition.States)
    .filter(([, state]) => state.Type === 'Task')
    .map(([name]) => name);
  const waitingStates = new Set(taskNames.filter((name) => (definition.States[name] as { Resource?: string }).Resource === LAMBDA_WAIT_FOR_TOKEN));
  const missing = taskNames.filter((name) => !options.handlers[name]);
  if (missing.length) throw new Error(`No local handler for Task state(s): ${missing.join(', ')}`);

  const waitNames = Object.entries(definition.States)
    .filter(([, state]) => state.Type === 'Wait')
    .map(([name]) => name);

  const counted = withRetryCounts(options.handlers, taskNames.filter((name) => !waitingStates.has(name)));
  const handlers: Record<string, TaskHandler> = Object.fromEntries(
    taskNames.map((name) => [name, waitingStates.has(name) ? waitingForToken(options.handlers[name], name, executionArn, options.taskTokens) : counted[name]]),
  );
  const startDate = new Date();
  const machine = new StateMachine(definition);
  const execution = machine.run(input as never, {
    context: {
      Execution: { Id: executionArn, Name: options.executionName, StartTime: startDate.toISOString(), Input: input as never },
      State: { Name: '', EnteredTime: startDate.toISOString(), RetryCount: 0 },
      Task: { Token: TOKEN_PLACEHOLDER },
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
  options.taskTokens?.closeExecution(executionArn);

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
