import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
  InvalidOutput,
  type DescribeExecutionCommandOutput,
  type ExecutionStatus,
} from '@aws-sdk/client-sfn';
import { runLocalExecution, type LocalEvent, type LocalExecutionResult, type TaskHandler } from '../../engine';
import { TaskTokens, TokenAnswerRefused } from '../../task-tokens';
import { jsonProtocolError } from '../aws-errors';
import { toKebabCase } from '../../../statemachine/definition';
import { raise } from '../aws-errors';
import type { VirtualClock } from '../clock';
import { SANDBOX_ACCOUNT, SANDBOX_PARTITION, SANDBOX_REGION } from '../constants';
import { route, type Route, type RouteOutput } from '../interceptor';
import type { SeededRandom } from '../random';
import {
  executionAlreadyExists,
  executionDoesNotExist,
  invalidArn,
  invalidExecutionInput,
  invalidName,
  invalidToken,
  stateMachineDoesNotExist,
} from './errors';
import { TERMINAL_EVENT_TYPES, toHistoryEvents } from './history';

export interface StepFunctionsOptions {
  /**
   * How many DescribeExecution calls answer RUNNING for each execution before its end shows, so
   * that a caller's "still running" path (the trigger's continuation) is exercised. The execution
   * itself runs at once; only what callers see is held back.
   */
  runningDescribes: number;
  /** Real milliseconds each Wait state and each Retry sleeps: 0, nothing sleeps. */
  waitMilliseconds: number;
  retryMilliseconds: number;
}

export const DEFAULT_RUNNING_DESCRIBES = 2;
/** Execution names: 1–80 characters, none of whitespace, brackets, wildcards or the listed specials. */
const MAX_EXECUTION_NAME_LENGTH = 80;
const FORBIDDEN_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;

function hasControlCharacter(name: string): boolean {
  return [...name].some((character) => {
    const code = character.charCodeAt(0);
    return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
  });
}
/** Step Functions accepts at most 256 KiB of input. */
const MAX_INPUT_BYTES = 262_144;
const DEFAULT_HISTORY_PAGE = 100;
const MAX_HISTORY_PAGE = 1000;

export interface StateMachineRegistration {
  name: string;
  handlers: Record<string, TaskHandler>;
  definitionText?: string;
  /** Called with each engine event of every execution as it happens (progress output). */
  onEvent?: (executionArn: string, event: LocalEvent) => void;
}

interface SandboxStateMachine extends StateMachineRegistration {
  arn: string;
  roleArn: string;
}

export interface SandboxExecution {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  input: string;
  startDate: Date;
  stopDate?: Date;
  /** Engine events so far. */
  events: LocalEvent[];
  result?: LocalExecutionResult;
  /** Settles when the engine has run the execution to its end. */
  finished: Promise<void>;
  describes: number;
}

export interface StepFunctionsDependencies {
  clock: VirtualClock;
  random: SeededRandom;
}

function executionPrefix(stateMachineArn: string): string {
  return stateMachineArn.replace(':stateMachine:', ':execution:');
}

/**
 * The Step Functions sandbox: StartExecution (idempotent by name and input, as for Standard
 * workflows), DescribeExecution and GetExecutionHistory, backed by the local engine running the
 * project's ASL with the real task handlers. Waits and retries take no real time.
 */
export class StepFunctionsSandbox {
  readonly options: StepFunctionsOptions;
  private readonly machines = new Map<string, SandboxStateMachine>();
  private readonly executions = new Map<string, SandboxExecution>();
  /** The tokens of the executions' `.waitForTaskToken` states, answered by SendTaskSuccess and SendTaskFailure. */
  readonly taskTokens = new TaskTokens();

  constructor(
    private readonly deps: StepFunctionsDependencies,
    options: Partial<StepFunctionsOptions> = {},
  ) {
    this.options = { runningDescribes: DEFAULT_RUNNING_DESCRIBES, waitMilliseconds: 0, retryMilliseconds: 0, ...options };
  }

  /** Makes a state machine known; returns its ARN (what the trigger's STATE_MACHINE_ARN holds). */
  registerStateMachine(registration: StateMachineRegistration): string {
    const arn = `arn:${SANDBOX_PARTITION}:states:${SANDBOX_REGION}:${SANDBOX_ACCOUNT}:stateMachine:${registration.name}`;
    this.machines.set(arn, { ...registration, arn, roleArn: `arn:${SANDBOX_PARTITION}:iam::${SANDBOX_ACCOUNT}:role/${registration.name}-role` });
    return arn;
  }

  execution(executionArn: string): SandboxExecution | undefined {
    return this.executions.get(executionArn);
  }

