import type { HistoryEvent } from '@aws-sdk/client-sfn';

/** The state an execution waits in for a person's answer (onUnsafe: approve). */
export const AWAIT_APPROVAL_STATE = 'Await Approval';

/** Events that end a task attempt: after one of these nothing waits on that attempt's token. */
const ATTEMPT_ENDED = new Set(['TaskSucceeded', 'TaskFailed', 'TaskTimedOut', 'TaskStartFailed', 'TaskSubmitFailed']);
/** Events before which (reading newest first) no state was entered. */
const NO_STATE_BEFORE = new Set(['ExecutionStarted', 'ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);

export type ApprovalWait =
  /**
   * Open since the newest attempt of Await Approval was scheduled: its `TimeoutSecondsPath`
   * deadline counts from there (a retried attempt gets a new token and a new deadline).
   * `timeoutSeconds` is the deadline Step Functions resolved for that attempt, when the event says.
   */
  | { kind: 'waiting'; since: Date; timeoutSeconds?: number; scheduled: HistoryEvent }
  | { kind: 'not-waiting' }
  /** These events do not reach back to the state the execution is in: read older ones. */
  | { kind: 'read-further' }
  /** The history does not say (an event without the field this reading needs). */
  | { kind: 'undetermined'; reason: string };

const NOT_WAITING: ApprovalWait = { kind: 'not-waiting' };

/**
 * Read by the approval check (the alarm's metric), the CLI's approve / reject (the open attempt's
 * token) and the trigger (the state's name).
 *
 * Whether an execution waits in Await Approval now, read from the newest events of its history
 * (GetExecutionHistory with `reverseOrder`). The newest state entered is the current state unless
 * a state exit came after it; inside it, the newest `TaskScheduled` is the open attempt unless the
 * attempt has ended (a retry may be pending).
 */
export function approvalWaitIn(eventsNewestFirst: readonly HistoryEvent[]): ApprovalWait {
  let attempt: HistoryEvent | undefined;
  let attemptEnded = false;
  for (const event of eventsNewestFirst) {
    const type = event.type ?? '';
    if (type.endsWith('StateExited') || NO_STATE_BEFORE.has(type)) return NOT_WAITING;
    if (type.endsWith('StateEntered')) {
      if (event.stateEnteredEventDetails?.name !== AWAIT_APPROVAL_STATE || !attempt || attemptEnded) return NOT_WAITING;
      const since = attempt.timestamp ?? event.timestamp;
      if (!since) return { kind: 'undetermined', reason: 'its Await Approval events carry no timestamp' };
      return { kind: 'waiting', since, timeoutSeconds: attempt.taskScheduledEventDetails?.timeoutInSeconds, scheduled: attempt };
    }
    if (attempt) continue;
    if (ATTEMPT_ENDED.has(type)) attemptEnded = true;
    else if (type === 'TaskScheduled') attempt = event;
  }
  return { kind: 'read-further' };
}

/** Whether a wait has lasted longer than half its deadline at `now`. */
export function pastHalfDeadline(since: Date, timeoutSeconds: number, now: Date): boolean {
  return waitedSeconds(since, now) > timeoutSeconds / 2;
}

export function waitedSeconds(since: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - since.getTime()) / 1000));
}

/**
 * The approval deadline an execution's Await Approval was entered with
 * (`deployment.approvalTimeoutSeconds`, its `TimeoutSecondsPath`), from the newest entry of that
 * state among these events (read with their data); undefined when they do not say.
 */
export function approvalTimeoutFromInput(eventsNewestFirst: readonly HistoryEvent[]): number | undefined {
  const entered = eventsNewestFirst.find((event) => event.type?.endsWith('StateEntered') && event.stateEnteredEventDetails?.name === AWAIT_APPROVAL_STATE);
  const input = entered?.stateEnteredEventDetails?.input;
  if (!input) return undefined;
  try {
    const seconds = (JSON.parse(input) as { deployment?: { approvalTimeoutSeconds?: unknown } }).deployment?.approvalTimeoutSeconds;
    return typeof seconds === 'number' && Number.isInteger(seconds) && seconds > 0 ? seconds : undefined;
  } catch {
    return undefined;
  }
}
