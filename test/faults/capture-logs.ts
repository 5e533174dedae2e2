/**
 * Imported first by the fault-injection suite: the handlers' Powertools logger writes straight to
 * stdout, so stdout is captured (and not printed) for the suite's secret search, and restored after.
 */
export const capturedLogs: string[] = [];

const write = process.stdout.write.bind(process.stdout);
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  // Logger lines are JSON objects; anything else (jest's own output) goes through.
  if (text.startsWith('{"level"')) {
    capturedLogs.push(text);
    return true;
  }
  return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;

afterAll(() => {
  process.stdout.write = write;
});