  allExecutions(): SandboxExecution[] {
    return [...this.executions.values()];
  }

  /** Waits until every execution started so far has run to its end. */
  async idle(): Promise<void> {
    await Promise.all([...this.executions.values()].map((execution) => execution.finished));
  }

  /** Waits for one execution to end and returns the engine's result. */
  async result(executionArn: string): Promise<LocalExecutionResult> {
    const execution = this.executions.get(executionArn);
    if (!execution) throw new Error(`No execution ${executionArn} in the sandbox.`);
    await execution.finished;
    return execution.result as LocalExecutionResult;
  }

  routes(): Route[] {
    return [
      route('StartExecution', StartExecutionCommand, (input) => {
        const stateMachineArn = input.stateMachineArn ?? '';
        if (!stateMachineArn.startsWith(`arn:${SANDBOX_PARTITION}:states:`) || !stateMachineArn.includes(':stateMachine:')) raise(invalidArn(stateMachineArn));
        const machine = this.machines.get(stateMachineArn) ?? raise(stateMachineDoesNotExist(stateMachineArn));
        const name = input.name ?? this.deps.random.uuid();
        if (name.length === 0 || name.length > MAX_EXECUTION_NAME_LENGTH || FORBIDDEN_NAME_CHARACTERS.test(name) || hasControlCharacter(name)) raise(invalidName(name));
        const text = input.input ?? '{}';
        if (Buffer.byteLength(text, 'utf8') > MAX_INPUT_BYTES) raise(invalidExecutionInput(`Input is larger than ${MAX_INPUT_BYTES} bytes`));
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (error) {
          raise(invalidExecutionInput(error instanceof Error ? error.message : String(error)));
        }
        const executionArn = `${executionPrefix(stateMachineArn)}:${name}`;
        const existing = this.executions.get(executionArn);
        if (existing) {
          // Same name and input while the execution is open: the same execution. Otherwise an error.
          if (this.isOpen(existing) && existing.input === text) return { executionArn, startDate: existing.startDate };
          raise(executionAlreadyExists(executionArn));
        }
        this.start(machine, executionArn, name, text, parsed);
        return { executionArn, startDate: this.executions.get(executionArn)?.startDate ?? this.deps.clock.now() };
      }),
      route('DescribeExecution', DescribeExecutionCommand, async (input) => {
        const execution = this.find(input.executionArn ?? '');
        execution.describes += 1;
        if (execution.describes <= this.options.runningDescribes) return this.view(execution, 'RUNNING');
        // Waiting on a task token (a person's answer): running for as long as nobody answers.
        if (!execution.result && this.taskTokens.isWaiting(execution.executionArn)) return this.view(execution, 'RUNNING');
        await execution.finished;
        return this.view(execution, execution.result?.status ?? 'FAILED');
      }),
      route('SendTaskSuccess', SendTaskSuccessCommand, (input) => {
        let output: unknown;
        try {
          output = JSON.parse(input.output ?? '');
        } catch {
          raise(jsonProtocolError(InvalidOutput, 'InvalidOutput', 'Invalid State Machine Execution Output'));
        }
        this.answerToken(() => this.taskTokens.succeed(input.taskToken ?? '', output));
        return {};
      }),
      route('SendTaskFailure', SendTaskFailureCommand, (input) => {
        this.answerToken(() => this.taskTokens.fail(input.taskToken ?? '', input.error ?? '', input.cause ?? ''));
        return {};
      }),
      route('GetExecutionHistory', GetExecutionHistoryCommand, async (input) => {
        const execution = this.find(input.executionArn ?? '');
        // An execution waiting on a task token (a person's answer) shows its history so far.
        const waiting = !execution.result && this.taskTokens.isWaiting(execution.executionArn);
        if (!waiting) await execution.finished;
        const machine = this.machines.get(execution.stateMachineArn);
        let events = toHistoryEvents(execution.events, {
          roleArn: machine?.roleArn ?? '',
          functionArn: (stateName) => `arn:${SANDBOX_PARTITION}:lambda:${SANDBOX_REGION}:${SANDBOX_ACCOUNT}:function:${toKebabCase(stateName)}`,
          tokenTasks: (stateName) => {
            const tasks = this.taskTokens.scheduledTasks(execution.executionArn, stateName);
            return tasks.length ? tasks : undefined;
          },
        });
        if (!waiting && this.isOpen(execution)) events = this.visiblePrefix(execution, events);
        if (input.includeExecutionData === false) {
          events = events.map((event) => JSON.parse(JSON.stringify(event, (key, value: unknown) => (key === 'input' || key === 'output' ? undefined : value)), reviveDates));
        }
        if (input.reverseOrder) events = [...events].reverse();
        const size = Math.min(input.maxResults || DEFAULT_HISTORY_PAGE, MAX_HISTORY_PAGE);
        const start = input.nextToken === undefined ? 0 : decodeOffset(input.nextToken);
        const page = events.slice(start, start + size);
        return { events: page, ...(start + size < events.length ? { nextToken: encodeOffset(start + size) } : {}) };
      }),
    ];
  }

