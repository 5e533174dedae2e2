/**
 * What the waiting-approvals check raises on purpose. A thrown error makes the invocation count
 * in the function's `Errors` metric, which the check's own alarm watches: a check that cannot
 * run must not look like "no approval is waiting".
 */

/** The function's settings are wrong: it cannot know which state machine to check. */
export class ApprovalCheckConfigurationError extends Error {
  override readonly name = 'ApprovalCheckConfigurationError' as const;
}

/**
 * Some running executions' histories could not be read. The metric was still published, counting
 * what could be read, so it is a lower bound this time.
 */
export class ApprovalCheckIncompleteError extends Error {
  override readonly name = 'ApprovalCheckIncompleteError' as const;
}
