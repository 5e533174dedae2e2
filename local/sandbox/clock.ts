import { SECONDS_PER_CALL, VIRTUAL_EPOCH } from './constants';

/**
 * Virtual time: nothing in the sandbox sleeps. Time moves forward by a second on each API call and
 * by the duration of each stack step, so a deployment that takes "ten minutes" of stack time runs
 * in milliseconds and its timestamps still read like a real one.
 */
export class VirtualClock {
  private nowMs: number;

  constructor(start: number = VIRTUAL_EPOCH) {
    this.nowMs = start;
  }

  now(): Date {
    return new Date(this.nowMs);
  }

  advance(seconds: number = SECONDS_PER_CALL): Date {
    this.nowMs += seconds * 1000;
    return this.now();
  }
}
