import { DeadlineExceededError, StillInProgressError } from './errors';
import { FIRST_POLL_WAIT_SECONDS, MAX_POLL_WAIT_SECONDS, POLL_BACKOFF_RATE, type PollSchedule } from './limits';
import type { PollState } from './state';

/**
 * The whole waiting strategy of the state machine. A loop starts with a Wait state that sleeps the
 * `waitSeconds` of a PollState (SecondsPath). The status tasks of stacks and change sets then poll
 * through their own Retry block: while the operation runs they throw StillInProgressError, and the
 * retrier's schedule (PollSchedule) is the pacing; the other loops (Wait For Stack To Be Free,
 * failed stack deletion) go round a Wait state with `nextPoll`.
 *
 * One budget covers the whole deployment (`maxWaitSeconds`), not one per wait loop: each loop
 * starts from what the loops before it spent. Time spent is the larger of two lower bounds of the
 * truth: the waits asked for (`waitedSeconds`, the same in AWS and in the local engine, where
 * waits are shortened) and the wall clock since the execution started (which also counts Lambda
 * time and retries, in AWS).
 */
export interface Budget {
  maxWaitSeconds: number;
  /** The execution's start (ISO 8601); absent, only the waits count. */
  startedAt?: string;
}

/** The first wait of a loop, carrying on the seconds already spent by the loops before it. */
export function firstPoll(spentSeconds = 0, firstWaitSeconds = FIRST_POLL_WAIT_SECONDS): PollState {
  return { polls: 0, waitedSeconds: spentSeconds, waitSeconds: firstWaitSeconds };
}

/** Seconds of the budget spent once the wait `previous` asked for is over. */
export function spentSeconds(previous: PollState, budget: Budget, now: number = Date.now()): number {
  const waited = previous.waitedSeconds + previous.waitSeconds;
  const started = budget.startedAt ? Date.parse(budget.startedAt) : Number.NaN;
  const wall = Number.isFinite(started) ? Math.floor((now - started) / 1000) : 0;
  return Math.max(waited, wall);
}

/** What to throw when the budget runs out; the default says nothing was changed. */
export type OnDeadline = (message: string) => Error;

const NOTHING_CHANGED: OnDeadline = (message) =>
  new DeadlineExceededError(`${message} Nothing was executed. Raise maxWaitSeconds in the input document if it is only slow.`);

/**
 * The pacing after a poll that found the operation still running: waits back off from
 * FIRST_POLL_WAIT_SECONDS to MAX_POLL_WAIT_SECONDS, and the deployment fails once its budget is spent.
 */
export function nextPoll(previous: PollState, budget: Budget, what: string, onDeadline: OnDeadline = NOTHING_CHANGED): PollState {
  const spent = spentSeconds(previous, budget);
  const polls = previous.polls + 1;
  if (spent >= budget.maxWaitSeconds) {
    throw onDeadline(
      `${what} had not finished when the deployment's budget of ${budget.maxWaitSeconds} seconds (maxWaitSeconds) ran out (${polls} polls).`,
    );
  }
  const backedOff = Math.min(MAX_POLL_WAIT_SECONDS, Math.ceil(previous.waitSeconds * POLL_BACKOFF_RATE));
  return {
    polls,
    waitedSeconds: previous.waitedSeconds + previous.waitSeconds,
    waitSeconds: Math.max(1, Math.min(backedOff, budget.maxWaitSeconds - spent)),
  };
}

/** The pacing fields of a finished poll: the count goes on, nothing more to wait for. */
export function finalPoll(previous: PollState): PollState {
  return { polls: previous.polls + 1, waitedSeconds: previous.waitedSeconds + previous.waitSeconds, waitSeconds: 0 };
}

/** The delay the retrier makes before retry `n` (1-based), as Step Functions computes it. */
export function retryDelaySeconds(schedule: PollSchedule, n: number): number {
  return Math.min(schedule.maxDelaySeconds, schedule.intervalSeconds * schedule.backoffRate ** (n - 1));
}

/** Seconds the retrier has waited before attempt `retryCount` (`$$.State.RetryCount`). */
export function retriedSeconds(schedule: PollSchedule, retryCount: number): number {
  let total = 0;
  for (let n = 1; n <= retryCount; n++) total += retryDelaySeconds(schedule, n);
  return Math.floor(total);
}

/**
 * One poll of a status task that found the operation still running: throws StillInProgressError
 * for the task's retrier to poll again, or the deadline's error once the budget is spent.
 * `previous` is the PollState the loop started with (its Wait state's `waitSeconds` included).
 */
export function stillRunning(
  previous: PollState,
  retryCount: number,
  schedule: PollSchedule,
  budget: Budget,
  what: string,
  onDeadline: OnDeadline = NOTHING_CHANGED,
): never {
  const polls = previous.polls + retryCount + 1;
  const asOfWaits: PollState = { ...previous, waitedSeconds: previous.waitedSeconds + retriedSeconds(schedule, retryCount) };
  const spent = spentSeconds(asOfWaits, budget);
  if (spent >= budget.maxWaitSeconds) {
    throw onDeadline(
      `${what} had not finished when the deployment's budget of ${budget.maxWaitSeconds} seconds (maxWaitSeconds) ran out (${polls} polls).`,
    );
  }
  throw new StillInProgressError(`${what}: still running after ${polls} poll${polls === 1 ? '' : 's'} (${spent} s of the ${budget.maxWaitSeconds} s budget spent).`);
}

/** The pacing fields once a status task's polling has finished, at retry `retryCount`. */
export function finishedPolling(previous: PollState, retryCount: number, schedule: PollSchedule): PollState {
  return {
    polls: previous.polls + retryCount + 1,
    waitedSeconds: previous.waitedSeconds + previous.waitSeconds + retriedSeconds(schedule, retryCount),
    waitSeconds: 0,
  };
}

/** `$$.State.RetryCount` as a handler receives it: absent (a direct call, an old definition) is the first attempt. */
export function attemptIndex(retryCount: unknown): number {
  return typeof retryCount === 'number' && Number.isInteger(retryCount) && retryCount >= 0 ? retryCount : 0;
}
