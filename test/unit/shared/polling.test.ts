import { attemptIndex, finalPoll, finishedPolling, firstPoll, nextPoll, retriedSeconds, retryDelaySeconds, spentSeconds, stillRunning } from '../../../functions/shared/polling';
import { DeadlineExceededError, StillInProgressError } from '../../../functions/shared/errors';
import { CHANGE_SET_POLL, FIRST_POLL_WAIT_SECONDS, MAX_POLL_WAIT_SECONDS, STACK_POLL } from '../../../functions/shared/limits';
import type { PollState } from '../../../functions/shared/state';
import { thrownBy } from '../helpers';

const WHAT = 'Creating stack prod-app';
const AN_HOUR = 3600;

/** The waits asked for by `count` polls that each found the operation still running. */
function waits(count: number, maxWaitSeconds: number): number[] {
  const asked: number[] = [];
  let state = firstPoll();
  asked.push(state.waitSeconds);
  for (let i = 1; i < count; i++) {
    state = nextPoll(state, { maxWaitSeconds: maxWaitSeconds }, WHAT);
    asked.push(state.waitSeconds);
  }
  return asked;
}

describe('firstPoll', () => {
  it('waits FIRST_POLL_WAIT_SECONDS before the first poll, having polled and waited nothing', () => {
    expect(firstPoll()).toEqual({ polls: 0, waitedSeconds: 0, waitSeconds: FIRST_POLL_WAIT_SECONDS });
    expect(FIRST_POLL_WAIT_SECONDS).toBe(5);
  });
});

describe('nextPoll', () => {
  it('backs off 5, 10, 20, 30, 30, 30 …: doubling up to the cap', () => {
    const asked = waits(8, AN_HOUR);

    expect(asked).toEqual([5, 10, 20, 30, 30, 30, 30, 30]);
    expect(MAX_POLL_WAIT_SECONDS).toBe(30);
  });

  it('counts the polls and adds up the waits asked for', () => {
    let state = firstPoll();

    for (let i = 0; i < 4; i++) state = nextPoll(state, { maxWaitSeconds: AN_HOUR }, WHAT);

    expect(state).toEqual({ polls: 4, waitedSeconds: 5 + 10 + 20 + 30, waitSeconds: 30 });
  });

  it('never asks to wait past the limit: the last wait is what is left of it', () => {
    const asked = waits(4, 60);

    expect(asked).toEqual([5, 10, 20, 25]);
  });

  it('fails with DeadlineExceededError once the waits add up to the limit, naming what and how long', () => {
    let state: PollState = firstPoll();
    for (let i = 0; i < 3; i++) state = nextPoll(state, { maxWaitSeconds: 60 }, WHAT);
    expect(state).toEqual({ polls: 3, waitedSeconds: 35, waitSeconds: 25 });

    const error = thrownBy(() => nextPoll(state, { maxWaitSeconds: 60 }, WHAT));

    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error.name).toBe('DeadlineExceededError');
    expect(error.message).toBe(
      "Creating stack prod-app had not finished when the deployment's budget of 60 seconds (maxWaitSeconds) ran out (4 polls). Nothing was executed. Raise maxWaitSeconds in the input document if it is only slow.",
    );
  });

  it('fails as soon as the limit is passed, not only when met exactly', () => {
    const error = thrownBy(() => nextPoll({ polls: 9, waitedSeconds: 100, waitSeconds: 30 }, { maxWaitSeconds: 120 }, WHAT));

    expect(error).toBeInstanceOf(DeadlineExceededError);
  });

  it('keeps polling while time is left, at least one second apart', () => {
    const next = nextPoll({ polls: 2, waitedSeconds: 50, waitSeconds: 9.5 }, { maxWaitSeconds: 60 }, WHAT);

    expect(next).toEqual({ polls: 3, waitedSeconds: 59.5, waitSeconds: 1 });
  });

  it('bounds a whole hour of polling: the default limit fails after a finite number of polls', () => {
    let state = firstPoll();
    let polls = 0;
    const error = thrownBy(() => {
      for (;;) {
        state = nextPoll(state, { maxWaitSeconds: AN_HOUR }, WHAT);
        polls++;
      }
    });

    expect(error).toBeInstanceOf(DeadlineExceededError);
    // Three polls ask for 5 + 10 + 20 = 35 s, then 30 s each: the 122nd poll finds the hour spent.
    expect(polls).toBe(121);
    expect(state.waitedSeconds + state.waitSeconds).toBe(AN_HOUR);
  });
});

