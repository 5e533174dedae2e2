import { DeadlineExceededError } from './errors';
import { FIRST_POLL_WAIT_SECONDS, MAX_POLL_WAIT_SECONDS, POLL_BACKOFF_RATE } from './limits';
import type { PollState } from './state';

/**
 * The whole waiting strategy of the state machine. Every status task returns a PollState and the
 * Wait states sleep `waitSeconds` (SecondsPath), so the ASL holds no timing of its own.
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
export function firstPoll(spentSeconds = 0): PollState {
  return { polls: 0, waitedSeconds: spentSeconds, waitSeconds: FIRST_POLL_WAIT_SECONDS };
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
