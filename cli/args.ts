import { parseArgs, type ParseArgsConfig } from 'util';
import { UsageError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses a command's flags strictly: an unknown flag or a missing value is a usage error, in one line. */
export function parseFlags<T extends Options>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(`${command}: ${message}. See "deploy-orchestrator help".`);
  }
}

export function positiveSeconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1) throw new UsageError(`${flag} must be a whole number of seconds, at least 1 (got "${value}").`);
  return seconds;
}
