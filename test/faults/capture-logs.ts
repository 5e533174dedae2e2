/**
 * Imported first by the fault-injection suite: the handlers' Powertools logger writes JSON lines
 * straight to stdout (and warnings and errors to stderr). Those lines are captured, not printed,
 * for the suite's secret search; anything else goes through. Put back after the file.
 */
import { captureLoggerLines } from './log-capture';

export const capturedLogs: string[] = [];

process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
const stdout = captureLoggerLines(process.stdout, capturedLogs);
const stderr = captureLoggerLines(process.stderr, capturedLogs);

afterAll(() => {
  process.stdout.write = stdout;
  process.stderr.write = stderr;
});