describe('one budget for the whole deployment', () => {
  it('a later wait loop starts from what the loops before it spent', () => {
    const changeSetLoop = { polls: 3, waitedSeconds: 35, waitSeconds: 0 };

    const update = firstPoll(changeSetLoop.waitedSeconds);

    expect(update).toEqual({ polls: 0, waitedSeconds: 35, waitSeconds: 5 });
    // 35 s spent by the change set, 5 s by the first update wait: 20 s of a 60 s budget are left.
    expect(nextPoll(update, { maxWaitSeconds: 60 }, WHAT)).toEqual({ polls: 1, waitedSeconds: 40, waitSeconds: 10 });
    expect(() => nextPoll(firstPoll(58), { maxWaitSeconds: 60 }, WHAT)).toThrow(DeadlineExceededError);
  });

  it('counts the wall clock since the execution started when it is ahead of the waits (Lambda time, retries)', () => {
    const startedAt = new Date(Date.now() - 3_590_000).toISOString();

    const next = nextPoll({ polls: 1, waitedSeconds: 5, waitSeconds: 10 }, { maxWaitSeconds: AN_HOUR, startedAt }, WHAT);

    expect(next.waitSeconds).toBeLessThanOrEqual(10);
    expect(spentSeconds(next, { maxWaitSeconds: AN_HOUR, startedAt })).toBeGreaterThanOrEqual(3590);
    const late = new Date(Date.now() - AN_HOUR * 1000).toISOString();
    expect(() => nextPoll({ polls: 1, waitedSeconds: 5, waitSeconds: 10 }, { maxWaitSeconds: AN_HOUR, startedAt: late }, WHAT)).toThrow(DeadlineExceededError);
  });

  it('says what the caller asks when the budget runs out after the stack started changing', () => {
    const error = thrownBy(() => nextPoll({ polls: 1, waitedSeconds: 55, waitSeconds: 5 }, { maxWaitSeconds: 60 }, WHAT, (message) => new RangeError(`unknown: ${message}`)));

    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/^unknown: Creating stack prod-app had not finished/);
  });
});

describe('finalPoll', () => {
  it('counts the last poll and its wait, and asks for no more waiting', () => {
    expect(finalPoll({ polls: 3, waitedSeconds: 35, waitSeconds: 30 })).toEqual({ polls: 4, waitedSeconds: 65, waitSeconds: 0 });
  });
});

describe('polling through a retrier (StillInProgressError)', () => {
  it('backs off from 5 s by half again each time, to the 20 s cap, as Step Functions computes a retrier\'s delays', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((n) => retryDelaySeconds(STACK_POLL, n))).toEqual([5, 7.5, 11.25, 16.875, 20, 20, 20]);
    expect([1, 2, 3, 4, 5].map((n) => retryDelaySeconds(CHANGE_SET_POLL, n))).toEqual([2, 3, 4.5, 6.75, 10]);
  });

  it('counts the seconds waited before attempt n, in whole seconds', () => {
    expect(retriedSeconds(STACK_POLL, 0)).toBe(0);
    expect(retriedSeconds(STACK_POLL, 4)).toBe(40);
    // After the ramp, one poll every 20 s: an hour is about 180 polls, not the 360 of a fixed 10 s.
    expect(retriedSeconds(STACK_POLL, 180)).toBeGreaterThan(AN_HOUR - 100);
  });

  it('asks for another poll while the budget lasts, and says how much is spent', () => {
    const started: PollState = { polls: 0, waitedSeconds: 30, waitSeconds: 5 };
    const error = thrownBy(() => stillRunning(started, 2, STACK_POLL, { maxWaitSeconds: AN_HOUR }, WHAT));
    expect(error).toBeInstanceOf(StillInProgressError);
    expect(error.message).toBe('Creating stack prod-app: still running after 3 polls (47 s of the 3600 s budget spent).');
  });

  it('throws the deadline\'s error once the waits or the wall clock pass the budget', () => {
    const started: PollState = { polls: 0, waitedSeconds: 30, waitSeconds: 5 };
    expect(thrownBy(() => stillRunning(started, 3, STACK_POLL, { maxWaitSeconds: 60 }, WHAT))).toBeInstanceOf(StillInProgressError);
    expect(thrownBy(() => stillRunning(started, 4, STACK_POLL, { maxWaitSeconds: 60 }, WHAT))).toBeInstanceOf(DeadlineExceededError);
    const longAgo = new Date(Date.now() - 2 * AN_HOUR * 1000).toISOString();
    expect(thrownBy(() => stillRunning(started, 0, STACK_POLL, { maxWaitSeconds: AN_HOUR, startedAt: longAgo }, WHAT))).toBeInstanceOf(DeadlineExceededError);
  });

  it('records the polls and the waits once the operation is done', () => {
    expect(finishedPolling({ polls: 2, waitedSeconds: 30, waitSeconds: 3 }, 2, CHANGE_SET_POLL)).toEqual({ polls: 5, waitedSeconds: 38, waitSeconds: 0 });
  });

  it('takes a missing or malformed retry count for the first attempt', () => {
    expect([undefined, -1, 1.5, '2', 3].map(attemptIndex)).toEqual([0, 0, 0, 0, 3]);
  });
});
