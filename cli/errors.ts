/** Bad usage or bad input: one clear line, exit code 2, never a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError' as const;
}

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;
