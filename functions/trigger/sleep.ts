import { setTimeout as delay } from 'timers/promises';

/** Waits `ms` milliseconds. Its own module so that tests can replace the wait without faking timers. */
export async function sleep(ms: number): Promise<void> {
  await delay(ms);
}