  /** Step Functions' answer to a token that is malformed, unknown, already answered or timed out. */
  private answerToken(answer: () => void): void {
    try {
      answer();
    } catch (error) {
      if (!(error instanceof TokenAnswerRefused)) throw error;
      if (error.code === 'InvalidToken') raise(invalidToken());
      if (error.code === 'TaskTimedOut') raise(jsonProtocolError(TaskTimedOut, 'TaskTimedOut', `Task Timed Out: '${error.message}'`));
      raise(jsonProtocolError(TaskDoesNotExist, 'TaskDoesNotExist', `Task Does Not Exist: '${error.message}'`));
    }
  }

  private start(machine: SandboxStateMachine, executionArn: string, name: string, text: string, parsed: unknown): void {
    const execution: SandboxExecution = {
      executionArn,
      name,
      stateMachineArn: machine.arn,
      input: text,
      startDate: this.deps.clock.now(),
      events: [],
      describes: 0,
      finished: Promise.resolve(),
    };
    execution.finished = runLocalExecution(parsed, {
      executionName: name,
      executionArn,
      handlers: machine.handlers,
      definitionText: machine.definitionText,
      waitMilliseconds: this.options.waitMilliseconds,
      retryMilliseconds: this.options.retryMilliseconds,
      taskTokens: this.taskTokens,
      onEvent: (event) => {
        execution.events.push(event);
        machine.onEvent?.(executionArn, event);
      },
    }).then(
      (result) => {
        execution.result = result;
        execution.stopDate = this.deps.clock.now();
      },
      (error: unknown) => {
        // The engine could not run the definition at all (a missing handler): report it as a failed execution.
        const message = error instanceof Error ? error.message : String(error);
        execution.result = {
          executionArn,
          status: 'FAILED',
          error: 'States.Runtime',
          cause: message,
          events: execution.events,
          startDate: execution.startDate,
          stopDate: this.deps.clock.now(),
        };
        execution.stopDate = this.deps.clock.now();
      },
    );
    this.executions.set(executionArn, execution);
  }

  /** Open as long as callers have not yet been shown its end. */
  private isOpen(execution: SandboxExecution): boolean {
    return !execution.result || execution.describes <= this.options.runningDescribes;
  }

  /** While callers see RUNNING, the history shows the part of the run a poller would have seen by now. */
  private visiblePrefix<T extends { type?: string }>(execution: SandboxExecution, events: T[]): T[] {
    const running = events.filter((event) => !TERMINAL_EVENT_TYPES.has(event.type ?? ''));
    const fraction = (execution.describes + 1) / (this.options.runningDescribes + 2);
    return running.slice(0, Math.max(1, Math.ceil(running.length * fraction)));
  }

  private find(executionArn: string): SandboxExecution {
    if (!executionArn.startsWith(`arn:${SANDBOX_PARTITION}:states:`) || !executionArn.includes(':execution:')) raise(invalidArn(executionArn));
    return this.executions.get(executionArn) ?? raise(executionDoesNotExist(executionArn));
  }

  private view(execution: SandboxExecution, status: ExecutionStatus): RouteOutput<DescribeExecutionCommandOutput> {
    const result = execution.result;
    const ended = status !== 'RUNNING';
    return {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status,
      startDate: execution.startDate,
      ...(ended && execution.stopDate ? { stopDate: execution.stopDate } : {}),
      input: execution.input,
      inputDetails: { included: true },
      ...(ended && status === 'SUCCEEDED' ? { output: JSON.stringify(result?.output ?? null), outputDetails: { included: true } } : {}),
      ...(ended && result?.error !== undefined ? { error: result.error } : {}),
      ...(ended && result?.cause !== undefined ? { cause: result.cause } : {}),
      redriveCount: 0,
      redriveStatus: ended && status !== 'SUCCEEDED' ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
    };
  }
}

function encodeOffset(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64');
}

function decodeOffset(token: string): number {
  try {
    const offset = (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown }).offset;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // Falls through to the service's answer for a token it did not issue.
  }
  return raise(invalidToken());
}

function reviveDates(key: string, value: unknown): unknown {
  return key === 'timestamp' && typeof value === 'string' ? new Date(value) : value;
}
