import { WaitLimitExceededError } from './errors';
import { FIRST_POLL_WAIT_SECONDS, MAX_POLL_WAIT_SECONDS, POLL_BACKOFF_RATE } from './limits';
import type { PollState } from './state';

/**
 * The whole waiting strategy of the state machine. Every status task returns a PollState and the
 * Wait states sleep `waitSeconds` (SecondsPath), so the ASL holds no timing of its own.
 * `waitedSeconds` adds up the waits asked for; it is the same in AWS and in the local engine,
 * where waits are shortened.
 */
export function firstPoll(): PollState {
  return { polls: 0, waitedSeconds: 0, waitSeconds: FIRST_POLL_WAIT_SECONDS };
}

/**
 * The pacing after a poll that found the operation still running: waits back off from
 * FIRST_POLL_WAIT_SECONDS to MAX_POLL_WAIT_SECONDS, and the loop fails once `maxWaitSeconds` is spent.
 */
export function nextPoll(previous: PollState, maxWaitSeconds: number, what: string): PollState {
  const waitedSeconds = previous.waitedSeconds + previous.waitSeconds;
  const polls = previous.polls + 1;
  if (waitedSeconds >= maxWaitSeconds) {
    throw new WaitLimitExceededError(
      `${what} did not finish within ${maxWaitSeconds} seconds (${polls} polls). Look at it in the CloudFormation console; raise maxWaitSeconds in the input document if it is only slow.`,
    );
  }
  const backedOff = Math.min(MAX_POLL_WAIT_SECONDS, Math.ceil(previous.waitSeconds * POLL_BACKOFF_RATE));
  return { polls, waitedSeconds, waitSeconds: Math.max(1, Math.min(backedOff, maxWaitSeconds - waitedSeconds)) };
}

/** The pacing fields of a finished poll: the count goes on, nothing more to wait for. */
export function finalPoll(previous: PollState): PollState {
  return { polls: previous.polls + 1, waitedSeconds: previous.waitedSeconds + previous.waitSeconds, waitSeconds: 0 };
}
