import { DeploymentError } from '../functions/shared/errors';

/** Bad usage or bad input: one clear line, exit code 2, never a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError' as const;
}

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

/** Runs a check of the user's input: the deployer's input errors become usage errors (exit 2), on one line. */
export function asUsage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof DeploymentError) throw new UsageError(error.message.replace(/\s*\n\s*/g, ' '));
    throw error;
  }
}
